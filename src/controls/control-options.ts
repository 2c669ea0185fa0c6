/**
 * Values controls derive from their options. check() runs on every scan and on every
 * admission review, and a webhook passes the same options object each time, so sets and
 * normalised lists built from options are built once per options object instead.
 */
export type ControlOptions = Readonly<Record<string, unknown>>;

/**
 * Wraps `derive` so it runs once per options object. Callers must treat the result as
 * read-only: it is shared by every run with those options.
 */
export function perOptions<T>(derive: (options: ControlOptions) => T): (options: ControlOptions) => T {
  const cache = new WeakMap<ControlOptions, { value: T }>();
  return (options) => {
    let hit = cache.get(options);
    if (!hit) {
      hit = { value: derive(options) };
      cache.set(options, hit);
    }
    return hit.value;
  };
}
