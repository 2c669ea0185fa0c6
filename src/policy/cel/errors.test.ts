import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, evaluateExpression, positionInYaml } from './index.js';

test('a syntax error carries its offset, line and column within the expression', () => {
  const r = compile('object.spec.replicas <=\n  5 +');
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.error.code, 'PALISADE_CEL_SYNTAX');
  assert.deepEqual(r.error.position, { offset: 29, line: 2, column: 6 }); // end of input, after '+'
  assert.equal(r.error.expression, 'object.spec.replicas <=\n  5 +');
  assert.match(r.error.message, /^CEL syntax error: Unexpected token: EOF/);
});

test('syntax errors point at the offending character', () => {
  const r = compile('object.metadata.name == "a" && ]');
  assert.ok(!r.ok && r.error.code === 'PALISADE_CEL_SYNTAX' && r.error.position.column === 32);
  const s = compile('"unterminated');
  assert.ok(!s.ok && s.error.code === 'PALISADE_CEL_SYNTAX' && s.error.position.offset === 0);
});

test('type errors: unknown variables, unknown functions, wrong argument types', () => {
  const unknownVar = compile('obj.spec');
  assert.ok(!unknownVar.ok && unknownVar.error.code === 'PALISADE_CEL_TYPE');
  if (!unknownVar.ok) assert.match(unknownVar.error.message, /Unknown variable: obj/);
  const unknownFn = compile('object.spec.frobnicate()');
  assert.ok(!unknownFn.ok && unknownFn.error.code === 'PALISADE_CEL_TYPE');
  const wrongArg = compile('quantity(1)');
  assert.ok(!wrongArg.ok && wrongArg.error.code === 'PALISADE_CEL_TYPE');
  if (!wrongArg.ok) assert.match(wrongArg.error.message, /no matching overload for 'quantity\(int\)'/);
  // Internal overload names never leak into messages.
  const renamed = compile('"a".lowerAscii(1)');
  assert.ok(!renamed.ok);
  if (!renamed.ok) assert.doesNotMatch(renamed.error.message, /k8s__/);
  const withVars = compile('resource.kind == "Pod"', { extraVariables: ['resource'] });
  assert.equal(withVars.ok, true);
});

test('runtime errors point at the failing sub-expression', () => {
  const r = evaluateExpression('object.spec.replicas > 1 && object.spec.missing == 2', { object: { spec: { replicas: 3 } } });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.error.code, 'PALISADE_CEL_RUNTIME');
  assert.equal(r.error.reason, 'no_such_key');
  assert.match(r.error.message, /No such key: missing/);
  assert.equal(r.error.position.offset, 'object.spec.replicas > 1 && object.spec.'.length);
  const q = evaluateExpression('quantity("1.5x")');
  assert.ok(!q.ok && q.error.code === 'PALISADE_CEL_RUNTIME' && q.error.position.offset === 0);
});

test('compile results are cached by source text', () => {
  const a = compile('object.kind == "Pod"');
  const b = compile('object.kind == "Pod"');
  assert.ok(a.ok && b.ok && a.program === b.program);
  assert.notEqual(compile('object.kind == "Pod"', { maxLength: 100 }), a);
});

test('positionInYaml: single-line plain and quoted scalars', () => {
  // expression: object.spec.replicas <= 5   at line 7, column 17
  assert.deepEqual(positionInYaml({ line: 7, column: 17, style: 'plain' }, 'object.spec.replicas <= 5', 7), { line: 7, column: 24 });
  assert.deepEqual(positionInYaml({ line: 7, column: 17, style: 'double-quoted' }, 'a == b', 5), { line: 7, column: 23 });
  assert.deepEqual(positionInYaml({ line: 7, column: 17, style: 'single-quoted' }, 'a == b', 0), { line: 7, column: 18 });
});

test('positionInYaml: literal and folded block scalars', () => {
  const source = [
    'spec:', //                                   1
    '  validations:', //                          2
    '    - expression: |', //                     3
    '        object.spec.replicas <= 5 &&', //    4
    '        object.metadata.name != ""', //      5
    '      message: too many', //                 6
    '    - expression: >-', //                    7
    '        object.a == 1 &&', //                8
    '        object.b == 2', //                   9
    '', //                                        10
    '        || object.c == 3', //                11
  ].join('\n');
  const literal = 'object.spec.replicas <= 5 &&\nobject.metadata.name != ""\n';
  const nameAt = literal.indexOf('metadata');
  assert.deepEqual(positionInYaml({ line: 3, column: 19, style: 'literal', source }, literal, nameAt), { line: 5, column: 16 });
  assert.deepEqual(positionInYaml({ line: 3, column: 19, style: 'literal', source }, literal, 0), { line: 4, column: 9 });
  // Without the source, block scalars map by line plus the given indentation.
  assert.deepEqual(positionInYaml({ line: 3, column: 19, style: 'literal', indent: 8 }, literal, nameAt), { line: 5, column: 16 });

  const folded = 'object.a == 1 && object.b == 2\n|| object.c == 3';
  assert.deepEqual(positionInYaml({ line: 7, column: 19, style: 'folded', source }, folded, folded.indexOf('object.b')), { line: 9, column: 9 });
  assert.deepEqual(positionInYaml({ line: 7, column: 19, style: 'folded', source }, folded, folded.indexOf('object.c')), { line: 11, column: 12 });
});

test('positionInYaml: quoted scalars with escapes and multi-line plain scalars', () => {
  const source = ['rules:', '  - expression: "a == \\"x\\" && b"', '  - expression: object.a ==', '      object.b'].join('\n');
  const expr = 'a == "x" && b';
  assert.deepEqual(positionInYaml({ line: 2, column: 17, style: 'double-quoted', source }, expr, expr.indexOf('b')), { line: 2, column: 32 });
  const plain = 'object.a == object.b';
  assert.deepEqual(positionInYaml({ line: 3, column: 17, style: 'plain', source }, plain, plain.indexOf('object.b')), { line: 4, column: 7 });
});
