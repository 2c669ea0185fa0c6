import { defineControl } from '../../core/control.js';
import { IGNORE_NAMESPACES_SCHEMA, ignoredNamespaces, isControlled } from './network-policies.js';
import { pathUnder } from '../finding-path.js';

export default defineControl({
  meta: {
    id: 'PAL-NET-003',
    slug: 'pod-not-isolated',
    title: 'Every pod should be selected by a NetworkPolicy',
    severity: 'medium',
    category: 'network',
    description:
      'Fails for each workload whose pods no NetworkPolicy of their namespace selects (by podSelector against the pod template\'s labels). Pods on the host network, which NetworkPolicy does not govern, objects owned by a controller (reported on the controller) and namespaces in the ignoreNamespaces option are skipped.',
    rationale:
      'A pod that no policy selects accepts connections from anywhere in the cluster and may connect anywhere, whatever policies its neighbours have. Selecting every pod makes its allowed traffic an explicit, reviewable decision.',
    remediation:
      'Add a default-deny policy to the namespace (PAL-NET-001) and a policy that selects the workload\'s labels and allows the traffic it serves; check that the policy\'s podSelector matches the pod template labels.',
    messages: {
      notSelected: '{{workload}}: no NetworkPolicy in namespace {{namespace}} selects its pods',
    },
    appliesTo: ['workloads', 'NetworkPolicy'],
    references: ['https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation'],
    mitre: ['T1046', 'T1210'],
    maturity: 'stable',
    requires: ['inventory'],
    optionsSchema: IGNORE_NAMESPACES_SCHEMA,
  },
  reusableVisitor: true,
  check(ctx) {
    const ignore = ignoredNamespaces(ctx.options);
    return {
      inventory(inv) {
        let judged = 0;
        // No NetworkPolicy at all (most admission reviews): no pod is selected, no need to ask.
        const anyPolicy = inv.byKind('NetworkPolicy').length > 0;
        for (const ps of inv.podSpecs) {
          const r = ps.resource;
          if (ps.spec.hostNetwork === true || isControlled(r) || r.kind === 'PodTemplate') continue;
          if (r.namespace !== undefined && ignore.has(r.namespace)) continue;
          judged++;
          if (anyPolicy && inv.networkPoliciesFor(ps).length > 0) continue;
          ctx.report({
            resource: r,
            messageId: 'notSelected',
            path: pathUnder(ps.podMetadataPath, 'labels'),
            data: { workload: `${r.kind} ${r.name}`, namespace: r.namespace ?? '(not set)' },
          });
        }
        return judged;
      },
    };
  },
});
