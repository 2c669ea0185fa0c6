import { defineControl } from '../../core/control.js';

/**
 * Objects the control plane itself keeps in "default": a live-cluster scan always sees
 * them, and nobody can move them.
 */
const SYSTEM_OBJECTS: ReadonlySet<string> = new Set([
  'Service/kubernetes',
  'Endpoints/kubernetes',
  'EndpointSlice/kubernetes',
  'ServiceAccount/default',
  'ConfigMap/kube-root-ca.crt',
]);

/** Kinds the cluster writes into every namespace as records, not as workloads or configuration. */
const RECORD_KINDS: ReadonlySet<string> = new Set(['Event']);

export default defineControl({
  meta: {
    id: 'PAL-POD-009',
    slug: 'default-namespace',
    title: 'Objects should not be placed in the default namespace',
    severity: 'low',
    category: 'workload',
    description:
      'Fails for namespaced objects whose metadata.namespace is "default". Objects without a namespace are not reported: they land in whatever namespace they are applied to. Objects the control plane keeps in "default" (the kubernetes Service and its endpoints, the default ServiceAccount, the kube-root-ca.crt ConfigMap) and Events are not reported.',
    rationale:
      'The default namespace is where everything lands that nobody placed deliberately, so it is rarely covered by the per-namespace guardrails a team sets up: Pod Security admission labels, NetworkPolicies, ResourceQuotas, LimitRanges and narrowly scoped RoleBindings. Workloads there share one flat space with anything else put there by accident, and broad permissions granted to "make default work" end up covering all of it.',
    remediation:
      'Create a namespace per application or team, apply the Pod Security, network, quota and RBAC guardrails to it, and set metadata.namespace (or deploy with --namespace) accordingly.',
    messages: {
      defaultNamespace: '{{kind}} "{{name}}" is in the default namespace',
    },
    appliesTo: ['namespaced objects'],
    references: [
      'https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/',
      'https://kubernetes.io/docs/concepts/security/multi-tenancy/',
    ],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      resource(r) {
        // Resource.namespace is undefined for cluster-scoped kinds, so this is namespaced-only.
        if (r.namespace !== 'default') return;
        if (RECORD_KINDS.has(r.kind) || ((r.group === '' || r.group === 'discovery.k8s.io') && SYSTEM_OBJECTS.has(`${r.kind}/${r.name}`))) return;
        ctx.report({ messageId: 'defaultNamespace', data: { kind: r.kind, name: r.name }, path: ['metadata', 'namespace'], evidence: 'default' });
      },
    };
  },
});
