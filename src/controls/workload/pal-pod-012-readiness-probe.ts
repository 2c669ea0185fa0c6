import { defineControl } from '../../core/control.js';
import { missingProbeVisitor } from './pod-lifecycle.js';

export default defineControl({
  meta: {
    id: 'PAL-POD-012',
    slug: 'readiness-probe',
    title: 'Long-running containers should have a readiness probe',
    severity: 'low',
    category: 'workload',
    description:
      'Fails for every regular container without a readinessProbe. Init containers (including restartPolicy: Always sidecars, for now) and ephemeral containers are not checked. Pods that run to completion are exempt: those of Jobs and CronJobs and any pod with restartPolicy Never or OnFailure, because they serve no traffic and take part in no rolling update, which is all readiness decides.',
    rationale:
      'Readiness tells Services and rolling updates when a pod can take traffic. Without it a pod counts as ready the moment its containers start: requests reach it before it has loaded its configuration or warmed its caches, and a rollout of a broken version proceeds at full speed, replacing working pods with failing ones.',
    remediation:
      'Add a readinessProbe that answers only when the container can serve requests (an HTTP endpoint, a TCP port or a gRPC health check); it may check critical dependencies, unlike the liveness probe.',
    messages: {
      missing: 'Container "{{container}}" has no readiness probe',
    },
    appliesTo: ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'PodTemplate'],
    references: [
      'https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/',
      'https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/',
    ],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return missingProbeVisitor(ctx, 'readinessProbe');
  },
});
