import { rbacObjectCount } from '../../inventory/rbac-graph.js';
import { defineControl } from '../../core/control.js';
import { reportPermission } from './permission-grants.js';

const RBAC = 'rbac.authorization.k8s.io';

export default defineControl({
  meta: {
    id: 'PAL-RBAC-004',
    slug: 'escalate-bind-impersonate',
    title: 'Limit the escalate, bind and impersonate verbs',
    severity: 'high',
    category: 'rbac',
    description:
      'Fails for each role rule that allows escalate or bind on roles or clusterroles, or impersonate on users, groups or serviceaccounts (counting "*" verbs and resources), and for each binding to a built-in role that does (edit and admin allow impersonating the namespace\'s service accounts).',
    rationale:
      'These verbs switch off RBAC\'s own protection. The API server refuses to let anyone create a role or binding granting more than they hold, unless they have escalate (edit roles freely) or bind (bind roles they do not hold). impersonate lets a client act as another user, group or service account, e.g. as a member of system:masters, with all of its rights.',
    remediation:
      'Remove these verbs from roles of workloads and people. Where a controller has to create bindings, give it bind with resourceNames listing the exact roles it hands out; where impersonation is needed (an auth proxy), restrict it with resourceNames to the identities it serves.',
    messages: {
      escalateRule: '{{role}} allows {{verbs}} on {{resources}} {{scope}}: holders can grant themselves any permission',
      escalateBinding: '{{binding}} lets {{subjects}} {{verbs}} {{resources}} {{scope}} through {{role}}',
      impersonateRule: '{{role}} allows impersonating {{resources}} {{scope}}',
      impersonateBinding: '{{binding}} lets {{subjects}} impersonate {{resources}} {{scope}} through {{role}}',
    },
    appliesTo: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
    references: [
      'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping',
      'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation',
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb',
    ],
    mitre: ['T1098', 'T1078'],
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
          spec: { verbs: ['escalate', 'bind'], targets: [{ group: RBAC, resource: 'roles' }, { group: RBAC, resource: 'clusterroles' }] },
          ruleMessageId: 'escalateRule',
          bindingMessageId: 'escalateBinding',
          pointAt: 'verbs',
        });
        reportPermission(ctx, inv, {
          spec: {
            verbs: ['impersonate'],
            targets: [{ group: '', resource: 'users' }, { group: '', resource: 'groups' }, { group: '', resource: 'serviceaccounts' }],
          },
          ruleMessageId: 'impersonateRule',
          bindingMessageId: 'impersonateBinding',
          pointAt: 'verbs',
        });
        return rbacObjectCount(inv);
      },
    };
  },
});
