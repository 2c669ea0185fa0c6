import type { Control } from '../../core/control.js';

/** Controls of the data area; one import and one entry per control. */
export const dataControls: Control[] = [];
