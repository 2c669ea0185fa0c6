import { defineControl } from '../../core/control.js';
import { resolvePssVersion } from './version.js';
import { pathUnder } from '../finding-path.js';

const FIELDS = [
  ['hostNetwork', 'network'],
  ['hostPID', 'process ID'],
  ['hostIPC', 'IPC'],
] as const;

export default defineControl({
  meta: {
    id: 'PSS-HOST-NAMESPACES',
    slug: 'host-namespaces',
    title: 'Pods must not share the host namespaces',
    severity: 'high',
    category: 'pss',
    description:
      'Pod Security Admission check "hostNamespaces" (baseline, every policy version from v1.0): spec.hostNetwork, spec.hostPID and spec.hostIPC must be false or unset. One finding per field set to true.',
    rationale:
      "A pod in the host's network namespace sees and binds every node interface, including services bound to localhost; in the host's PID namespace it can see and signal every process on the node; in the host's IPC namespace it can read other workloads' shared memory.",
    remediation: 'Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false). Expose the workload through a Service instead of the node network.',
    messages: { hostNamespace: "Pod shares the host's {{namespace}} namespace ({{field}}: true)" },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
    mitre: ['T1611'],
    maturity: 'stable',
    pss: { level: 'baseline', check: 'hostNamespaces' },
  },
  reusableVisitor: true,
  check(ctx) {
    resolvePssVersion(ctx.settings.pssVersion); // every version behaves the same; validates the setting
    return {
      podSpec(ps) {
        for (const [field, namespace] of FIELDS) {
          if (ps.spec[field] === true) {
            ctx.report({ messageId: 'hostNamespace', data: { field, namespace }, path: pathUnder(ps.path, field), evidence: true });
          }
        }
      },
    };
  },
});
