import type { JsonPath } from '../core/path.js';

type Segment = string | number;

/**
 * `prefix` followed by `a` and the segments after it up to the first one left out: the path
 * of a finding below a container, a pod spec or another view. Findings keep their path, so
 * each call makes a new array, allocated at its final size: `[...prefix, a, b]` grows a copy
 * of the prefix (two and a half times the memory) and `prefix.concat(a, b)` takes the slow
 * path of concat for arguments that are not arrays.
 */
export function pathUnder(prefix: JsonPath, a: Segment, b?: Segment, c?: Segment, d?: Segment): Segment[] {
  const n = prefix.length;
  const added = b === undefined ? 1 : c === undefined ? 2 : d === undefined ? 3 : 4;
  const path = new Array<Segment>(n + added);
  for (let i = 0; i < n; i++) path[i] = prefix[i]!;
  path[n] = a;
  if (added > 1) path[n + 1] = b!;
  if (added > 2) path[n + 2] = c!;
  if (added > 3) path[n + 3] = d!;
  return path;
}
