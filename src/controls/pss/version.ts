/**
 * Pod Security Standards policy versions, as Pod Security Admission (PSA) names them:
 * "latest" or "v1.N". Every PSA check lists the policy versions at which its behaviour
 * changes; a request for version N runs, for each check, its newest behaviour at or below N.
 *
 * PSA resolves "latest" to the newest version any check defines (not to the API server's
 * own minor), and clamps a version newer than that down to it: v1.40 evaluates exactly as
 * v1.37 while no check has changed since. We do the same.
 */

/**
 * The newest policy version any upstream check defines: v1.37 added two safe sysctls
 * (net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat). Raise it with the
 * check that introduces a newer version; the catalogue test pins the two together.
 */
export const PSS_LATEST_MINOR = 37;

/** A resolved policy version. Major is always 1. */
export interface PssVersion {
  /** Minor version evaluated (after resolving "latest" and clamping). */
  readonly minor: number;
  /** "v1.N" form of `minor`. */
  readonly name: string;
  /** The setting as given. */
  readonly requested: string;
}

const VERSION_RE = /^[vV]?1\.(\d{1,4})$/;

/** Parses "latest", "v1.N" or "1.N"; undefined when the text is none of these. */
export function parsePssVersion(input: string): { latest: true } | { latest: false; minor: number } | undefined {
  const s = input.trim();
  if (s.toLowerCase() === 'latest') return { latest: true };
  const m = VERSION_RE.exec(s);
  if (!m) return undefined;
  return { latest: false, minor: Number(m[1]) };
}

export function isPssVersion(input: unknown): input is string {
  return typeof input === 'string' && parsePssVersion(input) !== undefined;
}

export function formatPssVersion(minor: number): string {
  return `v1.${minor}`;
}

const cache = new Map<string, PssVersion>();

/**
 * The version a check evaluates for a setting. Undefined or empty means "latest".
 * Throws on text that is not a version: configuration validates it earlier, so reaching
 * here with a bad value is a caller bug, and guessing would silently change decisions.
 */
export function resolvePssVersion(input: string | undefined): PssVersion {
  const key = input ?? '';
  const hit = cache.get(key);
  if (hit) return hit;
  const parsed = key.trim() === '' ? ({ latest: true } as const) : parsePssVersion(key);
  if (!parsed) throw new Error(`invalid Pod Security Standards version "${key}": expected "latest", "v1.N" or "1.N"`);
  const minor = parsed.latest ? PSS_LATEST_MINOR : Math.min(parsed.minor, PSS_LATEST_MINOR);
  const v: PssVersion = { minor, name: formatPssVersion(minor), requested: key };
  cache.set(key, v);
  return v;
}

/** Negative when a is older than b, 0 when they evaluate the same, positive when newer. */
export function comparePssVersions(a: string, b: string): number {
  return resolvePssVersion(a).minor - resolvePssVersion(b).minor;
}

/** True when version `v` has reached policy version 1.`minor`. */
export function atLeast(v: PssVersion, minor: number): boolean {
  return v.minor >= minor;
}
