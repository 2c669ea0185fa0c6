/**
 * Kubernetes' canonical quantity text (`Quantity.String()`), which Kyverno's arithmetic
 * functions return: "1Gi" + "512Mi" is "1536Mi", "250m" × 4 is "1", 1.5 is "1500m".
 * Values come from the exact Quantity of the CEL module; the format (binary SI, decimal SI
 * or decimal exponent) is the first operand's, as in Kubernetes.
 */
import type { Quantity } from '../cel/quantity.js';
import { tryQuantity } from './value-pattern.js';

export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

export function quantityFormatOf(text: string): QuantityFormat {
  if (/[KMGTPE]i$/.test(text)) return 'BinarySI';
  if (/\d[eE][+-]?\d+$/.test(text)) return 'DecimalExponent';
  return 'DecimalSI';
}

const DECIMAL_SUFFIX: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

export function canonicalQuantity(q: Quantity, format: QuantityFormat): string {
  let { m, e } = q.decimal;
  if (m === 0n) return '0';
  const neg = m < 0n;
  if (neg) m = -m;
  while (m % 10n === 0n) {
    m /= 10n;
    e++;
  }
  // Kubernetes keeps at most nanosecond-like precision (10^-9), rounding up.
  if (e < -9) {
    const d = 10n ** BigInt(-9 - e);
    m = m % d === 0n ? m / d : m / d + 1n;
    e = -9;
  }
  let fmt = format;
  if (fmt === 'BinarySI') {
    const isInteger = e >= 0;
    const small = e <= 3 && m * 10n ** BigInt(Math.max(e, 0)) < 1024n;
    if (!isInteger || small) fmt = 'DecimalSI';
    else {
      let n = m * 10n ** BigInt(e);
      let exp = 0;
      while (exp < 6 && n % 1024n === 0n) {
        n /= 1024n;
        exp++;
      }
      return (neg ? '-' : '') + n.toString() + BINARY_SUFFIX[exp]!;
    }
  }
  while (((e % 3) + 3) % 3 !== 0) {
    m *= 10n;
    e--;
  }
  const sign = neg ? '-' : '';
  if (fmt === 'DecimalExponent') return `${sign}${m}${e === 0 ? '' : `e${e}`}`;
  const suffix = DECIMAL_SUFFIX[e];
  return suffix !== undefined ? `${sign}${m}${suffix}` : `${sign}${m}e${e}`;
}

/** Parses `text` and renders it canonically (for messages and tests). */
export function canonicalQuantityText(text: string): string | undefined {
  const q = tryQuantity(text);
  return q ? canonicalQuantity(q, quantityFormatOf(text)) : undefined;
}
