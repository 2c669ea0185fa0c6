/**
 * Durations as operators write them in options and sequence files: "90s", "30m", "1h",
 * "7d", "2w", also combined ("1h30m"). A bare number is seconds.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

/** Milliseconds, or undefined when the text is not a positive duration. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text > 0 ? text * 1000 : undefined;
  if (typeof text !== 'string') return undefined;
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) > 0 ? Number(s) * 1000 : undefined;
  PART.lastIndex = 0;
  let total = 0;
  let at = 0;
  for (let m = PART.exec(s); m; m = PART.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = PART.lastIndex;
  }
  return at === s.length && s.length > 0 && total > 0 ? total : undefined;
}

/** "14 days", "3 hours", "25 minutes": for explanations. */
export function describeDuration(ms: number): string {
  const units: [number, string][] = [[86_400_000, 'day'], [3_600_000, 'hour'], [60_000, 'minute'], [1000, 'second']];
  for (const [size, name] of units) {
    if (ms >= size) {
      const n = Math.round(ms / size);
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return 'less than a second';
}
