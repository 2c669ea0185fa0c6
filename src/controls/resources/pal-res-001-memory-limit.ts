import { defineControl } from '../../core/control.js';
import { containerResourceVisitor } from './container-resources.js';

export default defineControl({
  meta: {
    id: 'PAL-RES-001',
    slug: 'memory-limit',
    title: 'Containers must have a memory limit',
    severity: 'medium',
    category: 'resources',
    description:
      'Fails for every container and init container that ends up without a memory limit: none of its own, none at pod level (spec.resources) and no default from a LimitRange of type Container in its namespace (default or max). Ephemeral containers cannot set resources and are not checked.',
    rationale:
      'A container without a memory limit can take all the memory of its node. The kernel then kills processes of other pods, or the kubelet evicts them, so one leaking or attacked workload becomes an outage of its neighbours; it is also the cheapest denial of service an intruder can cause. Memory cannot be throttled, only capped, so the limit is the only hard bound.',
    remediation:
      'Set resources.limits.memory on every container, from observed peak usage plus headroom, or give the namespace a LimitRange with a default memory limit. Setting the request equal to the limit gives the pod the most predictable treatment under memory pressure.',
    messages: {
      noMemoryLimit: 'Container "{{container}}" has no memory limit',
    },
    appliesTo: ['workloads', 'LimitRange'],
    references: [
      'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
      'https://kubernetes.io/docs/concepts/policy/limit-range/',
      'https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-level-resources/',
    ],
    mitre: ['T1499', 'T1496'],
    maturity: 'stable',
    requires: ['inventory'],
  },
  reusableVisitor: true,
  check(ctx) {
    return containerResourceVisitor(ctx, { bound: 'limits', resource: 'memory', messageId: 'noMemoryLimit' });
  },
});
