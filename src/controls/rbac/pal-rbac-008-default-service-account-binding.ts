import { defineControl } from '../../core/control.js';
import { displayName } from '../../core/resource.js';
import { displayNamespace, rbacGraph, rbacObjectCount } from '../../inventory/rbac-graph.js';
import { bindingScopeText } from './permission-grants.js';

export default defineControl({
  meta: {
    id: 'PAL-RBAC-008',
    slug: 'default-service-account-binding',
    title: 'Do not grant permissions to the default service account',
    severity: 'medium',
    category: 'rbac',
    description:
      'Fails for each subject of a RoleBinding or ClusterRoleBinding that is the service account named "default" of a namespace (as a ServiceAccount subject or as the user system:serviceaccount:<namespace>:default).',
    rationale:
      'Every namespace has a default service account, and every pod that names no service account runs as it. Permissions given to it go to every such pod, including ones added later for unrelated purposes, and cannot be told apart in the audit log from those of the workload that needed them.',
    remediation:
      'Create a dedicated ServiceAccount for the workload that needs the permissions, set spec.serviceAccountName in its pod template, and bind the role to that account. Leave the default account without bindings and with automountServiceAccountToken: false.',
    messages: {
      defaultServiceAccount:
        '{{binding}} grants {{role}} {{scope}} to the default service account of namespace {{namespace}}: every pod there without its own service account gets it',
    },
    appliesTo: ['RoleBinding', 'ClusterRoleBinding'],
    references: [
      'https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts',
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege',
    ],
    mitre: ['T1078.001', 'T1528'],
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
          for (const entry of b.subjects) {
            const s = entry.subject;
            if (s?.kind !== 'ServiceAccount' || s.name !== 'default') continue;
            ctx.report({
              resource: b.resource,
              messageId: 'defaultServiceAccount',
              path: entry.path,
              data: {
                binding: displayName(b.resource),
                role: `${b.roleRef.kind} ${b.roleRef.name}`,
                scope: bindingScopeText(b),
                namespace: displayNamespace(s.namespace),
              },
              evidence: `system:serviceaccount:${s.namespace}:default`,
            });
          }
        }
        return rbacObjectCount(inv);
      },
    };
  },
});
