import { defineControl } from '../../core/control.js';
import { containerResourceVisitor } from './container-resources.js';

export default defineControl({
  meta: {
    id: 'PAL-RES-003',
    slug: 'memory-request',
    title: 'Containers must have a memory request',
    severity: 'medium',
    category: 'resources',
    description:
      'Fails for every container and init container that ends up without a memory request. A memory limit counts as a request, because the API copies a limit into an unset request; pod-level resources and a LimitRange of type Container in the namespace (defaultRequest, default, max or min) count too. Ephemeral containers cannot set resources and are not checked.',
    rationale:
      'The scheduler places pods by their requests. A container without a memory request is treated as needing none, so nodes are overcommitted without anyone deciding it, and under memory pressure such best-effort containers are the first to be killed or evicted. Requests are also what ResourceQuotas and capacity planning count.',
    remediation:
      'Set resources.requests.memory on every container from its observed working set, or a memory limit (which also sets the request), or give the namespace a LimitRange with a default memory request.',
    messages: {
      noMemoryRequest: 'Container "{{container}}" has no memory request and no memory limit to default it from',
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
    return containerResourceVisitor(ctx, { bound: 'requests', resource: 'memory', messageId: 'noMemoryRequest' });
  },
});
