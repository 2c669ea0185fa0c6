import type { Control } from '../core/control.js';
import { admissionControls } from './admission/index.js';
import { controlPlaneControls } from './control-plane/index.js';
import { dataControls } from './data/index.js';
import { imageControls } from './image/index.js';
import { meshControls } from './mesh/index.js';
import { networkControls } from './network/index.js';
import { pssControls } from './pss/index.js';
import { rbacControls } from './rbac/index.js';
import { resourceControls } from './resources/index.js';
import { workloadControls } from './workload/index.js';

/**
 * Every built-in control, keyed by id, in alphabetical order of id.
 * Each area (a folder under src/controls/) lists its controls in its index.ts; adding a
 * control is one file, its test beside it, one line in the area index, and its id in at
 * least one framework under src/frameworks/.
 */
export const CONTROLS: Readonly<Record<string, Control>> = Object.freeze(
  Object.fromEntries(
    [...admissionControls, ...controlPlaneControls, ...dataControls, ...imageControls, ...meshControls, ...networkControls, ...pssControls, ...rbacControls, ...resourceControls, ...workloadControls]
      .sort((a, b) => (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0))
      .map((c) => [c.meta.id, c]),
  ),
);

export function allControls(): Control[] {
  return Object.values(CONTROLS);
}
