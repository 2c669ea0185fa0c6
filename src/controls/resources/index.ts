import type { Control } from '../../core/control.js';
import memoryLimit from './pal-res-001-memory-limit.js';
import cpuLimit from './pal-res-002-cpu-limit.js';
import memoryRequest from './pal-res-003-memory-request.js';
import cpuRequest from './pal-res-004-cpu-request.js';

/** Controls of the resources area; one import and one entry per control. */
export const resourceControls: Control[] = [memoryLimit, cpuLimit, memoryRequest, cpuRequest];
