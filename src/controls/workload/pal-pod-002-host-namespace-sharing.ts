import { defineControl } from '../../core/control.js';
import { setValueFix } from '../lazy-fix.js';
import { pathUnder } from '../finding-path.js';

/** Each field is also its message id. */
const FIELDS = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

export default defineControl({
  meta: {
    id: 'PAL-POD-002',
    slug: 'host-namespace-sharing',
    title: 'Pods must not share the host network, PID or IPC namespace',
    severity: 'high',
    category: 'workload',
    description: 'Fails when a pod spec sets hostNetwork, hostPID or hostIPC to true; each setting is reported on its own.',
    rationale:
      'A pod in the host network namespace sees every interface of the node, can bind its ports and reach services listening on localhost (the kubelet, metadata endpoints), and bypasses NetworkPolicy. In the host PID namespace it sees, signals and (with ptrace) inspects every process of the node, including their environment; in the host IPC namespace it reads and writes the shared memory of host processes. Each removes a wall between the container and the node.',
    remediation:
      'Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false). Expose ports through a Service or hostPort only where necessary; node agents that truly need a host namespace belong in a dedicated, tightly controlled namespace with an exception that records why.',
    messages: {
      hostNetwork: 'Pod shares the host network namespace (hostNetwork: true)',
      hostPID: 'Pod shares the host process namespace (hostPID: true)',
      hostIPC: 'Pod shares the host IPC namespace (hostIPC: true)',
    },
    appliesTo: ['workloads'],
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
      'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#hosts-namespaces',
    ],
    mitre: ['T1611'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      podSpec(ps) {
        for (const field of FIELDS) {
          if (ps.spec[field] !== true) continue;
          const path = pathUnder(ps.path, field);
          ctx.report({ messageId: field, path, evidence: true, fix: setValueFix('replace', path, false) });
        }
      },
    };
  },
});
