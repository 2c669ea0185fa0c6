import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, evaluate, evaluateExpression } from './index.js';

const range = (n: number) => `[${Array.from({ length: n }, (_, i) => i).join(', ')}]`;

/** Runs an expression expected to blow its budget; returns the elapsed milliseconds. */
function expectStopped(expr: string, activation: Record<string, unknown> = {}, budget?: number): number {
  const started = performance.now();
  const r = evaluateExpression(expr, activation, budget === undefined ? {} : { budget });
  const elapsed = performance.now() - started;
  assert.equal(r.ok, false, expr.slice(0, 80));
  if (!r.ok) {
    assert.equal(r.error.code, 'PALISADE_CEL_COST_EXCEEDED', r.error.message);
    assert.ok(r.error.message.includes(expr.slice(0, 40)), 'the message names the expression');
    assert.equal(r.error.expression, expr);
  }
  assert.ok(elapsed < 1000, `stopped after ${elapsed.toFixed(0)} ms`);
  return elapsed;
}

test('ordinary policy expressions cost little', () => {
  const object = { spec: { containers: Array.from({ length: 20 }, (_, i) => ({ name: `c${i}`, image: `registry.example.com/app:${i}` })) } };
  const r = evaluateExpression('object.spec.containers.all(c, c.image.startsWith("registry.example.com/"))', { object });
  assert.ok(r.ok);
  assert.ok(r.cost > 20 && r.cost < 500, `cost ${r.cost}`);
});

test('nested comprehensions over large ranges are stopped', () => {
  const L = range(200);
  expectStopped(`${L}.all(x, ${L}.all(y, ${L}.all(z, ${L}.all(w, true))))`);
  expectStopped(`${L}.exists(x, ${L}.exists(y, ${L}.exists(z, ${L}.exists(w, false))))`);
  expectStopped(`${L}.map(x, ${L}.map(y, ${L}.map(z, x + y + z)))`);
  expectStopped(`[1, 2, 3].all(x, ${L}.all(y, ${L}.all(z, ${L}.all(w, x + y + z + w >= 0))))`);
});

test('comprehensions over large inputs are stopped', () => {
  const items = Array.from({ length: 20000 }, (_, i) => ({ n: i, name: `item-${i}` }));
  expectStopped('object.items.all(i, object.items.all(j, i.n != j.n || true))', { object: { items } });
  expectStopped('object.items.all(i, i in object.items)', { object: { items } });
  expectStopped('object.items.all(i, object.items == object.items)', { object: { items } });
  expectStopped('object.items.filter(i, object.items.exists(j, j.name == i.name + "x")).size() == 0', { object: { items } });
});

test('exponential string and list growth is stopped', () => {
  let s = '"abcdefghijklmnopqrstuvwxyz"';
  let expr = '';
  const names = 'abcdefghijklmnop'.split('');
  for (const n of names) expr += `cel.bind(${n}, ${s}, `, (s = `${n} + ${n} + ${n} + ${n}`);
  expr += `(${s}).size() > 0` + ')'.repeat(names.length);
  expectStopped(expr);
  let l = '[1, 2, 3, 4]';
  let listExpr = '';
  for (const n of names) listExpr += `cel.bind(${n}, ${l}, `, (l = `${n} + ${n} + ${n} + ${n}`);
  listExpr += `(${l}).size() > 0` + ')'.repeat(names.length);
  expectStopped(listExpr);
});

test('catastrophic-backtracking regexes finish or are stopped within the budget', () => {
  // JavaScript's RegExp would take longer than the age of the universe on these.
  const r = evaluateExpression('object.s.matches("^(a+)+$")', { object: { s: 'a'.repeat(30000) + 'b' } });
  assert.ok(r.ok && r.value === false);
  expectStopped('object.s.matches("(x*){200}y")', { object: { s: 'x'.repeat(100000) } });
  expectStopped('object.items.exists(s, s.matches("^(a|aa)+$"))', { object: { items: Array.from({ length: 200 }, () => 'a'.repeat(5000) + 'b') } }, 100_000);
});

test('the budget is configurable and the abort is reported even if a quantifier swallows it', () => {
  const c = compile(`${range(100)}.exists(x, x == 99)`);
  assert.ok(c.ok);
  const full = evaluate(c.program, {});
  assert.ok(full.ok && full.value === true);
  const tight = evaluate(c.program, {}, 50);
  assert.equal(tight.ok, false);
  if (!tight.ok) assert.equal(tight.error.code, 'PALISADE_CEL_COST_EXCEEDED');
  // `||` and exists() swallow step errors (CEL's commutative error semantics); a spent
  // budget must still abort the whole evaluation rather than yield `true`.
  const L = range(300);
  const swallowed = evaluateExpression(`${L}.all(x, ${L}.all(y, true)) || true`, {}, { budget: 5000 });
  assert.ok(!swallowed.ok && swallowed.error.code === 'PALISADE_CEL_COST_EXCEEDED');
  const inExists = evaluateExpression(`[0, 1].exists(x, x == 1 || ${L}.all(y, ${L}.all(z, true)))`, {}, { budget: 5000 });
  assert.ok(!inExists.ok && inExists.error.code === 'PALISADE_CEL_COST_EXCEEDED');
});

test('expressions longer than the limit are rejected before parsing', () => {
  const long = 'true && '.repeat(700) + 'true';
  const r = compile(long);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'PALISADE_CEL_TOO_LONG');
    assert.match(r.error.message, /5604 characters, over the limit of 5000/);
  }
  assert.equal(compile(long, { maxLength: 10_000 }).ok, true);
});

test('nesting deeper than the limit is rejected', () => {
  const deep = '('.repeat(150) + '1' + ')'.repeat(150);
  const r = compile(deep);
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'PALISADE_CEL_TOO_LONG');
  assert.equal(compile('('.repeat(50) + '1' + ')'.repeat(50)).ok, true);
});
