import { defineControl } from '../../core/control.js';
import { containerSecurityContext, containerSecurityContextPath } from './pod-fields.js';
import { resolvePssVersion } from './version.js';

export default defineControl({
  meta: {
    id: 'PSS-PRIVILEGED',
    slug: 'privileged',
    title: 'Containers must not run privileged',
    severity: 'critical',
    category: 'pss',
    description:
      'Pod Security Admission check "privileged" (baseline, every policy version from v1.0): securityContext.privileged must be false or unset on every container, init container and ephemeral container.',
    rationale:
      "A privileged container gets every capability and the node's devices and runs without the usual confinement; escaping to the node takes one mount or one kernel module.",
    remediation: 'Remove securityContext.privileged or set it to false, and grant only the specific capability the workload needs.',
    messages: { privileged: 'Container "{{container}}" sets securityContext.privileged to true' },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
    mitre: ['T1611', 'T1610'],
    maturity: 'stable',
    pss: { level: 'baseline', check: 'privileged' },
  },
  reusableVisitor: true,
  check(ctx) {
    resolvePssVersion(ctx.settings.pssVersion);
    return {
      podSpec(ps) {
        for (const c of ps.containers) {
          if (containerSecurityContext(c)?.privileged === true) {
            ctx.report({ messageId: 'privileged', data: { container: c.name }, path: containerSecurityContextPath(c, 'privileged'), evidence: true });
          }
        }
      },
    };
  },
});
