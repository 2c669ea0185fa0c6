import { defineControl } from '../../core/control.js';
import { containerResourceVisitor } from './container-resources.js';

export default defineControl({
  meta: {
    id: 'PAL-RES-002',
    slug: 'cpu-limit',
    title: 'Containers should have a CPU limit',
    severity: 'low',
    category: 'resources',
    description:
      'Fails for every container and init container that ends up without a CPU limit: none of its own, none at pod level (spec.resources) and no default from a LimitRange of type Container in its namespace (default or max). Ephemeral containers cannot set resources and are not checked.',
    rationale:
      'Without a CPU limit a container may use every idle core of its node. Its neighbours\' CPU requests still guarantee them their share, so this is the least severe of the resource checks, and some teams leave CPU limits off on purpose to avoid throttling; but a limit bounds what a compromised container can burn (cryptomining is the common case) and keeps noisy workloads predictable. Lower the severity or record an exception where unbounded CPU is a deliberate choice.',
    remediation:
      'Set resources.limits.cpu on every container, or give the namespace a LimitRange with a default CPU limit; size it from observed usage so that normal bursts are not throttled.',
    messages: {
      noCpuLimit: 'Container "{{container}}" has no CPU limit',
    },
    appliesTo: ['workloads', 'LimitRange'],
    references: [
      'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
      'https://kubernetes.io/docs/concepts/policy/limit-range/',
      'https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-level-resources/',
    ],
    mitre: ['T1496'],
    maturity: 'stable',
    requires: ['inventory'],
  },
  reusableVisitor: true,
  check(ctx) {
    return containerResourceVisitor(ctx, { bound: 'limits', resource: 'cpu', messageId: 'noCpuLimit' });
  },
});
