import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compare, ConditionError, evaluateConditions, OPERATORS } from './conditions.js';
import { SubstitutionError } from './variables.js';

describe('condition operators', () => {
  const table: [string, unknown, unknown, boolean][] = [
    // Equals / NotEquals (and the deprecated Equal / NotEqual)
    ['Equals', 'prod', 'prod', true],
    ['Equals', 'prod-eu', 'prod-*', true],
    ['Equals', 'prod-eu', 'dev-*', false],
    ['Equals', 3, 3, true],
    ['Equals', 3, '3', true],
    ['Equals', 3.5, '3.5', true],
    ['Equals', true, true, true],
    ['Equals', true, 'true', false],
    ['Equals', '1Gi', '1024Mi', true],
    ['Equals', '1h', '60m', true],
    ['Equals', { a: 1 }, { a: 1 }, true],
    ['Equals', ['a'], ['a'], true],
    ['Equals', null, null, true],
    ['Equal', 'a', 'a', true],
    ['NotEquals', 'a', 'b', true],
    ['NotEquals', 'a', 'a', false],
    ['NotEqual', 1, 2, true],
    // AnyIn / AllIn / AnyNotIn / AllNotIn, with wildcards on either side and string forms
    ['AnyIn', 'kube-system', ['kube-*', 'default'], true],
    ['AnyIn', ['a', 'x'], ['b', 'x'], true],
    ['AnyIn', ['a'], ['b'], false],
    ['AnyIn', 'a', '["a", "b"]', true],
    ['AnyIn', 'a', 'a', true],
    ['AnyIn', 5, '1-10', true],
    ['AnyIn', 11, '1-10', false],
    ['AnyIn', 'prod-*', ['prod-eu'], true],
    ['AllIn', ['a', 'b'], ['a', 'b', 'c'], true],
    ['AllIn', ['a', 'z'], ['a', 'b'], false],
    ['AllIn', ['team-a', 'team-b'], ['team-*'], true],
    ['AnyNotIn', ['a', 'z'], ['a', 'b'], true],
    ['AnyNotIn', ['a'], ['a', 'b'], false],
    ['AllNotIn', ['x', 'y'], ['a', 'b'], true],
    ['AllNotIn', ['x', 'a'], ['a', 'b'], false],
    // deprecated In / NotIn
    ['In', 'a', ['a', 'b'], true],
    ['In', 'c', ['a', 'b'], false],
    ['In', ['a', 'b'], ['a', 'b', 'c'], true],
    ['In', ['a', 'd'], ['a', 'b', 'c'], false],
    ['NotIn', 'c', ['a', 'b'], true],
    ['NotIn', ['a', 'd'], ['a', 'b'], true],
    ['NotIn', ['a'], ['a', 'b'], false],
    // numeric, quantity and duration comparison
    ['GreaterThan', 5, 3, true],
    ['GreaterThan', '5', 3, true],
    ['GreaterThan', 3, '3.5', false],
    ['GreaterThan', '2Gi', '1Gi', true],
    ['GreaterThan', '1536Mi', '4Gi', false],
    ['GreaterThan', '2h', '90m', true],
    ['GreaterThan', '2h', 3600, true],
    ['GreaterThanOrEquals', 3, 3, true],
    ['LessThan', '250m', '1', true],
    ['LessThan', 1, 2, true],
    ['LessThanOrEquals', '30s', '30s', true],
    ['LessThanOrEquals', 'abc', 3, false],
    // deprecated Duration* operators (numbers are seconds)
    ['DurationGreaterThan', '3h', '2h', true],
    ['DurationGreaterThanOrEquals', '2h', '120m', true],
    ['DurationLessThan', '30s', '1m', true],
    ['DurationLessThanOrEquals', 60, '1m', true],
    ['DurationLessThan', 'soon', '1m', false],
  ];
  for (const [op, key, value, want] of table) {
    it(`${JSON.stringify(key)} ${op} ${JSON.stringify(value)} is ${want}`, () => assert.equal(compare(op, key, value), want));
  }

  it('covers every operator Kyverno documents', () => {
    const tested = new Set(table.map(([op]) => op));
    assert.deepEqual(OPERATORS.filter((o) => !tested.has(o)), []);
  });
});

describe('condition blocks', () => {
  const ctx = { request: { object: { metadata: { name: 'web', labels: { tier: 'critical' } } }, operation: 'CREATE' } };

  it('all: every condition; any: one condition; both must hold', () => {
    const cond = (key: string, value: unknown, message?: string) => ({ key, operator: 'Equals', value, ...(message ? { message } : {}) });
    assert.equal(evaluateConditions({ all: [cond('{{ request.operation }}', 'CREATE'), cond('{{ request.object.metadata.name }}', 'web')] }, ctx).passed, true);
    assert.equal(evaluateConditions({ any: [cond('{{ request.operation }}', 'DELETE'), cond('{{ request.object.metadata.name }}', 'web')] }, ctx).passed, true);
    const r = evaluateConditions({ all: [cond('{{ request.operation }}', 'CREATE')], any: [cond('{{ request.operation }}', 'DELETE', 'not a delete')] }, ctx);
    assert.deepEqual(r, { passed: false, messages: ['not a delete'] });
  });

  it('accepts the legacy list form (all must hold)', () => {
    assert.equal(evaluateConditions([{ key: '{{ request.operation }}', operator: 'Equals', value: 'CREATE' }], ctx).passed, true);
    assert.equal(evaluateConditions([{ key: '{{ request.operation }}', operator: 'Equals', value: 'UPDATE' }], ctx).passed, false);
  });

  it('substitutes variables in keys and values', () => {
    assert.equal(evaluateConditions({ all: [{ key: 'critical', operator: 'Equals', value: '{{ request.object.metadata.labels.tier }}' }] }, ctx).passed, true);
  });

  it('errors on unknown operators and unresolved variables', () => {
    assert.throws(() => evaluateConditions({ all: [{ key: 'a', operator: 'Matches', value: 'a' }] }, ctx), ConditionError);
    assert.throws(() => evaluateConditions({ all: [{ key: '{{ request.object.spec }}', operator: 'Equals', value: 'a' }] }, ctx), SubstitutionError);
  });
});
