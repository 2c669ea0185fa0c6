import { defineControl } from '../../core/control.js';
import { containerSecurityContext, containerSecurityContextPath, isObject, shown } from './pod-fields.js';
import { resolvePssVersion } from './version.js';

/**
 * The capabilities a container runtime grants by default (Docker's/containerd's set):
 * adding one of these is not an escalation. Names are compared exactly, as PSA does:
 * "CAP_CHOWN" or "chown" are not in the set.
 */
export const DEFAULT_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

export default defineControl({
  meta: {
    id: 'PSS-CAPABILITIES-BASELINE',
    slug: 'capabilities-baseline',
    title: 'Containers must not add capabilities beyond the default set',
    severity: 'high',
    category: 'pss',
    description:
      'Pod Security Admission check "capabilities_baseline" (baseline, every policy version from v1.0): every entry of securityContext.capabilities.add on every container must be one of AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT (exact, case-sensitive names). One finding per offending entry. At the restricted level PSA replaces this check with capabilities_restricted from v1.22.',
    rationale:
      'Capabilities outside the default set (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, NET_RAW, …) hand a container kernel powers that are the usual first step of a container escape or of attacking the node network.',
    remediation: 'Remove the capability from securityContext.capabilities.add; if the workload truly needs it, run it in a namespace with a less strict policy and document why.',
    messages: { nonDefault: 'Container "{{container}}" adds capability {{capability}}, which is not in the default set' },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
    mitre: ['T1611'],
    maturity: 'stable',
    pss: { level: 'baseline', check: 'capabilities_baseline' },
  },
  reusableVisitor: true,
  check(ctx) {
    resolvePssVersion(ctx.settings.pssVersion);
    return {
      podSpec(ps) {
        for (const c of ps.containers) {
          const caps = containerSecurityContext(c)?.capabilities;
          if (!isObject(caps) || !Array.isArray(caps.add)) continue;
          const add = caps.add;
          for (let i = 0; i < add.length; i++) {
            const cap: unknown = add[i];
            if (typeof cap === 'string' && DEFAULT_CAPABILITIES.has(cap)) continue;
            ctx.report({
              messageId: 'nonDefault',
              data: { container: c.name, capability: shown(cap) },
              path: containerSecurityContextPath(c, 'capabilities', 'add', i),
              evidence: cap,
            });
          }
        }
      },
    };
  },
});
