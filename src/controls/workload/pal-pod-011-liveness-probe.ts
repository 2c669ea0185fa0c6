import { defineControl } from '../../core/control.js';
import { missingProbeVisitor } from './pod-lifecycle.js';

export default defineControl({
  meta: {
    id: 'PAL-POD-011',
    slug: 'liveness-probe',
    title: 'Long-running containers should have a liveness probe',
    severity: 'low',
    category: 'workload',
    description:
      'Fails for every regular container without a livenessProbe. Init containers (including restartPolicy: Always sidecars, for now) and ephemeral containers are not checked. Pods that run to completion are exempt: those of Jobs and CronJobs and any pod with restartPolicy Never or OnFailure, because a task that ends on its own is bounded by activeDeadlineSeconds rather than restarted by a probe. A startupProbe does not replace a liveness probe: it only guards the start.',
    rationale:
      'A process can hang without exiting: a deadlock, an exhausted connection pool, a stuck event loop. Without a liveness probe the kubelet cannot tell, and the container keeps its place while serving nothing, which is an outage in slow motion and, for security, a denial of service that heals only by hand. A liveness probe lets the kubelet restart it.',
    remediation:
      'Add a livenessProbe that checks the process itself (an HTTP health endpoint, a TCP port or a gRPC health check), not its dependencies, with a timeout and failure threshold that tolerate normal pauses; add a startupProbe for slow starts instead of a long initial delay.',
    messages: {
      missing: 'Container "{{container}}" has no liveness probe',
    },
    appliesTo: ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'PodTemplate'],
    references: [
      'https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/',
      'https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/',
    ],
    mitre: ['T1499'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return missingProbeVisitor(ctx, 'livenessProbe');
  },
});
