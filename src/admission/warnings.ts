/**
 * Kubernetes admission warnings and audit annotations within the limits the API server
 * applies to them (k8s.io/apiserver endpoints/filters/warning.go, apimachinery
 * net.NewWarningHeader, admission attributes checkKeyFormat):
 *
 * - a warning with a control character or invalid UTF-8 is dropped, so we replace those;
 * - identical warnings are sent once;
 * - once the warnings of a response add up to more than 4096 characters (runes), each is cut
 *   to 256 and later ones are dropped; the API documents 120 characters as the size to aim for;
 * - an audit annotation key becomes "<webhook name>/<key>" and must be a qualified name: the
 *   key is at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric.
 *
 * We keep every warning at most 120 characters and the total well under 4096, and say how
 * many were left out, so the API server never truncates what we send.
 */

export const WARNING_TARGET_RUNES = 120;
export const WARNINGS_TOTAL_RUNES = 4096;
export const MAX_WARNINGS = 24;
/** Longest audit annotation value we write; the audit backend stores every one with each event. */
export const ANNOTATION_VALUE_RUNES = 4096;

const CONTROL = /\p{Cc}/gu;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Valid UTF-8 without control characters, with runs of white space folded. */
export function sanitizeText(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL, ' ').replace(/\s{2,}/g, ' ').trim();
}

/** Cuts to `max` code points, ending with an ellipsis when anything was cut. */
export function truncateRunes(s: string, max: number): string {
  // UTF-16 units are never fewer than code points.
  if (s.length <= max) return s;
  if (!/[\uD800-\uDFFF]/.test(s)) return s.slice(0, Math.max(0, max - 1)) + '…';
  const runes = Array.from(s);
  if (runes.length <= max) return s;
  return runes.slice(0, Math.max(0, max - 1)).join('') + '…';
}

function runeLength(s: string): number {
  if (!/[\uD800-\uDFFF]/.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Sanitised, deduplicated and limited warnings, with a last one counting what was left out. */
export function limitWarnings(texts: readonly string[]): string[] {
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const t of texts) {
    const w = truncateRunes(sanitizeText(t), WARNING_TARGET_RUNES);
    if (w && !seen.has(w)) {
      seen.add(w);
      unique.push(w);
    }
  }
  const out: string[] = [];
  let total = 0;
  // Room for the closing summary line is kept free.
  const budget = WARNINGS_TOTAL_RUNES - WARNING_TARGET_RUNES;
  for (const w of unique) {
    const n = runeLength(w);
    if (out.length >= MAX_WARNINGS - 1 || total + n > budget) break;
    out.push(w);
    total += n;
  }
  const left = unique.length - out.length;
  if (left > 0) out.push(`${left} more warning(s) not shown; the audit annotations and the decision log have them all`);
  return out;
}

const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** True when `key` is a valid audit annotation key once prefixed with the webhook's name. */
export function isValidAnnotationKey(key: string): boolean {
  return QUALIFIED_NAME.test(key);
}

/** Annotations with valid keys and bounded, sanitised values. */
export function auditAnnotations(entries: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) {
    if (!isValidAnnotationKey(k)) continue;
    out[k] = truncateRunes(v.replace(LONE_SURROGATE, '\uFFFD'), ANNOTATION_VALUE_RUNES);
  }
  return out;
}
