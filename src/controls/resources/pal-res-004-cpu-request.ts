import { defineControl } from '../../core/control.js';
import { containerResourceVisitor } from './container-resources.js';

export default defineControl({
  meta: {
    id: 'PAL-RES-004',
    slug: 'cpu-request',
    title: 'Containers must have a CPU request',
    severity: 'medium',
    category: 'resources',
    description:
      'Fails for every container and init container that ends up without a CPU request. A CPU limit counts as a request, because the API copies a limit into an unset request; pod-level resources and a LimitRange of type Container in the namespace (defaultRequest, default, max or min) count too. Ephemeral containers cannot set resources and are not checked.',
    rationale:
      'The CPU request decides where a pod is scheduled and, through its CPU weight, what share of a busy node it gets. A container without one gets the smallest share whenever the node is contended, and the node it lands on may have no CPU to spare at all; its latency then depends on whatever its neighbours do.',
    remediation:
      'Set resources.requests.cpu on every container from its typical usage, or a CPU limit (which also sets the request), or give the namespace a LimitRange with a default CPU request.',
    messages: {
      noCpuRequest: 'Container "{{container}}" has no CPU request and no CPU limit to default it from',
    },
    appliesTo: ['workloads', 'LimitRange'],
    references: [
      'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
      'https://kubernetes.io/docs/concepts/policy/limit-range/',
      'https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-level-resources/',
    ],
    mitre: ['T1499'],
    maturity: 'stable',
    requires: ['inventory'],
  },
  reusableVisitor: true,
  check(ctx) {
    return containerResourceVisitor(ctx, { bound: 'requests', resource: 'cpu', messageId: 'noCpuRequest' });
  },
});
