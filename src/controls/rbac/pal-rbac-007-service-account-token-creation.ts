import { rbacObjectCount } from '../../inventory/rbac-graph.js';
import { defineControl } from '../../core/control.js';
import { reportPermission } from './permission-grants.js';

export default defineControl({
  meta: {
    id: 'PAL-RBAC-007',
    slug: 'service-account-token-creation',
    title: 'Limit who can create service account tokens',
    severity: 'high',
    category: 'rbac',
    description:
      'Fails for each role rule that allows create on serviceaccounts/token for any service account (counting "*" and "*/token"), and for each binding to a built-in role that does (edit, admin). Rules narrowed by resourceNames to the service accounts concerned pass.',
    rationale:
      'The TokenRequest API mints a fresh, valid token for a service account, for any audience and lifetime the API server allows. Whoever may call it for every service account of a namespace can act as the most privileged of them, without touching any pod or Secret, and the tokens outlive the removal of that permission.',
    remediation:
      'Grant create on serviceaccounts/token only to the components that issue tokens, with resourceNames listing the service accounts they serve. Workloads get their own tokens through projected volumes and need no such permission.',
    messages: {
      rule: '{{role}} allows creating tokens for every service account {{scope}}',
      binding: '{{binding}} lets {{subjects}} create tokens for every service account {{scope}} through {{role}}',
    },
    appliesTo: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
    references: [
      'https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/',
      'https://kubernetes.io/docs/concepts/security/service-accounts/',
    ],
    mitre: ['T1528', 'T1078.001'],
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
          spec: { verbs: ['create'], targets: [{ group: '', resource: 'serviceaccounts/token' }] },
          ruleMessageId: 'rule',
          bindingMessageId: 'binding',
          pointAt: 'resources',
        });
        return rbacObjectCount(inv);
      },
    };
  },
});
