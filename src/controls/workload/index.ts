import type { Control } from '../../core/control.js';
import privilegedContainer from './pal-pod-001-privileged-container.js';
import hostNamespaces from './pal-pod-002-host-namespace-sharing.js';
import hostPathVolume from './pal-pod-003-host-path-volume.js';
import runAsRoot from './pal-pod-004-run-as-root.js';
import privilegeEscalation from './pal-pod-005-privilege-escalation.js';
import addedCapabilities from './pal-pod-006-added-capabilities.js';
import writableRootFilesystem from './pal-pod-007-writable-root-filesystem.js';
import serviceAccountTokenAutomount from './pal-pod-008-service-account-token-automount.js';
import defaultNamespace from './pal-pod-009-default-namespace.js';
import secretInEnv from './pal-pod-010-secret-in-env.js';
import livenessProbe from './pal-pod-011-liveness-probe.js';
import readinessProbe from './pal-pod-012-readiness-probe.js';
import imagePullPolicy from './pal-pod-013-image-pull-policy.js';

/** Workload hardening controls (pod and container security settings). */
export const workloadControls: Control[] = [
  privilegedContainer,
  hostNamespaces,
  hostPathVolume,
  runAsRoot,
  privilegeEscalation,
  addedCapabilities,
  writableRootFilesystem,
  serviceAccountTokenAutomount,
  defaultNamespace,
  secretInEnv,
  livenessProbe,
  readinessProbe,
  imagePullPolicy,
];
