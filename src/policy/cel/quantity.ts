/**
 * Kubernetes resource quantities (`k8s.io/apimachinery/pkg/api/resource`), as the CEL
 * quantity library sees them.
 *
 * Grammar: <signedNumber><suffix>, with suffixes
 *   binary SI  Ki Mi Gi Ti Pi Ei (powers of 2^10),
 *   decimal SI n u m "" k M G T P E (powers of 10^3),
 *   decimal exponent e<int> / E<int>.
 *
 * Values are exact: a quantity is an integer mantissa times a power of ten, held in
 * BigInt, and comparison aligns exponents exactly. We also model the two internal forms
 * Kubernetes uses — a fast int64 form (value × 10^scale) and an arbitrary-precision
 * decimal form — because some results depend on which form a quantity is in:
 * `quantity("1000m").isInteger()` is false in Kubernetes (int64 form with negative
 * scale), as is anything parsed through the slow path (e.g. "1.5Ki"). The slow path
 * rounds up to a multiple of 10^-9 and caps the magnitude at 2^63-1; the fast path does
 * neither (so `quantity("10E")` is exactly 1e19).
 */

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
const NANO_SCALE = 9;
/** Guard against materialising absurd powers of ten (exponents are int32 in Kubernetes). */
const MAX_ALIGN_DIGITS = 10_000;

export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

/** Mantissa × 10^exp10, exact. */
interface Decimal {
  m: bigint;
  e: number;
}

type Amount =
  /** int64Amount: value × 10^scale */
  | { form: 'int64'; value: bigint; scale: number }
  /** inf.Dec: unscaled × 10^-scale */
  | { form: 'dec'; unscaled: bigint; scale: number };

const pow10Cache: bigint[] = [1n];
function pow10(n: number): bigint {
  if (n > MAX_ALIGN_DIGITS) throw new QuantityError('quantity is too large to compute with');
  for (let i = pow10Cache.length; i <= n; i++) pow10Cache.push(pow10Cache[i - 1]! * 10n);
  return pow10Cache[n]!;
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

function digits(v: bigint): number {
  return v === 0n ? 0 : abs(v).toString().length;
}

function inInt64(v: bigint): boolean {
  return v >= MIN_INT64 && v <= MAX_INT64;
}

function int64Multiply(a: bigint, b: bigint): bigint | undefined {
  if (a === 0n || b === 0n || a === 1n || b === 1n) return a * b;
  if (a === MIN_INT64 || b === MIN_INT64) return undefined;
  const c = a * b;
  return inInt64(c) ? c : undefined;
}

function positiveScaleInt64(base: bigint, scale: number): bigint | undefined {
  if (base === 0n) return 0n;
  let v = base;
  for (let i = 0; i < scale; i++) {
    const next = int64Multiply(v, 10n);
    if (next === undefined) return undefined;
    v = next;
  }
  return v;
}

/** Exact comparison of two decimals without materialising huge powers of ten. */
function compareDecimal(a: Decimal, b: Decimal): number {
  const sa = a.m === 0n ? 0 : a.m < 0n ? -1 : 1;
  const sb = b.m === 0n ? 0 : b.m < 0n ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  // Magnitude order: digits + exponent.
  const ma = digits(a.m) + a.e;
  const mb = digits(b.m) + b.e;
  if (ma !== mb) return (ma < mb ? -1 : 1) * sa;
  const e = Math.min(a.e, b.e);
  const x = a.m * pow10(a.e - e);
  const y = b.m * pow10(b.e - e);
  return x === y ? 0 : x < y ? -1 : 1;
}

function addDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  return { m: a.m * pow10(a.e - e) + b.m * pow10(b.e - e), e };
}

export class Quantity {
  private constructor(private readonly amount: Amount) {}

  static fromInt(v: bigint): Quantity {
    return new Quantity({ form: 'int64', value: v, scale: 0 });
  }

  /** Parses like `resource.ParseQuantity`; throws QuantityError. */
  static parse(str: string): Quantity {
    return new Quantity(parseAmount(str));
  }

  /** The exact value. */
  get decimal(): Decimal {
    const a = this.amount;
    return a.form === 'int64' ? { m: a.value, e: a.scale } : { m: a.unscaled, e: -a.scale };
  }

  /** Which internal form Kubernetes would hold this value in (for tests). */
  get form(): 'int64' | 'dec' {
    return this.amount.form;
  }

  sign(): bigint {
    const m = this.decimal.m;
    return m === 0n ? 0n : m < 0n ? -1n : 1n;
  }

  compareTo(other: Quantity): bigint {
    return BigInt(compareDecimal(this.decimal, other.decimal));
  }

  equals(other: Quantity): boolean {
    return compareDecimal(this.decimal, other.decimal) === 0;
  }

  add(other: Quantity): Quantity {
    const a = this.amount;
    const b = other.amount;
    if (a.form === 'int64' && b.form === 'int64') {
      const r = int64Add(a, b);
      if (r !== undefined) return new Quantity(r);
    }
    return Quantity.fromDecimal(addDecimal(this.decimal, other.decimal));
  }

  sub(other: Quantity): Quantity {
    const b = other.amount;
    const neg: Amount =
      b.form === 'int64' ? { form: 'int64', value: -b.value, scale: b.scale } : { form: 'dec', unscaled: -b.unscaled, scale: b.scale };
    const a = this.amount;
    if (a.form === 'int64' && neg.form === 'int64' && inInt64(neg.value)) {
      const r = int64Add(a, neg);
      if (r !== undefined) return new Quantity(r);
    }
    const n = new Quantity(neg).decimal;
    return Quantity.fromDecimal(addDecimal(this.decimal, n));
  }

  mul(y: bigint): Quantity {
    const a = this.amount;
    if (a.form === 'int64') {
      const v = int64Multiply(a.value, y);
      if (v !== undefined) return new Quantity({ form: 'int64', value: v, scale: a.scale });
    }
    const d = this.decimal;
    return Quantity.fromDecimal({ m: d.m * y, e: d.e });
  }

  private static fromDecimal(d: Decimal): Quantity {
    return new Quantity({ form: 'dec', unscaled: d.m, scale: -d.e });
  }

  /** `AsInt64`: only the int64 form with a non-negative scale converts. */
  asInt64(): bigint | undefined {
    const a = this.amount;
    if (a.form === 'dec') return undefined;
    if (a.scale === 0) return a.value;
    if (a.scale < 0) return undefined;
    return positiveScaleInt64(a.value, a.scale);
  }

  /** `AsApproximateFloat64`: base × Pow10(exponent) in float64 arithmetic. */
  asApproximateFloat(): number {
    const a = this.amount;
    const base = Number(a.form === 'int64' ? a.value : a.unscaled);
    const exponent = a.form === 'int64' ? a.scale : -a.scale;
    if (exponent === 0) return base;
    return base * goPow10(exponent);
  }

  /** A plain decimal rendering of the exact value (diagnostics; not the canonical form). */
  toString(): string {
    const { m, e } = this.decimal;
    if (m === 0n) return '0';
    const neg = m < 0n;
    let s = abs(m).toString();
    if (e >= 0) s = e > 64 ? `${s}e${e}` : s + '0'.repeat(e);
    else if (-e >= s.length) s = '0.' + '0'.repeat(-e - s.length) + s;
    else s = s.slice(0, s.length + e) + '.' + s.slice(s.length + e);
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
    return (neg ? '-' : '') + s;
  }
}

function int64Add(a: { value: bigint; scale: number }, b: { value: bigint; scale: number }): Amount | undefined {
  if (b.value === 0n) return { form: 'int64', value: a.value, scale: a.scale };
  if (a.value === 0n) return { form: 'int64', value: b.value, scale: b.scale };
  if (a.scale === b.scale) {
    const c = a.value + b.value;
    return inInt64(c) ? { form: 'int64', value: c, scale: a.scale } : undefined;
  }
  if (a.scale > b.scale) {
    const c = positiveScaleInt64(a.value, a.scale - b.scale);
    if (c === undefined) return undefined;
    const s = c + b.value;
    return inInt64(s) ? { form: 'int64', value: s, scale: b.scale } : undefined;
  }
  const c = positiveScaleInt64(b.value, b.scale - a.scale);
  if (c === undefined) return undefined;
  const s = a.value + c;
  return inInt64(s) ? { form: 'int64', value: s, scale: a.scale } : undefined;
}

/** Go's math.Pow10: exact for the float64 range, 0 below 1e-323, +Inf above 1e308. */
function goPow10(n: number): number {
  if (n < -323) return 0;
  if (n > 308) return Infinity;
  return Number(`1e${n}`);
}

// --- Parsing -------------------------------------------------------------------------

interface Parts {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

const FORMAT_ERROR = 'quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'';

function isDigitChar(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Splits a quantity string exactly as Kubernetes' parseQuantityString does. */
function splitQuantity(str: string): Parts {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end) {
    if (str[0] === '-') ((positive = false), pos++);
    else if (str[0] === '+') pos++;
  }
  // Leading zeros.
  for (;;) {
    if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
    if (str[pos] !== '0') break;
    pos++;
  }
  let i = pos;
  while (i < end && isDigitChar(str[i])) i++;
  if (i >= end) return { positive, value: str, num: str.slice(pos), denom: '', suffix: '' };
  let num = str.slice(pos, i);
  pos = i;
  if (num === '') num = '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigitChar(str[i])) i++;
    if (i >= end) return { positive, value: str, num, denom: str.slice(pos), suffix: '' };
    denom = str.slice(pos, i);
    pos = i;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  i = pos;
  while (i < end && 'eEinumkKMGTP'.includes(str[i]!)) i++;
  if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  pos = i;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (pos < end && isDigitChar(str[pos])) pos++;
  if (pos >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  throw new QuantityError(FORMAT_ERROR);
}

interface SuffixInfo {
  base: 2 | 10;
  exponent: number;
  format: 'BinarySI' | 'DecimalSI' | 'DecimalExponent';
}

const DECIMAL_SI: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SI: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

function interpretSuffix(s: string): SuffixInfo | undefined {
  if (Object.hasOwn(DECIMAL_SI, s)) return { base: 10, exponent: DECIMAL_SI[s]!, format: 'DecimalSI' };
  if (Object.hasOwn(BINARY_SI, s)) return { base: 2, exponent: BINARY_SI[s]!, format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E')) {
    // strconv.ParseInt(s[1:], 10, 64), then truncated to int32 as Kubernetes does.
    const t = s.slice(1);
    if (!/^[+-]?\d+$/.test(t)) return undefined;
    const v = BigInt(t);
    if (!inInt64(v)) return undefined;
    return { base: 10, exponent: Number(BigInt.asIntN(32, v)), format: 'DecimalExponent' };
  }
  return undefined;
}

function parseAmount(str: string): Amount {
  if (str.length === 0) throw new QuantityError(FORMAT_ERROR);
  if (str === '0') return { form: 'int64', value: 0n, scale: 0 };
  const { positive, value, num, denom, suffix } = splitQuantity(str);
  const info = interpretSuffix(suffix);
  if (info === undefined) throw new QuantityError('unable to parse quantity\'s suffix');

  let precision: number;
  let scale = 0;
  let mantissa = 1n;
  if (info.format === 'BinarySI') {
    if (info.exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(info.exponent);
      precision = 15 - num.length - Math.trunc((info.exponent * 3) / 10) - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = info.exponent;
    precision = 18 - (num.length + denom.length);
  }

  // Fast path: an exact int64 mantissa at a scale of at least 10^-9.
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= -NANO_SCALE) {
      const shifted = BigInt(num + denom);
      const result = int64Multiply(shifted, mantissa);
      if (result !== undefined) return { form: 'int64', value: positive ? result : -result, scale };
    }
  }

  // Slow path: arbitrary precision, rounded up to 10^-9, capped at 2^63-1.
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) throw new QuantityError('quantities must be numeric');
  const frac = m[3] ?? '';
  let unscaled = BigInt((m[2] || '0') + frac);
  let decScale = frac.length;
  if (info.base === 10) decScale -= info.exponent;
  else unscaled *= 1n << BigInt(info.exponent);
  const negative = unscaled < 0n || m[1] === '-';
  unscaled = abs(unscaled);

  if (unscaled !== 0n && compareDecimal({ m: unscaled, e: -decScale }, { m: MAX_INT64, e: 0 }) > 0) {
    return { form: 'dec', unscaled: negative ? -MAX_INT64 : MAX_INT64, scale: 0 };
  }
  if (unscaled !== 0n) {
    // Round up (away from zero) to exactly 9 decimal places.
    if (decScale > NANO_SCALE) {
      const drop = decScale - NANO_SCALE;
      if (drop > digits(unscaled)) unscaled = 1n;
      else {
        const d = pow10(drop);
        const q = unscaled / d;
        unscaled = unscaled % d === 0n ? q : q + 1n;
      }
    } else {
      unscaled *= pow10(NANO_SCALE - decScale);
    }
    decScale = NANO_SCALE;
  }
  return { form: 'dec', unscaled: negative ? -unscaled : unscaled, scale: decScale };
}

export function isQuantity(s: string): boolean {
  try {
    Quantity.parse(s);
    return true;
  } catch {
    return false;
  }
}
