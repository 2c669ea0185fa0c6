/**
 * Plain text: what a reader may show or send as it is, with nothing to escape or fold. No
 * control characters (C0, DEL, C1), no UTF-16 surrogates, and no white space other than
 * single spaces between other characters. Finding messages interpolate values from the
 * objects under review; the engine says which messages are not plain, so the webhook
 * sanitises only those (Kubernetes drops a warning with a control character).
 */
const NOT_PLAIN = /^ | $| {2}|[\x00-\x1f\x7f-\x9f\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\uD800-\uDFFF]/;

export function isPlainText(s: string): boolean {
  return !NOT_PLAIN.test(s);
}

/**
 * A value that keeps a message plain wherever it is put between plain literal text: plain,
 * and not empty (an empty value between two spaces would leave two in a row).
 */
export function isPlainValue(s: string): boolean {
  return s.length > 0 && !NOT_PLAIN.test(s);
}
