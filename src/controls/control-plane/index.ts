import type { Control } from '../../core/control.js';

/** Controls of the control-plane area; one import and one entry per control. */
export const controlPlaneControls: Control[] = [];
