import { defineControl } from '../../core/control.js';
import { reportMissingDefaultDeny } from './default-deny.js';
import { IGNORE_NAMESPACES_SCHEMA } from './network-policies.js';

export default defineControl({
  meta: {
    id: 'PAL-NET-002',
    slug: 'default-deny-egress',
    title: 'Namespaces with workloads should have a default-deny egress NetworkPolicy',
    severity: 'low',
    category: 'network',
    description:
      'Fails for each namespace that contains workloads but no NetworkPolicy with an empty podSelector, Egress in its policyTypes and no egress rules other than ones opening DNS (port 53 or the kube-dns port names). Reported like PAL-NET-001, with the same ignoreNamespaces option.',
    rationale:
      'Without egress isolation a compromised pod can download tooling, reach cloud metadata endpoints and the API server, scan the cluster network and send data anywhere. Denying egress by default limits each workload to the destinations it was written to use.',
    remediation:
      'Add a NetworkPolicy with podSelector: {}, policyTypes: [Egress] and, if pods resolve names, one egress rule allowing UDP and TCP port 53 to the cluster DNS; then allow each workload\'s destinations with further policies.',
    messages: {
      missing: 'Namespace {{namespace}} ({{workloads}} workload(s)) has no default-deny egress NetworkPolicy',
    },
    appliesTo: ['Namespace', 'NetworkPolicy', 'workloads'],
    references: ['https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic'],
    mitre: ['T1041', 'T1046'],
    maturity: 'stable',
    requires: ['inventory'],
    optionsSchema: IGNORE_NAMESPACES_SCHEMA,
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      inventory(inv) {
        return reportMissingDefaultDeny(ctx, inv, 'Egress', 'missing');
      },
    };
  },
});
