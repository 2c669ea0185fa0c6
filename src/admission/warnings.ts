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
const HAS_SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The characters \s matches that are not control characters: space and the wide spaces. */
const SPACE = ' \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/**
 * Whether sanitizeText could change a text: a control character, any surrogate (paired ones
 * take the slow path too, which keeps them), white space at either end or twice in a row.
 * Most messages have none of these; one compiled regular expression finds out faster than
 * the replacements, or a loop over the characters (a review can carry dozens of warnings).
 */
const NEEDS_SANITIZING = new RegExp(`[\\x00-\\x1f\\x7f-\\x9f\\uD800-\\uDFFF]|[${SPACE}]{2}|^[${SPACE}]|[${SPACE}]$`);

function needsSanitizing(s: string): boolean {
  return NEEDS_SANITIZING.test(s);
}

/**
 * `prefix + text` as sanitizeText would return it, for a `text` sanitizeText already
 * returned: only the (short) prefix needs a look.
 */
export function prefixSanitized(prefix: string, text: string): string {
  // A clean prefix ending in one space, then clean text that does not start with one.
  if (text.length > 0 && prefix.length > 1 && prefix.endsWith(' ') && !needsSanitizing(prefix.slice(0, -1))) return prefix + text;
  return sanitizeText(prefix + text);
}

/** Valid UTF-8 without control characters, with runs of white space folded. */
export function sanitizeText(s: string): string {
  if (!needsSanitizing(s)) return s;
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

/**
 * What ends a warning cut at WARNING_TARGET_RUNES: ASCII, so an answer whose warnings are
 * ASCII stays a one-byte string (cheaper to serialise and to write than a two-byte one).
 */
export const WARNING_CUT = '...';

/** `w` cut to WARNING_TARGET_RUNES code points, ending with WARNING_CUT when anything was cut. */
function cutWarning(w: string): string {
  if (w.length <= WARNING_TARGET_RUNES) return w;
  const keep = WARNING_TARGET_RUNES - WARNING_CUT.length;
  if (!HAS_SURROGATE.test(w)) return w.slice(0, keep) + WARNING_CUT;
  const runes = Array.from(w);
  return runes.length <= WARNING_TARGET_RUNES ? w : runes.slice(0, keep).join('') + WARNING_CUT;
}

/**
 * Warnings collected one at a time under limitWarnings' rules: sanitised, cut to
 * WARNING_TARGET_RUNES, deduplicated, at most MAX_WARNINGS - 1 of them plus a line counting
 * the ones left out.
 *
 * At most MAX_WARNINGS - 1 warnings of at most WARNING_TARGET_RUNES runes each are kept, plus
 * the summary line (under WARNING_TARGET_RUNES too): 24 × 120 = 2,880 runes, so the API
 * server's 4,096-rune total is never reached and needs no counting.
 */
export class WarningList {
  private readonly kept: string[] = [];
  /** The prefix each kept warning was added with: only warnings with the same prefix are compared. */
  private readonly prefixes: string[] = [];
  /** Unique warnings beyond the limit, only counted. */
  private more: Set<string> | undefined;

  get size(): number {
    return this.kept.length + (this.more ? 1 : 0);
  }

  /**
   * Adds `prefix + text` as sanitizeText would make it. `clean` says the caller knows both are
   * plain text (src/core/plain-text.ts: nothing to sanitise, no surrogates), the prefix ends in
   * one space and the text is not empty: then nothing is scanned, and the text is cut before it
   * is joined to the prefix. Warnings with different prefixes are never compared, so a prefix must be the same
   * string for warnings that may repeat (a control's "[ID] ").
   */
  add(prefix: string, text: string, clean = false): void {
    let w: string;
    // Clean text has no surrogates: its length is its number of runes.
    if (clean && prefix.length + text.length <= WARNING_TARGET_RUNES) w = prefix + text;
    else if (clean && prefix.length < WARNING_TARGET_RUNES - WARNING_CUT.length) w = prefix + text.slice(0, WARNING_TARGET_RUNES - WARNING_CUT.length - prefix.length) + WARNING_CUT;
    else w = cutWarning(prefix ? prefixSanitized(prefix, sanitizeText(text)) : sanitizeText(text));
    if (!w) return;
    const kept = this.kept;
    for (let i = 0; i < kept.length; i++) if (this.prefixes[i] === prefix && kept[i] === w) return;
    if (kept.length < MAX_WARNINGS - 1) {
      kept.push(w);
      this.prefixes.push(prefix);
    } else (this.more ??= new Set()).add(w);
  }

  /** The warnings, with the closing count when some were left out. */
  list(): string[] {
    const out = this.kept.slice();
    if (this.more) out.push(`${this.more.size} more warning(s) not shown; the audit annotations and the decision log have them all`);
    return out;
  }
}

/** Sanitised, deduplicated and limited warnings, with a last one counting what was left out (WarningList). */
export function limitWarnings(texts: readonly string[]): string[] {
  const list = new WarningList();
  for (const t of texts) list.add('', t);
  return list.list();
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
    out[k] = truncateRunes(HAS_SURROGATE.test(v) ? v.replace(LONE_SURROGATE, '\uFFFD') : v, ANNOTATION_VALUE_RUNES);
  }
  return out;
}
