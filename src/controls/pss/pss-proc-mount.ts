import { defineControl } from '../../core/control.js';
import type { ControlContext } from '../../core/control.js';
import type { PodSpecView } from '../../core/inventory.js';
import { containerSecurityContext, containerSecurityContextPath, inUserNamespace } from './pod-fields.js';
import { atLeast, resolvePssVersion } from './version.js';

/** Reports every container whose procMount is set to anything but "Default" (Go: non-nil and != Default). */
export function reportUnmaskedProcMounts(ctx: ControlContext, ps: PodSpecView): void {
  for (const c of ps.containers) {
    const sc = containerSecurityContext(c);
    const pm = sc?.procMount;
    if (pm === undefined || pm === null || pm === 'Default') continue;
    ctx.report({ messageId: 'procMount', data: { container: c.name, value: JSON.stringify(pm) }, path: containerSecurityContextPath(c, 'procMount'), evidence: pm });
  }
}

export const PROC_MOUNT_MESSAGE = 'Container "{{container}}" sets securityContext.procMount to {{value}}; only Default keeps the /proc masks';

export default defineControl({
  meta: {
    id: 'PSS-PROC-MOUNT',
    slug: 'proc-mount',
    title: 'Containers must keep the default /proc masks',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "procMount" (baseline): securityContext.procMount must be unset or "Default" on every container, init container and ephemeral container (any other value, Unmasked or even an empty string, is forbidden). ' +
      'From policy v1.35 pods in their own user namespace (spec.hostUsers: false) may set any value. Before v1.35 that relaxation existed only behind the alpha UserNamespacesPodSecurityStandards feature gate, off by default and since removed, so it does not apply. At the restricted level PSA replaces this check with procMount_restricted from v1.35.',
    rationale: 'The default /proc masks hide kernel interfaces (/proc/kcore, /proc/sys, …) that leak host information or let a process change node-wide settings.',
    remediation: 'Remove securityContext.procMount or set it to Default.',
    messages: { procMount: PROC_MOUNT_MESSAGE },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline', 'https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/'],
    mitre: ['T1611'],
    maturity: 'stable',
    pss: { level: 'baseline', check: 'procMount' },
  },
  reusableVisitor: true,
  check(ctx) {
    const version = resolvePssVersion(ctx.settings.pssVersion);
    const relaxForUserNamespaces = atLeast(version, 35);
    return {
      podSpec(ps) {
        if (relaxForUserNamespaces && inUserNamespace(ps)) return;
        reportUnmaskedProcMounts(ctx, ps);
      },
    };
  },
});
