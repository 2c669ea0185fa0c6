import { defineControl } from '../../core/control.js';
import { isObject } from './pod-fields.js';
import { resolvePssVersion } from './version.js';
import { pathUnder } from '../finding-path.js';

export default defineControl({
  meta: {
    id: 'PSS-HOST-PORTS',
    slug: 'host-ports',
    title: 'Containers must not bind host ports',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "hostPorts" (baseline, every policy version from v1.0): ports[*].hostPort must be 0 or unset on every container, init container and ephemeral container. There is no allow-list of ports. One finding per port entry.',
    rationale:
      "A host port publishes the container directly on the node's network, bypassing Services and NetworkPolicy-aware paths, and ties the pod to nodes where the port is free.",
    remediation: 'Remove hostPort from the container port and expose the workload through a Service (NodePort or LoadBalancer when it must be reachable from outside).',
    messages: { hostPort: 'Container "{{container}}" binds host port {{hostPort}}' },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
    maturity: 'stable',
    pss: { level: 'baseline', check: 'hostPorts' },
  },
  reusableVisitor: true,
  check(ctx) {
    resolvePssVersion(ctx.settings.pssVersion);
    return {
      podSpec(ps) {
        for (const c of ps.containers) {
          const ports = c.container.ports;
          if (!Array.isArray(ports)) continue;
          for (let i = 0; i < ports.length; i++) {
            const p: unknown = ports[i];
            if (!isObject(p)) continue;
            const hp = p.hostPort;
            if (hp === undefined || hp === null || hp === 0) continue;
            ctx.report({ messageId: 'hostPort', data: { container: c.name, hostPort: String(hp) }, path: pathUnder(c.path, 'ports', i, 'hostPort'), evidence: hp });
          }
        }
      },
    };
  },
});
