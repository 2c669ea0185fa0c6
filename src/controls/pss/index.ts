import type { Control } from '../../core/control.js';

/** Controls of the pss area; one import and one entry per control. */
export const pssControls: Control[] = [];
