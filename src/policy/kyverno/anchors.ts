/**
 * Kyverno pattern anchors, written around a map key:
 *   (key)   conditional  — if the value matches, the rest of the map must match; else skip
 *   <(key)  global       — if the value does not match, the whole rule is skipped
 *   =(key)  equality     — if the key is present, its value must match
 *   X(key)  negation     — the key must not be present
 *   ^(key)  existence    — at least one list element must match
 *   +(key)  add-if-not-present — mutate only; meaningless in validate patterns
 */
export type AnchorType = 'condition' | 'global' | 'equality' | 'negation' | 'existence' | 'addIfNotPresent';

export interface Anchor {
  type: AnchorType;
  /** The key without the anchor. */
  key: string;
  /** The anchor prefix as written ("", "<", "=", "X", "^", "+"). */
  modifier: string;
}

const ANCHOR = /^([+<=X^]?)\((.+)\)$/s;

const TYPES: Record<string, AnchorType> = {
  '': 'condition',
  '<': 'global',
  '=': 'equality',
  X: 'negation',
  '^': 'existence',
  '+': 'addIfNotPresent',
};

export function parseAnchor(key: string): Anchor | undefined {
  const m = ANCHOR.exec(key);
  if (!m) return undefined;
  const modifier = m[1] ?? '';
  return { type: TYPES[modifier]!, key: m[2]!, modifier };
}

/** The key with any anchor removed. */
export function anchorFreeKey(key: string): string {
  return parseAnchor(key)?.key ?? key;
}

/** True when a pattern (at any depth) contains an anchor of one of the given types. */
export function containsAnchor(pattern: unknown, types: readonly AnchorType[]): boolean {
  const stack: unknown[] = [pattern];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const a = parseAnchor(k);
        if (a && types.includes(a.type)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}
