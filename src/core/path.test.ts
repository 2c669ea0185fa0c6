import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getAt, toDotted, toPointer, type JsonPath } from './path.js';

// The plain definitions the hand-written loops must agree with.
const dottedByRegExp = (path: JsonPath) => {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
};
const pointerByReplace = (path: JsonPath) => (path.length === 0 ? '' : '/' + path.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/'));

const SEGMENTS: (string | number)[] = [
  'spec', 'containers', 0, 12, 63, 64, 100, -1, 1.5, 'securityContext', 'app.kubernetes.io/name', 'a-b', '-a', '9lives', 'x9', '_x', '$ref', 'a$b', '',
  ' ', 'a b', 'a~b', '~', '/', '~1', '~0/', 'ü', 'naïve', 'a\nb', 'a"b', 'a\\b', 'Z', '[0]', '.', 'a.b', '\u0000',
];

describe('path', () => {
  it('writes the dotted form of every kind of segment as the regular-expression definition does', () => {
    for (const a of SEGMENTS) {
      assert.equal(toDotted([a]), dottedByRegExp([a]), JSON.stringify(a));
      for (const b of SEGMENTS) assert.equal(toDotted([a, b, 'x']), dottedByRegExp([a, b, 'x']), JSON.stringify([a, b]));
    }
    assert.equal(toDotted([]), '');
    assert.equal(toDotted(['spec', 'containers', 0, 'env', 'my-var', 'a.b']), 'spec.containers[0].env.my-var["a.b"]');
  });

  it('writes the same dotted paths once its table of keys is full', () => {
    // Keys from objects (annotation names) are unbounded; the table of key pieces is not.
    for (let i = 0; i < 5000; i++) assert.equal(toDotted(['metadata', 'annotations', `k${i}`, `a/${i}`]), dottedByRegExp(['metadata', 'annotations', `k${i}`, `a/${i}`]));
    for (const a of SEGMENTS) assert.equal(toDotted(['x', a, 'y']), dottedByRegExp(['x', a, 'y']), JSON.stringify(a));
  });

  it('escapes ~ and / in JSON pointers (RFC 6901) and leaves the rest as is', () => {
    for (const a of SEGMENTS) for (const b of SEGMENTS) assert.equal(toPointer([a, b]), pointerByReplace([a, b]), JSON.stringify([a, b]));
    assert.equal(toPointer([]), '');
    assert.equal(toPointer(['metadata', 'annotations', 'a/b~c']), '/metadata/annotations/a~1b~0c');
  });

  it('reads values at a path and gives undefined past a missing or scalar step', () => {
    const obj = { spec: { containers: [{ name: 'c' }] } };
    assert.equal(getAt(obj, ['spec', 'containers', 0, 'name']), 'c');
    assert.equal(getAt(obj, ['spec', 'missing', 'x']), undefined);
    assert.equal(getAt(obj, ['spec', 'containers', 0, 'name', 'length', 'x']), undefined);
    assert.equal(getAt(obj, []), obj);
  });
});
