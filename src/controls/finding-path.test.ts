import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathUnder } from './finding-path.js';

describe('pathUnder', () => {
  const prefix = Object.freeze(['spec', 'template', 'spec', 'containers', 0]);

  it('appends one to four segments, as the spread it replaces does', () => {
    assert.deepEqual(pathUnder(prefix, 'image'), [...prefix, 'image']);
    assert.deepEqual(pathUnder(prefix, 'env', 3), [...prefix, 'env', 3]);
    assert.deepEqual(pathUnder(prefix, 'securityContext', 'capabilities', 'drop'), [...prefix, 'securityContext', 'capabilities', 'drop']);
    assert.deepEqual(pathUnder(prefix, 'env', 0, 'valueFrom', 'secretKeyRef'), [...prefix, 'env', 0, 'valueFrom', 'secretKeyRef']);
    assert.deepEqual(pathUnder([], 'metadata'), ['metadata']);
  });

  it('stops at the first segment left out (optional keys passed through)', () => {
    assert.deepEqual(pathUnder(prefix, 'securityContext', undefined, 'ignored'), [...prefix, 'securityContext']);
    assert.deepEqual(pathUnder(prefix, 'securityContext', 'seccompProfile', undefined, 'ignored'), [...prefix, 'securityContext', 'seccompProfile']);
  });

  it('makes a new, dense array each call and leaves the prefix alone (findings keep their path)', () => {
    const a = pathUnder(prefix, 'image');
    const b = pathUnder(prefix, 'image');
    assert.notEqual(a, b);
    assert.notEqual(a, prefix);
    a.push('more');
    assert.deepEqual(b, [...prefix, 'image']);
    assert.deepEqual(prefix, ['spec', 'template', 'spec', 'containers', 0]);
    for (let i = 0; i < b.length; i++) assert.ok(i in b, `index ${i} is set`);
    assert.equal(JSON.stringify(b), JSON.stringify([...prefix, 'image']));
  });
});
