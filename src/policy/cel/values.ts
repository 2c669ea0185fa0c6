/**
 * CEL values in JavaScript, as @marcbachmann/cel-js represents them: int = bigint,
 * uint = UnsignedInt, double = number, string, bool, null, bytes = Uint8Array,
 * list = Array, map = plain object or Map, timestamp = Date, duration = Duration,
 * plus our extension types (Quantity, IPAddr, CIDR, ParsedURL, Semver, NamedFormat).
 *
 * Input rule (documented in docs and index.ts): objects decoded from YAML/JSON arrive
 * with plain JavaScript numbers, and YAML does not keep `1` apart from `1.0` once parsed.
 * An integral number within the int64 range therefore becomes a CEL int; any other number
 * (fractional, NaN, ±Infinity, or beyond int64) stays a CEL double. bigint values become
 * CEL ints when they fit int64, doubles otherwise. Kubernetes would use the field's
 * OpenAPI type instead; for `type: number` fields holding whole numbers this means
 * `object.x == 1` is true here and in Kubernetes alike (heterogeneous equality) but
 * `type(object.x)` says int rather than double.
 */
import { EvaluationError, evaluate as celEvaluate, Optional } from '@marcbachmann/cel-js';
import { charge } from './cost.js';

type Ctor = abstract new (...args: never[]) => unknown;

/** Runtime classes of cel-js that the package does not export by name. */
export const UnsignedInt = (celEvaluate('1u') as object).constructor as Ctor & { prototype: { valueOf(): bigint } };
export const Duration = (celEvaluate('duration("1s")') as object).constructor as Ctor;
export const CelType = (celEvaluate('int') as object).constructor as Ctor;

export interface UintValue {
  valueOf(): bigint;
}

export function isUint(v: unknown): v is UintValue {
  return v instanceof UnsignedInt;
}

const MAX_INT = (1n << 63n) - 1n;
const MIN_INT = -(1n << 63n);

export function fail(message: string): never {
  throw new EvaluationError(message);
}

const PREPARED = new WeakSet<object>();

/** Converts a JSON/YAML-decoded value to CEL values (see the rule above). */
export function toCelValue(v: unknown, depth = 0): unknown {
  if (depth > 200) fail('input nests deeper than 200 levels');
  switch (typeof v) {
    case 'number':
      if (Number.isInteger(v) && v >= -9223372036854775808 && v < 9223372036854775808) return BigInt(v);
      return v;
    case 'bigint':
      return v >= MIN_INT && v <= MAX_INT ? v : Number(v);
    case 'string':
    case 'boolean':
      return v;
    case 'undefined':
      return null;
    case 'object': {
      if (v === null) return null;
      if (PREPARED.has(v)) return v;
      if (Array.isArray(v)) {
        const out = v.map((e) => toCelValue(e, depth + 1));
        PREPARED.add(out);
        return out;
      }
      if (v instanceof Map) {
        const out = new Map<unknown, unknown>();
        for (const [k, e] of v) if (e !== undefined) out.set(toCelValue(k, depth + 1), toCelValue(e, depth + 1));
        PREPARED.add(out);
        return out;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto === Object.prototype || proto === null) {
        const out: Record<string, unknown> = Object.create(null);
        for (const k of Object.keys(v)) {
          const e = (v as Record<string, unknown>)[k];
          if (e !== undefined) out[k] = toCelValue(e, depth + 1);
        }
        PREPARED.add(out);
        return out;
      }
      return v; // Date, Uint8Array, CEL runtime values
    }
    default:
      fail(`unsupported input value of type ${typeof v}`);
  }
}

/** Converts a CEL result back to plain JSON-friendly JavaScript (ints as numbers when safe). */
export function fromCelValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (isUint(v)) return fromCelValue(v.valueOf());
  if (Array.isArray(v)) return v.map(fromCelValue);
  if (v instanceof Optional) return v.hasValue() ? fromCelValue(v.value()) : null;
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, e] of v) out[String(k)] = fromCelValue(e);
    return out;
  }
  if (v !== null && typeof v === 'object' && (Object.getPrototypeOf(v) === null || Object.getPrototypeOf(v) === Object.prototype)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = fromCelValue((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const p = Object.getPrototypeOf(v);
  return p === null || p === Object.prototype;
}

export function mapEntries(v: unknown): [unknown, unknown][] | undefined {
  if (v instanceof Map) return [...v.entries()];
  if (isPlainMap(v)) return Object.keys(v).map((k) => [k, v[k]]);
  return undefined;
}

function numeric(v: unknown): { kind: 'int' | 'uint' | 'double'; n: bigint | number } | undefined {
  if (typeof v === 'bigint') return { kind: 'int', n: v };
  if (typeof v === 'number') return { kind: 'double', n: v };
  if (isUint(v)) return { kind: 'uint', n: v.valueOf() };
  return undefined;
}

function compareNumeric(a: bigint | number, b: bigint | number): number {
  if (typeof a === 'number' && Number.isNaN(a)) return NaN;
  if (typeof b === 'number' && Number.isNaN(b)) return NaN;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  // Mixed int/double: compare exactly.
  const [x, y, flip] = typeof a === 'number' ? [a, b as bigint, 1] : [b as number, a as bigint, -1];
  if (x === Infinity) return flip;
  if (x === -Infinity) return -flip;
  const fx = Math.floor(x);
  const bx = BigInt(fx);
  const c = bx < y ? -1 : bx > y ? 1 : x > fx ? 1 : 0;
  return c * flip;
}

interface Equatable {
  equals(o: unknown): boolean;
}

/** CEL equality with heterogeneous numeric equality (1 == 1u == 1.0). */
export function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== 'number' || !Number.isNaN(a);
  const na = numeric(a);
  const nb = numeric(b);
  if (na && nb) return compareNumeric(na.n, nb.n) === 0;
  if (na || nb) return false;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    charge(1);
    return a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  const ea = mapEntries(a);
  const eb = mapEntries(b);
  if (ea && eb) {
    if (ea.length !== eb.length) return false;
    charge(1);
    return ea.every(([k, v]) => {
      const hit = eb.find(([k2]) => celEquals(k, k2));
      return hit !== undefined && celEquals(v, hit[1]);
    });
  }
  if (a.constructor === b.constructor && typeof (a as Partial<Equatable>).equals === 'function') return (a as Equatable).equals(b);
  if (a.constructor === b.constructor && a instanceof Duration) return String(a) === String(b);
  return false;
}

/** Ordering for comparable CEL values (numbers across types, strings, bools, bytes, timestamps, durations). */
export function celCompare(a: unknown, b: unknown): number {
  const na = numeric(a);
  const nb = numeric(b);
  if (na && nb) {
    const c = compareNumeric(na.n, nb.n);
    if (Number.isNaN(c)) fail('NaN values cannot be ordered');
    return c;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    // CEL orders strings by code point; JS compares UTF-16 units, which differs only
    // for astral characters against U+E000..U+FFFF.
    return compareCodePoints(a, b);
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
  }
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (a instanceof Duration && b instanceof Duration) return Math.sign(Number(a) - Number(b));
  fail(`no such overload: values of type ${celTypeName(a)} and ${celTypeName(b)} are not comparable`);
}

function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!.codePointAt(0)!;
    const q = y[i]!.codePointAt(0)!;
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

export function celTypeName(v: unknown): string {
  if (v === null) return 'null_type';
  switch (typeof v) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
  }
  if (isUint(v)) return 'uint';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Date) return 'google.protobuf.Timestamp';
  if (v instanceof Duration) return 'google.protobuf.Duration';
  if (v instanceof Optional) return 'optional_type';
  if (mapEntries(v)) return 'map';
  return (v as object).constructor?.name ?? 'unknown';
}

/** Protobuf zero values, for optional.ofNonZeroValue. */
export function isZeroValue(v: unknown): boolean {
  if (v === null || v === false || v === '' || v === 0 || v === 0n) return true;
  if (isUint(v)) return v.valueOf() === 0n;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length === 0;
  if (v instanceof Date) return v.getTime() === 0;
  if (v instanceof Duration) return Number(v) === 0;
  const e = mapEntries(v);
  if (e) return e.length === 0;
  return false;
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64), which cel-go uses for double → string. */
export function goFormatG(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, expStr] = x.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  // With shortest formatting Go switches to %e when the exponent is < -4 or >= 6.
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${neg ? '-' : ''}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  let out: string;
  if (exp < 0) out = '0.' + '0'.repeat(-exp - 1) + digits;
  else if (digits.length <= exp + 1) out = digits + '0'.repeat(exp + 1 - digits.length);
  else out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  return (neg ? '-' : '') + out;
}
