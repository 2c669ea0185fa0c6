import type { Control } from '../../core/control.js';

/** Controls of the network area; one import and one entry per control. */
export const networkControls: Control[] = [];
