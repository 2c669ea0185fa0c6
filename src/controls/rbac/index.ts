import type { Control } from '../../core/control.js';
import clusterAdminBinding from './pal-rbac-001-cluster-admin-binding.js';
import wildcardRule from './pal-rbac-002-wildcard-rule.js';
import secretReadAccess from './pal-rbac-003-secret-read-access.js';
import escalateBindImpersonate from './pal-rbac-004-escalate-bind-impersonate.js';
import podExecAttach from './pal-rbac-005-pod-exec-attach.js';
import nodeProxyAccess from './pal-rbac-006-node-proxy-access.js';
import serviceAccountTokenCreation from './pal-rbac-007-service-account-token-creation.js';
import defaultServiceAccountBinding from './pal-rbac-008-default-service-account-binding.js';
import anonymousSubjectBinding from './pal-rbac-009-anonymous-subject-binding.js';
import privilegeEscalationPath from './pal-rbac-010-privilege-escalation-path.js';
import workloadCreation from './pal-rbac-011-workload-creation.js';
import admissionControlTampering from './pal-rbac-012-admission-control-tampering.js';

/** Controls of the rbac area; one import and one entry per control. */
export const rbacControls: Control[] = [
  clusterAdminBinding,
  wildcardRule,
  secretReadAccess,
  escalateBindImpersonate,
  podExecAttach,
  nodeProxyAccess,
  serviceAccountTokenCreation,
  defaultServiceAccountBinding,
  anonymousSubjectBinding,
  privilegeEscalationPath,
  workloadCreation,
  admissionControlTampering,
];
