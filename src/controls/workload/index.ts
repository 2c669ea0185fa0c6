import type { Control } from '../../core/control.js';
import privilegedContainer from './pal-pod-001-privileged-container.js';

/** Workload hardening controls (pod and container security settings). */
export const workloadControls: Control[] = [privilegedContainer];
