import { defineControl } from '../../core/control.js';
import { PROC_MOUNT_MESSAGE, reportUnmaskedProcMounts } from './pss-proc-mount.js';
import { atLeast, resolvePssVersion } from './version.js';

export default defineControl({
  meta: {
    id: 'PSS-PROC-MOUNT-RESTRICTED',
    slug: 'proc-mount-restricted',
    title: 'Containers must keep the default /proc masks, even in a user namespace',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "procMount_restricted" (restricted, new in policy v1.35; does nothing at earlier versions): securityContext.procMount must be unset or "Default" on every container, whether or not the pod runs in its own user namespace. ' +
      'At the restricted level it replaces the baseline procMount check from v1.35, so the user-namespace relaxation of the baseline check does not reach restricted namespaces.',
    rationale: 'Restricted workloads keep every kernel-interface mask: a user namespace limits what root can do, but unmasked /proc still widens the kernel surface a process can reach.',
    remediation: 'Remove securityContext.procMount or set it to Default.',
    messages: { procMount: PROC_MOUNT_MESSAGE },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted', 'https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/'],
    mitre: ['T1611'],
    maturity: 'stable',
    pss: { level: 'restricted', check: 'procMount_restricted' },
  },
  reusableVisitor: true,
  check(ctx) {
    const version = resolvePssVersion(ctx.settings.pssVersion);
    if (!atLeast(version, 35)) return {};
    return {
      podSpec(ps) {
        reportUnmaskedProcMounts(ctx, ps);
      },
    };
  },
});
