/**
 * Kyverno's wildcards: `*` matches any run of characters (also none), `?` exactly one.
 * Used for names, namespaces, kinds, label and annotation keys/values, pattern values and
 * the In-family condition operators. Matching is iterative (no regex, no backtracking
 * blow-up) so that hostile patterns stay linear-ish.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  if (pattern === '*') return true;
  if (!hasWildcard(pattern)) return pattern === text;
  const p = Array.from(pattern);
  const t = Array.from(text);
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

export function hasWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}
