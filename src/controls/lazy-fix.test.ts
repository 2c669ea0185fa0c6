import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonPatchOp } from '../core/finding.js';
import { fixOf, setValueFix } from './lazy-fix.js';

describe('lazy fixes', () => {
  it('setValueFix builds one operation at the pointer of the path, each time it is asked', () => {
    const path = ['spec', 'containers', 0, 'securityContext', 'privileged'];
    const fix = setValueFix('replace', path, false);
    assert.deepEqual(fix(), [{ op: 'replace', path: '/spec/containers/0/securityContext/privileged', value: false }]);
    assert.notEqual(fix(), fix(), 'a new patch per call: callers may keep or change it');
    assert.deepEqual(setValueFix('add', ['metadata', 'labels', 'a/b~c'], 'x')(), [{ op: 'add', path: '/metadata/labels/a~1b~0c', value: 'x' }]);
  });

  it('fixOf builds nothing until asked, then passes its argument through', () => {
    const seen: string[] = [];
    const build = (arg: string): JsonPatchOp[] | undefined => {
      seen.push(arg);
      return arg === 'none' ? undefined : [{ op: 'add', path: `/${arg}`, value: true }];
    };
    const fix = fixOf(build, 'a');
    assert.deepEqual(seen, []);
    assert.deepEqual(fix(), [{ op: 'add', path: '/a', value: true }]);
    assert.equal(fixOf(build, 'none')(), undefined);
    assert.deepEqual(seen, ['a', 'none']);
  });
});
