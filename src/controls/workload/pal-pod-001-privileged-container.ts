import { defineControl } from '../../core/control.js';
import { setValueFix } from '../lazy-fix.js';
import { pathUnder } from '../finding-path.js';

export default defineControl({
  meta: {
    id: 'PAL-POD-001',
    slug: 'privileged-container',
    title: 'Containers must not run privileged',
    severity: 'critical',
    category: 'workload',
    description: 'Fails when a container, init container or ephemeral container sets securityContext.privileged: true.',
    rationale:
      'A privileged container gets every capability and the host\'s devices, and its processes are root on the node in all but name: escaping to the host is one mount or one kernel module away.',
    remediation: 'Remove securityContext.privileged or set it to false; grant the one capability the workload needs instead.',
    messages: { privileged: 'Container "{{container}}" runs privileged' },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
    mitre: ['T1611', 'T1610'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      container(c) {
        if (c.container.securityContext?.privileged === true) {
          const path = pathUnder(c.path, 'securityContext', 'privileged');
          ctx.report({
            messageId: 'privileged',
            data: { container: c.name },
            path,
            evidence: true,
            fix: setValueFix('replace', path, false),
          });
        }
      },
    };
  },
});
