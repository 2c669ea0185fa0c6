import type { Control } from '../../core/control.js';

/** Controls of the image area; one import and one entry per control. */
export const imageControls: Control[] = [];
