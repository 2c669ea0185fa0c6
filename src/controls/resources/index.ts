import type { Control } from '../../core/control.js';

/** Controls of the resources area; one import and one entry per control. */
export const resourceControls: Control[] = [];
