import { defineControl } from '../../core/control.js';
import { reportMissingDefaultDeny } from './default-deny.js';
import { IGNORE_NAMESPACES_SCHEMA } from './network-policies.js';

export default defineControl({
  meta: {
    id: 'PAL-NET-001',
    slug: 'default-deny-ingress',
    title: 'Namespaces with workloads need a default-deny ingress NetworkPolicy',
    severity: 'medium',
    category: 'network',
    description:
      'Fails for each namespace that contains workloads but no NetworkPolicy with an empty podSelector, Ingress among its policyTypes and no ingress rules. The finding is on the Namespace object when the scan has it, otherwise on the namespace\'s first workload. Namespaces listed in the ignoreNamespaces option (by default the kube-* system namespaces) are skipped; objects without metadata.namespace belong to no namespace here.',
    rationale:
      'Pods accept traffic from every other pod of the cluster until a NetworkPolicy selects them. A default-deny policy turns that around for the whole namespace, including pods added later, so that each allowed flow has to be written down; without it one compromised pod can reach every service, database and admin port in the cluster.',
    remediation:
      'Add to the namespace a NetworkPolicy with podSelector: {} and policyTypes: [Ingress] and no ingress rules, then allow the flows each workload needs with further policies. The CNI plugin must enforce NetworkPolicy (Calico, Cilium, Antrea, …).',
    messages: {
      missing: 'Namespace {{namespace}} ({{workloads}} workload(s)) has no default-deny ingress NetworkPolicy',
    },
    appliesTo: ['Namespace', 'NetworkPolicy', 'workloads'],
    references: [
      'https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic',
    ],
    mitre: ['T1046', 'T1210'],
    maturity: 'stable',
    requires: ['inventory'],
    optionsSchema: IGNORE_NAMESPACES_SCHEMA,
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      inventory(inv) {
        return reportMissingDefaultDeny(ctx, inv, 'Ingress', 'missing');
      },
    };
  },
});
