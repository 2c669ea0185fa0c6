import { defineControl } from '../../core/control.js';
import { displayName } from '../../core/resource.js';
import { DISCOVERY_ROLES } from '../../inventory/rbac-defaults.js';
import { rbacGraph, rbacObjectCount } from '../../inventory/rbac-graph.js';
import { bindingScopeText } from './permission-grants.js';

/** Subjects that stand for "anyone" (or any workload), and the message for each. */
const BROAD: Readonly<Record<string, string>> = {
  'User:system:anonymous': 'anonymous',
  'Group:system:unauthenticated': 'anonymous',
  'Group:system:authenticated': 'authenticated',
  'Group:system:serviceaccounts': 'allServiceAccounts',
};

export default defineControl({
  meta: {
    id: 'PAL-RBAC-009',
    slug: 'anonymous-subject-binding',
    title: 'Do not grant permissions to anonymous or all users',
    severity: 'critical',
    category: 'rbac',
    description:
      'Fails for each binding subject that is the user system:anonymous or one of the groups system:unauthenticated, system:authenticated or system:serviceaccounts, unless the role is one of the discovery roles the API server binds to them itself (system:discovery, system:basic-user, system:public-info-viewer).',
    rationale:
      'system:unauthenticated and system:anonymous are every client that reaches the API server without credentials, when anonymous authentication is on (the default). system:authenticated is everyone holding any valid credential: every service account token of every pod and, on some managed platforms, any account of the identity provider, not only members of the organisation. system:serviceaccounts is every workload of every namespace. Permissions given to them are given to an attacker with the smallest foothold.',
    remediation:
      'Bind roles to named users, groups of the organisation\'s identity provider, or specific service accounts. Disable anonymous authentication (--anonymous-auth=false, or an AuthenticationConfiguration allowing it only for health endpoints) where nothing depends on it.',
    messages: {
      anonymous: '{{binding}} grants {{role}} {{scope}} to {{subject}}, i.e. to unauthenticated clients',
      authenticated: '{{binding}} grants {{role}} {{scope}} to {{subject}}, i.e. to anyone holding any valid credential',
      allServiceAccounts: '{{binding}} grants {{role}} {{scope}} to {{subject}}, i.e. to every pod of every namespace',
    },
    appliesTo: ['RoleBinding', 'ClusterRoleBinding'],
    references: [
      'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests',
      'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles',
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/',
    ],
    mitre: ['T1078.001', 'T1133'],
    maturity: 'stable',
    requires: ['inventory'],
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      inventory(inv) {
        // Nothing to judge (and no graph to build) without RBAC objects.
        if (rbacObjectCount(inv) === 0) return 0;
        for (const b of rbacGraph(inv).bindings) {
          if (b.platformDefault) continue;
          if (b.roleRef.kind === 'ClusterRole' && DISCOVERY_ROLES.has(b.roleRef.name)) continue;
          for (const entry of b.subjects) {
            const s = entry.subject;
            if (!s || s.kind === 'ServiceAccount') continue;
            const messageId = BROAD[`${s.kind}:${s.name}`];
            if (!messageId) continue;
            ctx.report({
              resource: b.resource,
              messageId,
              path: entry.path,
              data: { binding: displayName(b.resource), role: `${b.roleRef.kind} ${b.roleRef.name}`, scope: bindingScopeText(b), subject: `${s.kind} ${s.name}` },
              evidence: s.name,
            });
          }
        }
        return rbacObjectCount(inv);
      },
    };
  },
});
