/**
 * Go's time.Duration as Kyverno uses it: `time.ParseDuration` syntax ("1h30m", "1.5s",
 * "300ms", "-2m") and `Duration.String()` formatting ("1h30m0s"). Values are exact
 * nanoseconds in a BigInt, like Go's int64.
 */
const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5
  'μs': 1_000n, // U+03BC
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_NS = (1n << 63n) - 1n;

/** Nanoseconds, or undefined when `s` is not a Go duration. */
export function parseDuration(s: string): bigint | undefined {
  let rest = s;
  let neg = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    neg = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    const intPart = m[1] ?? '';
    const frac = m[2];
    if (intPart === '' && (frac === undefined || frac === '')) return undefined;
    rest = rest.slice(m[0].length);
    const u = /^(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!u) return undefined;
    rest = rest.slice(u[0].length);
    const unit = UNITS[u[0]]!;
    let v = BigInt(intPart || '0') * unit;
    if (frac) {
      // Exact to the nanosecond, truncating like Go.
      v += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    }
    total += v;
    if (total > MAX_NS) return undefined;
  }
  return neg ? -total : total;
}

export function isDuration(s: string): boolean {
  return parseDuration(s) !== undefined;
}

function fracDigits(v: bigint, prec: number): [string, bigint] {
  let out = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) out = digit.toString() + out;
    v /= 10n;
  }
  return [print ? '.' + out : '', v];
}

/** Formats like Go's Duration.String(). */
export function formatDuration(ns: bigint): string {
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    let prec: number;
    let unit: string;
    if (u < 1_000n) {
      prec = 0;
      unit = 'ns';
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = 'µs';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const [frac, whole] = fracDigits(u, prec);
    out = whole.toString() + frac + unit;
  } else {
    const [frac, secs] = fracDigits(u, 9);
    u = secs;
    out = (u % 60n).toString() + frac + 's';
    u /= 60n;
    if (u > 0n) {
      out = (u % 60n).toString() + 'm' + out;
      u /= 60n;
      if (u > 0n) out = u.toString() + 'h' + out;
    }
  }
  return neg ? '-' + out : out;
}

export function durationSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}
