import type { Control } from '../../core/control.js';

/** Controls of the rbac area; one import and one entry per control. */
export const rbacControls: Control[] = [];
