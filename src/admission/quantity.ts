/**
 * Kubernetes resource quantities ("500m", "1.5Gi", "2e3", "128974848") as numbers of base
 * units (cores, bytes), close enough to compare requests and limits with LimitRange and
 * ResourceQuota bounds. The API keeps them exact; a double is exact up to 2^53 bytes, which
 * no node reaches.
 */

const BINARY: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Readonly<Record<string, number>> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

// <signedNumber><suffix>, suffix binary (Ki…Ei), decimal (n…E) or exponent (e3, E-2).
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** The value of a quantity, or undefined when it is not one. Numbers are accepted as written. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = QUANTITY.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  let factor: number | undefined = BINARY[suffix] ?? DECIMAL[suffix];
  if (factor === undefined) factor = 10 ** Number(suffix.slice(1));
  const v = n * factor;
  return Number.isFinite(v) ? v : undefined;
}

/** A short human form for messages: cores as "250m"/"2", bytes as "512Mi"/"1.5Gi". */
export function formatQuantity(v: number, kind: 'cpu' | 'memory' | string): string {
  if (kind === 'cpu') return v < 1 ? `${Math.round(v * 1000)}m` : `${+v.toFixed(3)}`;
  for (const [s, f] of [['Ei', BINARY.Ei!], ['Pi', BINARY.Pi!], ['Ti', BINARY.Ti!], ['Gi', BINARY.Gi!], ['Mi', BINARY.Mi!], ['Ki', BINARY.Ki!]] as const) {
    if (v >= f) return `${+(v / f).toFixed(2)}${s}`;
  }
  return `${v}`;
}
