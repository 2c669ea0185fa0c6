/**
 * The function table of Kyverno's JMESPath: the standard functions (JMESPath Community
 * edition) with Kyverno's replacements (`items`, `replace`, `split`, `sum`, `trim` take
 * Kyverno's arguments) and Kyverno's own functions (strings, regular expressions,
 * arithmetic on numbers, quantities and durations, time, encoding, lookups).
 *
 * Regular expressions use RE2 syntax, as in Go: matching runs on the linear-time engine of
 * the CEL module; replacement (which needs capture groups) translates the pattern to a
 * JavaScript RegExp after RE2 has validated it, on bounded input.
 */
import { parse as parseYaml } from 'yaml';
import { compileRegex, regexMatches } from '../cel/regex.js';
import { Semver } from '../cel/semver.js';
import { formatDuration, parseDuration } from './duration.js';
import { deepEqual, isExpressionRef, jmesType, JmesPathError, type EvalState, type ExpressionRef } from './jmespath-values.js';
import type { Quantity } from '../cel/quantity.js';
import { tryQuantity } from './value-pattern.js';
import { canonicalQuantity, quantityFormatOf, type QuantityFormat } from './quantity-format.js';
import { wildcardMatch } from './wildcard.js';
import { imageInfo } from './images.js';

export interface JmesFunction {
  min: number;
  /** undefined = variadic */
  max?: number;
  fn(args: unknown[], state: EvalState): unknown;
}

/** Longest string a regex replacement runs on; RE2-validated patterns still backtrack in V8. */
const MAX_REGEX_INPUT = 100_000;
const MAX_REGEX_PATTERN = 2_000;

function typeError(fn: string, argIndex: number, want: string, got: unknown): JmesPathError {
  return new JmesPathError('type', `invalid type for function ${fn}(): argument ${argIndex + 1} must be ${want}, got ${jmesType(got)}`);
}

function str(fn: string, args: unknown[], i: number): string {
  const v = args[i];
  if (typeof v !== 'string') throw typeError(fn, i, 'a string', v);
  return v;
}

function num(fn: string, args: unknown[], i: number): number {
  const v = args[i];
  if (typeof v !== 'number') throw typeError(fn, i, 'a number', v);
  return v;
}

function arr(fn: string, args: unknown[], i: number): unknown[] {
  const v = args[i];
  if (!Array.isArray(v)) throw typeError(fn, i, 'an array', v);
  return v;
}

function obj(fn: string, args: unknown[], i: number): Record<string, unknown> {
  const v = args[i];
  if (v === null || typeof v !== 'object' || Array.isArray(v) || isExpressionRef(v)) throw typeError(fn, i, 'an object', v);
  return v as Record<string, unknown>;
}

function ref(fn: string, args: unknown[], i: number): ExpressionRef {
  const v = args[i];
  if (!isExpressionRef(v)) throw typeError(fn, i, 'an expression (&expr)', v);
  return v;
}

/** Kyverno's ifaceToString: strings, numbers (float32 formatting), booleans. */
function scalarString(fn: string, args: unknown[], i: number): string {
  const v = args[i];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(Math.fround(v) === v ? v : Number(Math.fround(v).toPrecision(7)));
  if (typeof v === 'boolean') return String(v);
  throw typeError(fn, i, 'a string or a number', v);
}

function intArg(fn: string, v: number, what: string): number {
  if (!Number.isInteger(v)) throw new JmesPathError('type', `invalid value, the function '${fn}' expects its '${what}' argument to be an integer.`);
  return v;
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new JmesPathError('type', `cannot compare ${jmesType(a)} with ${jmesType(b)}`);
}

function sortValues(values: unknown[]): unknown[] {
  if (values.length === 0) return [];
  const allNum = values.every((v) => typeof v === 'number');
  const allStr = values.every((v) => typeof v === 'string');
  if (!allNum && !allStr) throw new JmesPathError('type', 'sort() needs an array of only numbers or only strings');
  return [...values].sort(compareValues);
}

function byKey(fn: string, args: unknown[], state: EvalState): { list: unknown[]; key: (v: unknown) => unknown } {
  const list = arr(fn, args, 0);
  const r = ref(fn, args, 1);
  return { list, key: (v) => state.callRef(r, v) };
}

// --- regular expressions -------------------------------------------------------------

/** RE2 syntax → JavaScript RegExp (after RE2 validated it). */
export function re2ToJs(pattern: string, global: boolean): RegExp {
  if (pattern.length > MAX_REGEX_PATTERN) throw new JmesPathError('limit', `regular expression longer than ${MAX_REGEX_PATTERN} characters`);
  try {
    compileRegex(pattern);
  } catch (e) {
    throw new JmesPathError('function', (e as Error).message);
  }
  let src = pattern;
  let flags = global ? 'gu' : 'u';
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    src = src.slice(lead[0].length);
    for (const f of lead[1]!) if (f !== 'U' && !flags.includes(f)) flags += f;
  }
  src = src
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\\Q([\s\S]*?)(\\E|$)/g, (_, q: string) => q.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'));
  try {
    return new RegExp(src, flags);
  } catch (e) {
    throw new JmesPathError('function', `regular expression not supported here: ${(e as Error).message}`);
  }
}

/** Go's regexp Expand template: $1, ${1}, $name, ${name}, $$. */
function expandTemplate(template: string, groups: (string | undefined)[], named: Record<string, string | undefined> | undefined): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_, all: string, braced?: string, bare?: string) => {
    if (all === '$') return '$';
    const name = braced ?? bare ?? '';
    if (/^\d+$/.test(name)) return groups[Number(name)] ?? '';
    return named?.[name] ?? '';
  });
}

function regexReplaceAll(fn: string, args: unknown[], literal: boolean): string {
  const pattern = str(fn, args, 0);
  const src = scalarString(fn, args, 1);
  const repl = scalarString(fn, args, 2);
  if (src.length > MAX_REGEX_INPUT) throw new JmesPathError('limit', `${fn}(): input longer than ${MAX_REGEX_INPUT} characters`);
  const re = re2ToJs(pattern, true);
  return src.replace(re, (...m: unknown[]) => {
    if (literal) return repl;
    const hasNamed = typeof m[m.length - 1] === 'object' && m[m.length - 1] !== null;
    const named = hasNamed ? (m[m.length - 1] as Record<string, string | undefined>) : undefined;
    const groups = m.slice(0, hasNamed ? -3 : -2) as (string | undefined)[];
    return expandTemplate(repl, groups, named);
  });
}

// --- arithmetic on numbers, quantities and durations ------------------------------------

type Operand =
  | { t: 'n'; v: number }
  | { t: 'q'; v: Quantity; f: QuantityFormat }
  | { t: 'd'; v: bigint };

function operand(fn: string, args: unknown[], i: number): Operand {
  const v = args[i];
  if (typeof v === 'number') return { t: 'n', v };
  if (typeof v === 'string') {
    const q = tryQuantity(v);
    if (q) return { t: 'q', v: q, f: quantityFormatOf(v) };
    const d = parseDuration(v);
    if (d !== undefined) return { t: 'd', v: d };
  }
  throw new JmesPathError('function', `JMESPath function '${fn}': invalid operands`);
}

function mismatch(fn: string): JmesPathError {
  return new JmesPathError('type', `JMESPath function '${fn}': types mismatch`);
}

function zeroDivisor(fn: string): JmesPathError {
  return new JmesPathError('function', `JMESPath function '${fn}': Zero divisor passed`);
}

/** An exact decimal (mantissa × 10^exp) of a JSON number, via its shortest text. */
function decimalOf(n: number): { m: bigint; e: number } {
  const q = tryQuantity(String(n));
  if (!q) throw new JmesPathError('function', `cannot use ${n} in quantity arithmetic`);
  return q.decimal;
}

function quantityOf(m: bigint, e: number): Quantity {
  const q = tryQuantity(`${m}e${e}`);
  if (!q) throw new JmesPathError('function', 'quantity out of range');
  return q;
}

function addOrSub(fn: string, args: unknown[], sign: 1 | -1): unknown {
  const a = operand(fn, args, 0);
  const b = operand(fn, args, 1);
  if (a.t === 'n' && b.t === 'n') return a.v + sign * b.v;
  if (a.t === 'q' && b.t === 'q') return canonicalQuantity(sign === 1 ? a.v.add(b.v) : a.v.sub(b.v), a.f);
  if (a.t === 'd' && b.t === 'd') return formatDuration(sign === 1 ? a.v + b.v : a.v - b.v);
  throw mismatch(fn);
}

function scaleDuration(d: bigint, factor: number): string {
  return formatDuration(BigInt(Math.trunc((Number(d) / 1e9) * factor * 1e9)));
}

function multiply(args: unknown[]): unknown {
  const a = operand('multiply', args, 0);
  const b = operand('multiply', args, 1);
  if (a.t === 'n' && b.t === 'n') return a.v * b.v;
  const [x, s] = a.t === 'n' ? [b, a.v] : b.t === 'n' ? [a, b.v] : [undefined, 0];
  if (!x) throw mismatch('multiply');
  if (x.t === 'd') return scaleDuration(x.v, s);
  if (x.t === 'q') {
    const p = x.v.decimal;
    const k = decimalOf(s);
    return canonicalQuantity(quantityOf(p.m * k.m, p.e + k.e), x.f);
  }
  throw mismatch('multiply');
}

function divide(args: unknown[]): unknown {
  const a = operand('divide', args, 0);
  const b = operand('divide', args, 1);
  if (a.t === 'n' && b.t === 'n') {
    if (b.v === 0) throw zeroDivisor('divide');
    return a.v / b.v;
  }
  if (a.t === 'q' && b.t === 'q') {
    const d = b.v.asApproximateFloat();
    if (d === 0) throw zeroDivisor('divide');
    return a.v.asApproximateFloat() / d;
  }
  if (a.t === 'd' && b.t === 'd') {
    if (b.v === 0n) throw zeroDivisor('divide');
    return Number(a.v) / Number(b.v);
  }
  if (a.t === 'd' && b.t === 'n') {
    if (b.v === 0) throw zeroDivisor('divide');
    return scaleDuration(a.v, 1 / b.v);
  }
  if (a.t === 'q' && b.t === 'n') {
    if (b.v === 0) throw zeroDivisor('divide');
    // Kubernetes divides exactly and rounds down at the larger of the two scales.
    const p = a.v.decimal;
    const k = decimalOf(b.v);
    const scale = Math.max(-p.e, -k.e, 0);
    const num = p.m * 10n ** BigInt(Math.max(0, p.e - k.e + scale));
    const den = k.m * 10n ** BigInt(Math.max(0, -(p.e - k.e + scale)));
    return canonicalQuantity(quantityOf(num / den, -scale), a.f);
  }
  throw mismatch('divide');
}

function modulo(args: unknown[]): unknown {
  const a = operand('modulo', args, 0);
  const b = operand('modulo', args, 1);
  const nonInt = () => new JmesPathError('function', "JMESPath function 'modulo': Non-integer argument(s) passed for modulo");
  if (a.t === 'n' && b.t === 'n') {
    if (!Number.isInteger(a.v) || !Number.isInteger(b.v)) throw nonInt();
    if (b.v === 0) throw zeroDivisor('modulo');
    return a.v % b.v;
  }
  if (a.t === 'd' && b.t === 'd') {
    if (b.v === 0n) throw zeroDivisor('modulo');
    return formatDuration(a.v % b.v);
  }
  if (a.t === 'q' && b.t === 'q') {
    const x = a.v.decimal;
    const y = b.v.decimal;
    if (x.e < 0 || y.e < 0) {
      const xi = a.v.asInt64();
      const yi = b.v.asInt64();
      if (xi === undefined || yi === undefined) throw nonInt();
    }
    const xv = x.m * 10n ** BigInt(Math.max(x.e, 0));
    const yv = y.m * 10n ** BigInt(Math.max(y.e, 0));
    if ((x.e < 0 && x.m % 10n ** BigInt(-x.e) !== 0n) || (y.e < 0 && y.m % 10n ** BigInt(-y.e) !== 0n)) throw nonInt();
    const xs = x.e < 0 ? x.m / 10n ** BigInt(-x.e) : xv;
    const ys = y.e < 0 ? y.m / 10n ** BigInt(-y.e) : yv;
    if (ys === 0n) throw zeroDivisor('modulo');
    return canonicalQuantity(quantityOf(xs % ys, 0), a.f);
  }
  throw mismatch('modulo');
}

// --- semantic versions (blang/semver ranges) --------------------------------------------

function semverRange(range: string): (v: Semver) => boolean {
  const alternatives = range.split('||').map((alt) => alt.trim().split(/\s+/).filter(Boolean));
  const tests = alternatives.map((parts) =>
    parts.map((part) => {
      const m = /^(>=|<=|!=|==|=|>|<|!)?(.+)$/.exec(part);
      if (!m) throw new JmesPathError('function', `Could not parse Range "${range}"`);
      const op = m[1] ?? '=';
      let target: Semver;
      try {
        target = Semver.parse(m[2]!);
      } catch (e) {
        throw new JmesPathError('function', `Could not parse Range "${range}": ${(e as Error).message}`);
      }
      return (v: Semver) => {
        const c = Number(v.compareTo(target));
        switch (op) {
          case '>':
            return c > 0;
          case '>=':
            return c >= 0;
          case '<':
            return c < 0;
          case '<=':
            return c <= 0;
          case '!':
          case '!=':
            return c !== 0;
          default:
            return c === 0;
        }
      };
    }),
  );
  return (v) => tests.some((all) => all.every((t) => t(v)));
}

// --- time -------------------------------------------------------------------------------

function parseRfc3339(fn: string, s: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s)) {
    throw new JmesPathError('function', `JMESPath function '${fn}': parsing time "${s}" as RFC 3339 failed`);
  }
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new JmesPathError('function', `JMESPath function '${fn}': parsing time "${s}" failed`);
  return d;
}

/** RFC 3339 as Go prints it: seconds precision, Z for UTC. */
export function formatRfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const GO_LAYOUT_TOKENS: [string, string][] = [
  ['January', '(?<monthLong>[A-Za-z]+)'],
  ['Jan', '(?<monthShort>[A-Za-z]{3})'],
  ['Monday', '[A-Za-z]+'],
  ['Mon', '[A-Za-z]{3}'],
  ['2006', '(?<year>\\d{4})'],
  ['Z07:00', '(?<tz>Z|[+-]\\d{2}:\\d{2})'],
  ['-07:00', '(?<tz>[+-]\\d{2}:\\d{2})'],
  ['-0700', '(?<tzc>[+-]\\d{4})'],
  ['MST', '(?<tzn>[A-Z]{3,4})'],
  ['.000000000', '(?<frac>\\.\\d{9})'],
  ['.000000', '(?<frac>\\.\\d{6})'],
  ['.000', '(?<frac>\\.\\d{3})'],
  ['.999999999', '(?<frac>\\.\\d+)?'],
  ['01', '(?<month>\\d{2})'],
  ['02', '(?<day>\\d{2})'],
  ['_2', ' ?(?<day>\\d{1,2})'],
  ['15', '(?<hour>\\d{2})'],
  ['03', '(?<hour12>\\d{2})'],
  ['04', '(?<minute>\\d{2})'],
  ['05', '(?<second>\\d{2})'],
  ['06', '(?<year2>\\d{2})'],
  ['PM', '(?<ampm>AM|PM)'],
  ['1', '(?<month>\\d{1,2})'],
  ['2', '(?<day>\\d{1,2})'],
  ['3', '(?<hour12>\\d{1,2})'],
  ['4', '(?<minute>\\d{1,2})'],
  ['5', '(?<second>\\d{1,2})'],
];

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Parses `value` with a Go reference layout ("2006-01-02T15:04:05Z07:00"). */
export function parseGoTime(fn: string, layout: string, value: string): Date {
  let re = '^';
  let i = 0;
  const used = new Set<string>();
  outer: while (i < layout.length) {
    for (const [tok, rx] of GO_LAYOUT_TOKENS) {
      if (layout.startsWith(tok, i)) {
        const name = /\?<(\w+)>/.exec(rx)?.[1];
        re += name && used.has(name) ? rx.replace(/\?<\w+>/, '?:') : rx;
        if (name) used.add(name);
        i += tok.length;
        continue outer;
      }
    }
    re += layout[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    i++;
  }
  const m = new RegExp(re + '$').exec(value);
  if (!m?.groups) throw new JmesPathError('function', `JMESPath function '${fn}': parsing time "${value}" as "${layout}": cannot parse`);
  const g = m.groups;
  const year = g.year ? Number(g.year) : g.year2 ? 2000 + Number(g.year2) : 0;
  let month = g.month ? Number(g.month) : 1;
  const mName = (g.monthLong ?? g.monthShort)?.slice(0, 3).toLowerCase();
  if (mName) month = MONTHS.indexOf(mName) + 1;
  let hour = g.hour ? Number(g.hour) : g.hour12 ? Number(g.hour12) % 12 : 0;
  if (g.ampm === 'PM') hour += 12;
  const frac = g.frac ? Number(g.frac) : 0;
  let offsetMin = 0;
  const tz = g.tz ?? (g.tzc ? `${g.tzc.slice(0, 3)}:${g.tzc.slice(3)}` : undefined);
  if (tz && tz !== 'Z' && tz !== 'z') offsetMin = (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)));
  const ms = Date.UTC(year, month - 1, g.day ? Number(g.day) : 1, hour, g.minute ? Number(g.minute) : 0, g.second ? Number(g.second) : 0) + Math.round(frac * 1000);
  return new Date(ms - offsetMin * 60_000);
}

function durationBetween(a: Date, b: Date): string {
  return formatDuration(BigInt(b.getTime() - a.getTime()) * 1_000_000n);
}

// --- the table -----------------------------------------------------------------------

export const FUNCTIONS: Record<string, JmesFunction> = {
  // Standard functions.
  abs: { min: 1, max: 1, fn: (a) => Math.abs(num('abs', a, 0)) },
  avg: {
    min: 1,
    max: 1,
    fn: (a) => {
      const l = arr('avg', a, 0);
      if (l.some((x) => typeof x !== 'number')) throw typeError('avg', 0, 'an array of numbers', l);
      return l.length ? (l as number[]).reduce((s, x) => s + x, 0) / l.length : null;
    },
  },
  ceil: { min: 1, max: 1, fn: (a) => Math.ceil(num('ceil', a, 0)) },
  contains: {
    min: 2,
    max: 2,
    fn: (a) => {
      const subject = a[0];
      if (typeof subject === 'string') return typeof a[1] === 'string' && subject.includes(a[1]);
      if (Array.isArray(subject)) return subject.some((x) => deepEqual(x, a[1]));
      throw typeError('contains', 0, 'an array or a string', subject);
    },
  },
  ends_with: { min: 2, max: 2, fn: (a) => str('ends_with', a, 0).endsWith(str('ends_with', a, 1)) },
  find_first: {
    min: 2,
    max: 4,
    fn: (a) => {
      const s = str('find_first', a, 0);
      const sub = str('find_first', a, 1);
      const start = a.length > 2 ? num('find_first', a, 2) : 0;
      const end = a.length > 3 ? num('find_first', a, 3) : s.length;
      const i = s.slice(0, end).indexOf(sub, Math.max(0, start));
      return i < 0 ? null : i;
    },
  },
  find_last: {
    min: 2,
    max: 4,
    fn: (a) => {
      const s = str('find_last', a, 0);
      const sub = str('find_last', a, 1);
      const start = a.length > 2 ? num('find_last', a, 2) : 0;
      const end = a.length > 3 ? num('find_last', a, 3) : s.length;
      const i = s.slice(0, end).lastIndexOf(sub);
      return i < start ? null : i;
    },
  },
  floor: { min: 1, max: 1, fn: (a) => Math.floor(num('floor', a, 0)) },
  from_items: {
    min: 1,
    max: 1,
    fn: (a) => {
      const out: Record<string, unknown> = {};
      for (const pair of arr('from_items', a, 0)) {
        if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') throw typeError('from_items', 0, 'an array of [key, value] pairs', pair);
        out[pair[0]] = pair[1];
      }
      return out;
    },
  },
  group_by: {
    min: 2,
    max: 2,
    fn: (a, s) => {
      const { list, key } = byKey('group_by', a, s);
      const out: Record<string, unknown[]> = {};
      for (const el of list) {
        const k = key(el);
        if (k === null) continue;
        if (typeof k !== 'string') throw new JmesPathError('type', 'group_by(): the expression must return a string');
        (out[k] ??= []).push(el);
      }
      return out;
    },
  },
  join: {
    min: 2,
    max: 2,
    fn: (a) => {
      const glue = str('join', a, 0);
      const l = arr('join', a, 1);
      if (l.some((x) => typeof x !== 'string')) throw typeError('join', 1, 'an array of strings', l);
      return l.join(glue);
    },
  },
  keys: { min: 1, max: 1, fn: (a) => Object.keys(obj('keys', a, 0)) },
  length: {
    min: 1,
    max: 1,
    fn: (a) => {
      const v = a[0];
      if (typeof v === 'string') return Array.from(v).length;
      if (Array.isArray(v)) return v.length;
      if (v && typeof v === 'object' && !isExpressionRef(v)) return Object.keys(v).length;
      throw typeError('length', 0, 'a string, an array or an object', v);
    },
  },
  lower: { min: 1, max: 1, fn: (a) => str('lower', a, 0).toLowerCase() },
  upper: { min: 1, max: 1, fn: (a) => str('upper', a, 0).toUpperCase() },
  map: {
    min: 2,
    max: 2,
    fn: (a, s) => {
      const r = ref('map', a, 0);
      return arr('map', a, 1).map((el) => s.callRef(r, el));
    },
  },
  max: { min: 1, max: 1, fn: (a) => sortValues(arr('max', a, 0)).at(-1) ?? null },
  min: { min: 1, max: 1, fn: (a) => sortValues(arr('min', a, 0))[0] ?? null },
  max_by: {
    min: 2,
    max: 2,
    fn: (a, s) => {
      const { list, key } = byKey('max_by', a, s);
      let best: unknown = null;
      let bestKey: unknown;
      for (const el of list) {
        const k = key(el);
        if (best === null || compareValues(k, bestKey) > 0) [best, bestKey] = [el, k];
      }
      return best;
    },
  },
  min_by: {
    min: 2,
    max: 2,
    fn: (a, s) => {
      const { list, key } = byKey('min_by', a, s);
      let best: unknown = null;
      let bestKey: unknown;
      for (const el of list) {
        const k = key(el);
        if (best === null || compareValues(k, bestKey) < 0) [best, bestKey] = [el, k];
      }
      return best;
    },
  },
  merge: { min: 0, fn: (a) => Object.assign({}, ...a.map((_, i) => obj('merge', a, i))) },
  not_null: { min: 1, fn: (a) => a.find((x) => x !== null && x !== undefined) ?? null },
  pad_left: {
    min: 2,
    max: 3,
    fn: (a) => str('pad_left', a, 0).padStart(num('pad_left', a, 1), a.length > 2 ? str('pad_left', a, 2) : ' '),
  },
  pad_right: {
    min: 2,
    max: 3,
    fn: (a) => str('pad_right', a, 0).padEnd(num('pad_right', a, 1), a.length > 2 ? str('pad_right', a, 2) : ' '),
  },
  reverse: {
    min: 1,
    max: 1,
    fn: (a) => {
      const v = a[0];
      if (typeof v === 'string') return Array.from(v).reverse().join('');
      if (Array.isArray(v)) return [...v].reverse();
      throw typeError('reverse', 0, 'an array or a string', v);
    },
  },
  sort: { min: 1, max: 1, fn: (a) => sortValues(arr('sort', a, 0)) },
  sort_by: {
    min: 2,
    max: 2,
    fn: (a, s) => {
      const { list, key } = byKey('sort_by', a, s);
      const keyed = list.map((el, i) => ({ el, k: key(el), i }));
      return keyed.sort((x, y) => compareValues(x.k, y.k) || x.i - y.i).map((x) => x.el);
    },
  },
  starts_with: { min: 2, max: 2, fn: (a) => str('starts_with', a, 0).startsWith(str('starts_with', a, 1)) },
  to_array: { min: 1, max: 1, fn: (a) => (Array.isArray(a[0]) ? a[0] : [a[0]]) },
  to_number: {
    min: 1,
    max: 1,
    fn: (a) => {
      const v = a[0];
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) return Number(v);
      return null;
    },
  },
  to_string: { min: 1, max: 1, fn: (a) => (typeof a[0] === 'string' ? a[0] : JSON.stringify(a[0] ?? null)) },
  trim_left: { min: 1, max: 2, fn: (a) => trimChars(str('trim_left', a, 0), a.length > 1 ? str('trim_left', a, 1) : undefined, true, false) },
  trim_right: { min: 1, max: 2, fn: (a) => trimChars(str('trim_right', a, 0), a.length > 1 ? str('trim_right', a, 1) : undefined, false, true) },
  type: { min: 1, max: 1, fn: (a) => jmesType(a[0]) },
  values: { min: 1, max: 1, fn: (a) => Object.values(obj('values', a, 0)) },
  zip: {
    min: 1,
    fn: (a) => {
      const lists = a.map((_, i) => arr('zip', a, i));
      const n = Math.min(...lists.map((l) => l.length));
      return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]));
    },
  },

  // Kyverno's functions (with its replacements of items, replace, split, sum, trim).
  compare: { min: 2, max: 2, fn: (a) => compareValues(str('compare', a, 0), str('compare', a, 1)) },
  equal_fold: { min: 2, max: 2, fn: (a) => str('equal_fold', a, 0).toLowerCase() === str('equal_fold', a, 1).toLowerCase() },
  replace: {
    min: 4,
    max: 4,
    fn: (a) => {
      const s = str('replace', a, 0);
      const old = str('replace', a, 1);
      const nw = str('replace', a, 2);
      const n = num('replace', a, 3);
      return goReplace(s, old, nw, Math.trunc(n));
    },
  },
  replace_all: { min: 3, max: 3, fn: (a) => goReplace(str('replace_all', a, 0), str('replace_all', a, 1), str('replace_all', a, 2), -1) },
  to_upper: { min: 1, max: 1, fn: (a) => str('to_upper', a, 0).toUpperCase() },
  to_lower: { min: 1, max: 1, fn: (a) => str('to_lower', a, 0).toLowerCase() },
  trim: { min: 1, max: 2, fn: (a) => trimChars(str('trim', a, 0), a.length > 1 ? str('trim', a, 1) : undefined, true, true) },
  trim_prefix: {
    min: 2,
    max: 2,
    fn: (a) => {
      const s = str('trim_prefix', a, 0);
      const p = str('trim_prefix', a, 1);
      return s.startsWith(p) ? s.slice(p.length) : s;
    },
  },
  split: {
    min: 2,
    max: 2,
    fn: (a) => {
      const s = str('split', a, 0);
      const sep = str('split', a, 1);
      return sep === '' ? Array.from(s) : s.split(sep);
    },
  },
  regex_replace_all: { min: 3, max: 3, fn: (a) => regexReplaceAll('regex_replace_all', a, false) },
  regex_replace_all_literal: { min: 3, max: 3, fn: (a) => regexReplaceAll('regex_replace_all_literal', a, true) },
  regex_match: {
    min: 2,
    max: 2,
    fn: (a) => {
      const pattern = str('regex_match', a, 0);
      const s = scalarString('regex_match', a, 1);
      if (pattern.length > MAX_REGEX_PATTERN) throw new JmesPathError('limit', `regular expression longer than ${MAX_REGEX_PATTERN} characters`);
      try {
        return regexMatches(compileRegex(pattern), s);
      } catch (e) {
        throw new JmesPathError('function', (e as Error).message);
      }
    },
  },
  pattern_match: { min: 2, max: 2, fn: (a) => wildcardMatch(str('pattern_match', a, 0), scalarString('pattern_match', a, 1)) },
  label_match: {
    min: 2,
    max: 2,
    fn: (a) => {
      const selector = obj('label_match', a, 0);
      const labels = obj('label_match', a, 1);
      return Object.entries(selector).every(([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && deepEqual(labels[k], v));
    },
  },
  to_boolean: {
    min: 1,
    max: 1,
    fn: (a) => {
      const s = str('to_boolean', a, 0).toLowerCase();
      if (s === 'true') return true;
      if (s === 'false') return false;
      throw new JmesPathError('function', `JMESPath function 'to_boolean': lowercase argument must be 'true' or 'false' (provided: '${a[0] as string}')`);
    },
  },
  add: { min: 2, max: 2, fn: (a) => addOrSub('add', a, 1) },
  subtract: { min: 2, max: 2, fn: (a) => addOrSub('subtract', a, -1) },
  multiply: { min: 2, max: 2, fn: (a) => multiply(a) },
  divide: { min: 2, max: 2, fn: (a) => divide(a) },
  modulo: { min: 2, max: 2, fn: (a) => modulo(a) },
  sum: {
    min: 1,
    max: 1,
    fn: (a) => {
      const items = arr('sum', a, 0);
      if (items.length === 0) throw new JmesPathError('function', "JMESPath function 'sum': at least one element in the array is required");
      let acc = items[0];
      for (const it of items.slice(1)) acc = addOrSub('sum', [acc, it], 1);
      return acc;
    },
  },
  round: {
    min: 2,
    max: 2,
    fn: (a) => {
      const v = num('round', a, 0);
      const digits = intArg('round', num('round', a, 1), 'length');
      if (digits < 0) throw new JmesPathError('function', "JMESPath function 'round': the length argument must not be negative");
      const shift = 10 ** digits;
      return Math.round(v * shift) / shift;
    },
  },
  base64_decode: {
    min: 1,
    max: 1,
    fn: (a) => {
      const s = str('base64_decode', a, 0);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new JmesPathError('function', 'illegal base64 data');
      return Buffer.from(s, 'base64').toString('utf8');
    },
  },
  base64_encode: { min: 1, max: 1, fn: (a) => Buffer.from(str('base64_encode', a, 0), 'utf8').toString('base64') },
  path_canonicalize: { min: 1, max: 1, fn: (a) => goPathJoin(str('path_canonicalize', a, 0)) },
  truncate: {
    min: 2,
    max: 2,
    fn: (a) => {
      const s = str('truncate', a, 0);
      const n = Math.max(0, Math.trunc(num('truncate', a, 1)));
      return Array.from(s).slice(0, n).join('');
    },
  },
  semver_compare: {
    min: 2,
    max: 2,
    fn: (a) => {
      let v: Semver;
      try {
        v = Semver.parse(str('semver_compare', a, 0));
      } catch {
        v = Semver.parse('0.0.0');
      }
      return semverRange(str('semver_compare', a, 1))(v);
    },
  },
  parse_json: {
    min: 1,
    max: 1,
    fn: (a) => {
      try {
        return JSON.parse(str('parse_json', a, 0)) as unknown;
      } catch (e) {
        throw new JmesPathError('function', `JMESPath function 'parse_json': ${(e as Error).message}`);
      }
    },
  },
  parse_yaml: {
    min: 1,
    max: 1,
    fn: (a) => {
      try {
        return (parseYaml(str('parse_yaml', a, 0), { maxAliasCount: 100 }) as unknown) ?? null;
      } catch (e) {
        throw new JmesPathError('function', `JMESPath function 'parse_yaml': ${(e as Error).message}`);
      }
    },
  },
  lookup: {
    min: 2,
    max: 2,
    fn: (a) => {
      const c = a[0];
      if (Array.isArray(c)) {
        const i = num('lookup', a, 1);
        intArg('lookup', i, 'index');
        return i < 0 || i >= c.length ? null : c[i];
      }
      const o = obj('lookup', a, 0);
      const k = str('lookup', a, 1);
      return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : null;
    },
  },
  items: {
    min: 3,
    max: 3,
    fn: (a) => {
      const keyName = str('items', a, 1);
      const valName = str('items', a, 2);
      const c = a[0];
      if (Array.isArray(c)) return c.map((v, i) => ({ [keyName]: i, [valName]: v }));
      const o = obj('items', a, 0);
      return Object.keys(o)
        .sort()
        .map((k) => ({ [keyName]: k, [valName]: o[k] }));
    },
  },
  object_from_lists: {
    min: 2,
    max: 2,
    fn: (a) => {
      const keys = arr('object_from_lists', a, 0);
      const values = arr('object_from_lists', a, 1);
      const out: Record<string, unknown> = {};
      keys.forEach((k, i) => {
        out[scalarString('object_from_lists', keys, i)] = i < values.length ? values[i] : null;
        void k;
      });
      return out;
    },
  },
  image_normalize: {
    min: 1,
    max: 1,
    fn: (a) => {
      const info = imageInfo(str('image_normalize', a, 0));
      if (!info) throw new JmesPathError('function', `JMESPath function 'image_normalize': bad image: ${a[0] as string}`);
      return info.reference;
    },
  },
  random: {
    min: 1,
    max: 1,
    fn: () => {
      throw new JmesPathError('function', "JMESPath function 'random' is not supported offline: its result is not reproducible");
    },
  },
  x509_decode: {
    min: 1,
    max: 1,
    fn: () => {
      throw new JmesPathError('function', "JMESPath function 'x509_decode' is not supported by Palisade");
    },
  },
  time_now: { min: 0, max: 0, fn: () => formatRfc3339(new Date()) },
  time_now_utc: { min: 0, max: 0, fn: () => formatRfc3339(new Date()) },
  time_utc: { min: 1, max: 1, fn: (a) => formatRfc3339(parseRfc3339('time_utc', str('time_utc', a, 0))) },
  time_add: {
    min: 2,
    max: 2,
    fn: (a) => {
      const t = parseRfc3339('time_add', str('time_add', a, 0));
      const d = parseDuration(str('time_add', a, 1));
      if (d === undefined) throw new JmesPathError('function', `JMESPath function 'time_add': invalid duration ${JSON.stringify(a[1])}`);
      return formatRfc3339(new Date(t.getTime() + Number(d / 1_000_000n)));
    },
  },
  time_after: { min: 2, max: 2, fn: (a) => parseRfc3339('time_after', str('time_after', a, 0)) > parseRfc3339('time_after', str('time_after', a, 1)) },
  time_before: { min: 2, max: 2, fn: (a) => parseRfc3339('time_before', str('time_before', a, 0)) < parseRfc3339('time_before', str('time_before', a, 1)) },
  time_between: {
    min: 3,
    max: 3,
    fn: (a) => {
      const t = parseRfc3339('time_between', str('time_between', a, 0));
      return t > parseRfc3339('time_between', str('time_between', a, 1)) && t < parseRfc3339('time_between', str('time_between', a, 2));
    },
  },
  time_diff: {
    min: 2,
    max: 2,
    fn: (a) => durationBetween(parseRfc3339('time_diff', str('time_diff', a, 0)), parseRfc3339('time_diff', str('time_diff', a, 1))),
  },
  time_since: {
    min: 3,
    max: 3,
    fn: (a) => {
      const layout = str('time_since', a, 0);
      const parse = (s: string) => (layout === '' ? parseRfc3339('time_since', s) : parseGoTime('time_since', layout, s));
      const start = parse(str('time_since', a, 1));
      const endStr = str('time_since', a, 2);
      return durationBetween(start, endStr === '' ? new Date() : parse(endStr));
    },
  },
  time_parse: { min: 2, max: 2, fn: (a) => formatRfc3339(parseGoTime('time_parse', str('time_parse', a, 0), str('time_parse', a, 1))) },
  time_truncate: {
    min: 2,
    max: 2,
    fn: (a) => {
      const t = parseRfc3339('time_truncate', str('time_truncate', a, 0));
      const d = parseDuration(str('time_truncate', a, 1));
      if (d === undefined) throw new JmesPathError('function', `JMESPath function 'time_truncate': invalid duration ${JSON.stringify(a[1])}`);
      const ms = Number(d / 1_000_000n);
      return formatRfc3339(ms <= 0 ? t : new Date(Math.floor(t.getTime() / ms) * ms));
    },
  },
  time_to_cron: {
    min: 1,
    max: 1,
    fn: (a) => {
      const t = parseRfc3339('time_to_cron', str('time_to_cron', a, 0));
      return `${t.getUTCMinutes()} ${t.getUTCHours()} ${t.getUTCDate()} ${t.getUTCMonth() + 1} ${t.getUTCDay()}`;
    },
  },
};

/** strings.Replace(s, old, new, n) with n < 0 meaning all. */
function goReplace(s: string, old: string, nw: string, n: number): string {
  if (n === 0 || old === nw) return s;
  if (old === '') {
    const chars = Array.from(s);
    let out = '';
    let count = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (n < 0 || count < n) {
        out += nw;
        count++;
      }
      if (i < chars.length) out += chars[i];
    }
    return out;
  }
  let out = '';
  let rest = s;
  let count = 0;
  for (;;) {
    const i = rest.indexOf(old);
    if (i < 0 || (n >= 0 && count >= n)) break;
    out += rest.slice(0, i) + nw;
    rest = rest.slice(i + old.length);
    count++;
  }
  return out + rest;
}

function trimChars(s: string, cutset: string | undefined, left: boolean, right: boolean): string {
  const set = new Set(Array.from(cutset ?? ' \t\n\r\v\f'));
  const chars = Array.from(s);
  let a = 0;
  let b = chars.length;
  if (left) while (a < b && set.has(chars[a]!)) a++;
  if (right) while (b > a && set.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

/** Go's filepath.Join on one element (Clean): collapses slashes, resolves . and .. */
function goPathJoin(p: string): string {
  if (p === '') return '';
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  return abs ? '/' + joined : joined || '.';
}

