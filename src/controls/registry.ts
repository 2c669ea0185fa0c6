import type { Control } from '../core/control.js';
import { workloadControls } from './workload/index.js';

/**
 * Every built-in control, keyed by id, in alphabetical order of id.
 * Each area (a folder under src/controls/) lists its controls in its index.ts; adding a
 * control is one file, its test beside it, one line in the area index, and its id in at
 * least one framework under src/frameworks/.
 */
export const CONTROLS: Readonly<Record<string, Control>> = Object.freeze(
  Object.fromEntries(
    [...workloadControls]
      .sort((a, b) => (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0))
      .map((c) => [c.meta.id, c]),
  ),
);

export function allControls(): Control[] {
  return Object.values(CONTROLS);
}
