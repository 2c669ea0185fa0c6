import type { Control } from '../../core/control.js';

/** Controls of the mesh area; one import and one entry per control. */
export const meshControls: Control[] = [];
