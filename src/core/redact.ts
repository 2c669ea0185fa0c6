import { createHash } from 'node:crypto';
import type { JsonPath } from './path.js';

/**
 * The redacted form of a value that may be secret: its length and a short hash,
 * enough to tell two values apart or recognise a known one, never enough to recover it.
 */
export function redact(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  const h = createHash('sha256').update(s).digest('hex').slice(0, 12);
  return `<redacted len=${s.length} sha256:${h}>`;
}

/** True when the value at this path of an object of this kind may hold a secret. */
export function isSecretPath(kind: string, path: JsonPath): boolean {
  if (kind === 'Secret' && (path[0] === 'data' || path[0] === 'stringData')) return true;
  // env[].value of any container, and annotations that carry last-applied configuration.
  for (let i = 0; i < path.length; i++) {
    if (path[i] === 'env' && typeof path[i + 1] === 'number' && path[i + 2] === 'value') return true;
  }
  if (path[0] === 'metadata' && path[1] === 'annotations' && path[2] === 'kubectl.kubernetes.io/last-applied-configuration') return true;
  return false;
}

/** True for a value already in redacted form (so it is not hashed twice). */
export function isRedacted(value: unknown): boolean {
  return typeof value === 'string' && /^<redacted len=\d+ sha256:[0-9a-f]{12}>$/.test(value);
}
