/**
 * Matching one resource value against one leaf of a Kyverno pattern, with Kyverno's value
 * operators: `>`, `<`, `>=`, `<=`, `!` (not), `|` (or), `&` (and), ranges `a-b` and
 * `a!-b` (outside), wildcards `*`/`?`, and quantity ("1Gi") and duration ("30s")
 * comparison. Typed pattern leaves (numbers, booleans, null) compare by type first.
 */
import { Quantity } from '../cel/quantity.js';
import { parseDuration } from './duration.js';
import { wildcardMatch } from './wildcard.js';

export type ValueOperator = '' | '>=' | '<=' | '>' | '<' | '!' | '-' | '!-';

const NOT_IN_RANGE = /^(\d+(\.\d+)?)([^-]*)!-(\d+(\.\d+)?)([^-]*)$/;
const IN_RANGE = /^(\d+(\.\d+)?)([^-]*)-(\d+(\.\d+)?)([^-]*)$/;

export function operatorOf(pattern: string): ValueOperator {
  if (pattern.length < 2) return '';
  for (const op of ['>=', '<=', '>', '<', '!'] as const) if (pattern.startsWith(op)) return op;
  if (NOT_IN_RANGE.test(pattern)) return '!-';
  if (IN_RANGE.test(pattern)) return '-';
  return '';
}

/** Validates a resource value against a pattern leaf (Kyverno's pattern.Validate). */
export function matchValue(value: unknown, pattern: unknown): boolean {
  if (typeof pattern === 'boolean') return typeof value === 'boolean' && value === pattern;
  if (typeof pattern === 'number') return Number.isInteger(pattern) ? matchInt(value, pattern) : matchFloat(value, pattern);
  if (pattern === null || pattern === undefined) return matchNil(value);
  if (Array.isArray(pattern)) return false; // arrays are not value patterns
  if (typeof pattern === 'object') return isPlainObject(value); // only the type is checked
  if (typeof pattern === 'string') return matchStringPatterns(value, pattern);
  return false;
}

function matchInt(value: unknown, pattern: number): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && value === pattern;
  if (typeof value === 'string') return /^[+-]?\d+$/.test(value) && Number(value) === pattern;
  return false;
}

function matchFloat(value: unknown, pattern: number): boolean {
  if (typeof value === 'number') return value === pattern;
  if (typeof value === 'string') {
    const f = parseGoFloat(value);
    return f !== undefined && f === pattern;
  }
  return false;
}

function matchNil(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'number') return value === 0;
  if (typeof value === 'string') return value === '';
  if (typeof value === 'boolean') return !value;
  return false;
}

function matchStringPatterns(value: unknown, pattern: string): boolean {
  if (value === pattern) return true;
  for (const alternative of pattern.split('|')) {
    const conj = alternative.trim().split('&');
    if (conj.every((c) => matchStringPattern(value, c.trim()))) return true;
  }
  return false;
}

function matchStringPattern(value: unknown, pattern: string): boolean {
  const op = operatorOf(pattern);
  if (op === '-') {
    const [lo, hi] = pattern.split('-');
    return matchStringPattern(value, `>= ${lo}`) && matchStringPattern(value, `<= ${hi}`);
  }
  if (op === '!-') {
    const [lo, hi] = pattern.split('!-');
    return matchStringPattern(value, `< ${lo}`) || matchStringPattern(value, `> ${hi}`);
  }
  const operand = pattern.slice(op.length).trim();
  return compareDurations(value, operand, op) || compareQuantities(value, operand, op) || compareStrings(value, operand, op);
}

function byOperator(cmp: number, op: ValueOperator): boolean {
  switch (op) {
    case '':
      return cmp === 0;
    case '!':
      return cmp !== 0;
    case '>':
      return cmp > 0;
    case '<':
      return cmp < 0;
    case '>=':
      return cmp >= 0;
    case '<=':
      return cmp <= 0;
    default:
      return false;
  }
}

function compareDurations(value: unknown, pattern: string, op: ValueOperator): boolean {
  if (typeof value !== 'string') return false;
  const p = parseDuration(pattern);
  const v = parseDuration(value);
  if (p === undefined || v === undefined) return false;
  return byOperator(v === p ? 0 : v > p ? 1 : -1, op);
}

export function tryQuantity(s: string): Quantity | undefined {
  try {
    return Quantity.parse(s);
  } catch {
    return undefined;
  }
}

function compareQuantities(value: unknown, pattern: string, op: ValueOperator): boolean {
  const p = tryQuantity(pattern);
  if (!p) return false;
  const vs = numberToString(value);
  if (vs === undefined) return false;
  const v = tryQuantity(vs);
  if (!v) return false;
  return byOperator(Number(v.compareTo(p)), op);
}

function compareStrings(value: unknown, pattern: string, op: ValueOperator): boolean {
  if (op !== '' && op !== '!') return false; // ordering operators do not apply to strings
  let s: string;
  if (typeof value === 'string') s = value;
  else if (typeof value === 'boolean') s = String(value);
  else if (typeof value === 'number') s = Number.isInteger(value) ? integerString(value) : goFloatE(value);
  else return false;
  const matched = wildcardMatch(pattern, s);
  return op === '!' ? !matched : matched;
}

/** Kyverno's convertNumberToString: nil is "0", floats print with six decimals. */
function numberToString(value: unknown): string | undefined {
  if (value === null || value === undefined) return '0';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? integerString(value) : value.toFixed(6);
  return undefined;
}

function integerString(n: number): string {
  return Number.isSafeInteger(n) ? BigInt(n).toString() : n.toFixed(0);
}

/** strconv.FormatFloat(v, 'E', -1, 64): "1.5E+00". */
export function goFloatE(v: number): string {
  const [mant, exp] = v.toExponential().split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
  return `${mant}E${sign}${digits}`;
}

/** strconv.ParseFloat's accepted forms (decimal, exponent, inf, nan); undefined when invalid. */
export function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  return undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
