import { rbacObjectCount } from '../../inventory/rbac-graph.js';
import { defineControl } from '../../core/control.js';
import { reportPermission } from './permission-grants.js';

const GROUP = 'admissionregistration.k8s.io';
const RESOURCES = [
  'mutatingwebhookconfigurations',
  'validatingwebhookconfigurations',
  'validatingadmissionpolicies',
  'validatingadmissionpolicybindings',
  'mutatingadmissionpolicies',
  'mutatingadmissionpolicybindings',
];

export default defineControl({
  meta: {
    id: 'PAL-RBAC-012',
    slug: 'admission-control-tampering',
    title: 'Limit who can change admission webhooks and policies',
    severity: 'high',
    category: 'rbac',
    description:
      'Fails for each ClusterRole rule that allows create, update, patch, delete or deletecollection on admission webhook configurations or (Validating|Mutating)AdmissionPolicies and their bindings (admissionregistration.k8s.io), counting wildcards, and for each ClusterRoleBinding to a built-in role that does. These resources are cluster-scoped, so Roles and RoleBindings cannot grant them.',
    rationale:
      'Admission control is where Pod Security, image and registry policies and most guard rails are enforced. Whoever can delete or loosen a policy or webhook switches those controls off for everyone; whoever can add a mutating webhook receives every matching object, Secrets included, and can rewrite pods as they are created.',
    remediation:
      'Keep these permissions to the installer of the policy engine (with resourceNames for the configurations it owns) and to cluster administrators. Watch changes to them in the audit log.',
    messages: {
      rule: '{{role}} allows {{verbs}} on {{resources}} {{scope}}',
      binding: '{{binding}} lets {{subjects}} {{verbs}} {{resources}} {{scope}} through {{role}}',
    },
    appliesTo: ['ClusterRole', 'ClusterRoleBinding'],
    references: [
      'https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/',
      'https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/',
    ],
    mitre: ['T1562.001', 'T1554'],
    maturity: 'stable',
    requires: ['inventory'],
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      inventory(inv) {
        // Nothing to judge (and no graph to build) without RBAC objects.
        if (rbacObjectCount(inv) === 0) return 0;
        reportPermission(ctx, inv, {
          spec: {
            verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'],
            targets: RESOURCES.map((resource) => ({ group: GROUP, resource })),
            clusterScoped: true,
          },
          ruleMessageId: 'rule',
          bindingMessageId: 'binding',
          pointAt: 'resources',
        });
        return rbacObjectCount(inv);
      },
    };
  },
});
