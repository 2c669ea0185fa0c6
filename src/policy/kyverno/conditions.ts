/**
 * Kyverno conditions (preconditions, deny conditions): `{any: [...], all: [...]}` or the
 * legacy plain list (all must hold). A condition is `{key, operator, value, message}`; key
 * and value are substituted first, then compared by the operator:
 *
 *   Equals / NotEquals (and the deprecated Equal / NotEqual)
 *   AnyIn, AllIn, AnyNotIn, AllNotIn (and the deprecated In / NotIn)
 *   GreaterThan, GreaterThanOrEquals, LessThan, LessThanOrEquals (numbers, quantities, durations)
 *   DurationGreaterThan(OrEquals), DurationLessThan(OrEquals) (deprecated)
 *
 * String comparisons accept wildcards in the value (and, for the In family, in either side).
 */
import { durationSeconds, parseDuration } from './duration.js';
import { deepEqual } from './jmespath.js';
import { matchValue, parseGoFloat, tryQuantity } from './value-pattern.js';
import { substituteAll, type JsonContext } from './variables.js';
import { wildcardMatch } from './wildcard.js';

export interface Condition {
  key?: unknown;
  operator?: string;
  value?: unknown;
  message?: string;
}

export interface ConditionsOutcome {
  passed: boolean;
  /** Messages of the conditions that did not hold. */
  messages: string[];
}

export class ConditionError extends Error {}

export const OPERATORS = [
  'Equals', 'NotEquals', 'Equal', 'NotEqual', 'In', 'NotIn', 'AnyIn', 'AllIn', 'AnyNotIn', 'AllNotIn',
  'GreaterThan', 'GreaterThanOrEquals', 'LessThan', 'LessThanOrEquals',
  'DurationGreaterThan', 'DurationGreaterThanOrEquals', 'DurationLessThan', 'DurationLessThanOrEquals',
] as const;

/** Evaluates conditions in either form; throws SubstitutionError / ConditionError. */
export function evaluateConditions(conditions: unknown, ctx: JsonContext): ConditionsOutcome {
  if (conditions === undefined || conditions === null) return { passed: true, messages: [] };
  if (Array.isArray(conditions)) return evaluateAll(conditions, ctx);
  if (typeof conditions !== 'object') throw new ConditionError('conditions must be a list or a map with any/all');
  const { any, all } = conditions as { any?: unknown; all?: unknown };
  const messages: string[] = [];
  let allPassed = true;
  if (all !== undefined && all !== null) {
    const r = evaluateAll(asList(all, 'all'), ctx);
    allPassed = r.passed;
    messages.push(...r.messages);
  }
  let anyPassed = true;
  if (any !== undefined && any !== null) {
    const list = asList(any, 'any');
    anyPassed = false;
    const anyMessages: string[] = [];
    for (const c of list) {
      if (evaluateCondition(c, ctx)) {
        anyPassed = true;
        break;
      }
      const m = (c as Condition).message;
      if (m) anyMessages.push(m);
    }
    if (!anyPassed) messages.push(...anyMessages);
  }
  return { passed: allPassed && anyPassed, messages };
}

function asList(v: unknown, name: string): unknown[] {
  if (!Array.isArray(v)) throw new ConditionError(`${name} must be a list of conditions`);
  return v;
}

function evaluateAll(list: unknown[], ctx: JsonContext): ConditionsOutcome {
  for (const c of list) {
    if (!evaluateCondition(c, ctx)) {
      const m = (c as Condition).message;
      return { passed: false, messages: m ? [m] : [] };
    }
  }
  return { passed: true, messages: [] };
}

export function evaluateCondition(raw: unknown, ctx: JsonContext): boolean {
  if (!raw || typeof raw !== 'object') throw new ConditionError('a condition must be a map with key, operator and value');
  const c = raw as Condition;
  const op = c.operator;
  if (typeof op !== 'string' || !(OPERATORS as readonly string[]).includes(op)) {
    throw new ConditionError(`unknown condition operator ${JSON.stringify(op)}; expected one of ${OPERATORS.join(', ')}`);
  }
  const key = substituteAll(c.key ?? null, ctx);
  const value = substituteAll(c.value ?? null, ctx);
  return compare(op, key, value);
}

/** Compares a substituted key and value with an operator. */
export function compare(op: string, key: unknown, value: unknown): boolean {
  switch (op) {
    case 'Equals':
    case 'Equal':
      return equals(key, value);
    case 'NotEquals':
    case 'NotEqual':
      return !equals(key, value);
    case 'AnyIn':
      return inFamily(key, value, 'any', false);
    case 'AllIn':
      return inFamily(key, value, 'all', false);
    case 'AnyNotIn':
      return inFamily(key, value, 'any', true);
    case 'AllNotIn':
      return inFamily(key, value, 'all', true);
    case 'In':
      return legacyIn(key, value);
    case 'NotIn':
      return legacyNotIn(key, value);
    case 'GreaterThan':
    case 'GreaterThanOrEquals':
    case 'LessThan':
    case 'LessThanOrEquals':
      return numeric(op, key, value);
    default:
      return durationOp(op, key, value);
  }
}

/** A pair that is a duration comparison: at least one side a duration string, the other a duration or seconds. */
function durationPair(key: unknown, value: unknown): [number, number] | undefined {
  const asDur = (v: unknown): number | undefined => {
    if (typeof v === 'string' && !/^[+-]?\d+(\.\d+)?$/.test(v)) {
      const d = parseDuration(v);
      return d === undefined ? undefined : durationSeconds(d);
    }
    return undefined;
  };
  const k = asDur(key);
  const v = asDur(value);
  if (k !== undefined && v !== undefined) return [k, v];
  if (k !== undefined && typeof value === 'number') return [k, value];
  if (v !== undefined && typeof key === 'number') return [key, v];
  return undefined;
}

function equals(key: unknown, value: unknown): boolean {
  if (typeof key === 'boolean') return typeof value === 'boolean' && key === value;
  if (typeof key === 'number') {
    if (typeof value === 'number') return key === value;
    if (typeof value === 'string') {
      const d = durationPair(key, value);
      if (d) return d[0] === d[1];
      if (Number.isInteger(key)) return /^[+-]?\d+$/.test(value) && Number(value) === key;
      const f = parseGoFloat(value);
      return f !== undefined && f === key;
    }
    return false;
  }
  if (typeof key === 'string') {
    const d = durationPair(key, value);
    if (d) return d[0] === d[1];
    const kq = tryQuantity(key);
    if (kq && typeof value === 'string') {
      const vq = tryQuantity(value);
      return vq ? kq.equals(vq) : false;
    }
    if (typeof value === 'string') return wildcardMatch(value, key);
    return false;
  }
  if (key === null || key === undefined) return value === null || value === undefined;
  if (Array.isArray(key)) return Array.isArray(value) && deepEqual(key, value);
  if (typeof key === 'object') return value !== null && typeof value === 'object' && !Array.isArray(value) && deepEqual(key, value);
  return false;
}

function goSprint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  return `map[${Object.keys(v as object).sort().map((k) => `${k}:${goSprint((v as Record<string, unknown>)[k])}`).join(' ')}]`;
}

function keyList(key: unknown): string[] | undefined {
  if (typeof key === 'string') return [key];
  if (typeof key === 'number' || typeof key === 'boolean') return [String(key)];
  if (Array.isArray(key)) return key.map(goSprint);
  return undefined;
}

const RANGE = /^(\d+(\.\d+)?)([^-]*)-(\d+(\.\d+)?)([^-]*)$/;

function valueList(value: unknown): string[] | 'range' | undefined {
  if (Array.isArray(value)) return value.map(goSprint);
  if (typeof value === 'string') {
    if (RANGE.test(value)) return 'range';
    const t = value.trim();
    if (t.startsWith('[')) {
      try {
        const parsed = JSON.parse(t) as unknown;
        if (Array.isArray(parsed)) return parsed.map(goSprint);
      } catch {
        /* not JSON: a single value */
      }
    }
    return [value];
  }
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return undefined;
}

function inFamily(key: unknown, value: unknown, quantifier: 'any' | 'all', negate: boolean): boolean {
  const keys = keyList(key);
  if (!keys) return false;
  const values = valueList(value);
  if (values === undefined) return false;
  const contained = (k: string) =>
    values === 'range' ? matchValue(k, value) : values.some((v) => wildcardMatch(v, k) || wildcardMatch(k, v));
  if (quantifier === 'any') return negate ? keys.some((k) => !contained(k)) : keys.some(contained);
  return negate ? keys.every((k) => !contained(k)) : keys.every(contained);
}

/** Deprecated In: a string key must be in the values (wildcards in the key); a list key must be a subset. */
function legacyIn(key: unknown, value: unknown): boolean {
  const values = valueList(value);
  if (values === undefined || values === 'range') return false;
  if (Array.isArray(key)) return key.every((k) => values.includes(goSprint(k)));
  const keys = keyList(key);
  if (!keys) return false;
  const k = keys[0]!;
  if (typeof value === 'string' && wildcardMatch(value, k)) return true;
  return values.some((v) => wildcardMatch(k, v) || k === v);
}

function legacyNotIn(key: unknown, value: unknown): boolean {
  const values = valueList(value);
  if (values === undefined || values === 'range') return false;
  if (Array.isArray(key)) return key.some((k) => !values.includes(goSprint(k)));
  return !legacyIn(key, value);
}

function numericValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return parseGoFloat(v);
  return undefined;
}

function byOp(op: string, a: number, b: number): boolean {
  switch (op) {
    case 'GreaterThan':
      return a > b;
    case 'GreaterThanOrEquals':
      return a >= b;
    case 'LessThan':
      return a < b;
    default:
      return a <= b;
  }
}

function numeric(op: string, key: unknown, value: unknown): boolean {
  const d = durationPair(key, value);
  if (d) return byOp(op, d[0], d[1]);
  const k = numericValue(key);
  const v = numericValue(value);
  if (k !== undefined && v !== undefined) return byOp(op, k, v);
  if (typeof key === 'string' && k === undefined) {
    const kq = tryQuantity(key);
    const vq = typeof value === 'string' ? tryQuantity(value) : typeof value === 'number' ? tryQuantity(String(value)) : undefined;
    if (kq && vq) return byOp(op, Number(kq.compareTo(vq)), 0);
  }
  if (k !== undefined && typeof value === 'string') {
    const kq = tryQuantity(String(key));
    const vq = tryQuantity(value);
    if (kq && vq) return byOp(op, Number(kq.compareTo(vq)), 0);
  }
  return false;
}

function durationOp(op: string, key: unknown, value: unknown): boolean {
  const secs = (v: unknown): number | undefined => {
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const d = parseDuration(v);
      return d === undefined ? undefined : durationSeconds(d);
    }
    return undefined;
  };
  const k = secs(key);
  const v = secs(value);
  if (k === undefined || v === undefined) return false;
  return byOp(op.replace('Duration', ''), k, v);
}

