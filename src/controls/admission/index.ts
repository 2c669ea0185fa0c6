import type { Control } from '../../core/control.js';

/** Controls of the admission area; one import and one entry per control. */
export const admissionControls: Control[] = [];
