import { defineControl } from '../../core/control.js';
import { displayName } from '../../core/resource.js';
import { bindingScopeText, subjectsDisplay } from './permission-grants.js';
import { rbacGraph, rbacObjectCount } from '../../inventory/rbac-graph.js';

export default defineControl({
  meta: {
    id: 'PAL-RBAC-001',
    slug: 'cluster-admin-binding',
    title: 'Nobody should be bound to cluster-admin',
    severity: 'high',
    category: 'rbac',
    description:
      'Fails for every ClusterRoleBinding, and every RoleBinding, whose roleRef is the ClusterRole cluster-admin. Bindings of the API server\'s own bootstrap policy (label kubernetes.io/bootstrapping=rbac-defaults, e.g. the one for system:masters) are left out.',
    rationale:
      'cluster-admin allows every verb on every resource and every non-resource URL. Through a ClusterRoleBinding that is the whole cluster: all Secrets, every node through privileged pods, and RBAC itself. Through a RoleBinding it is still everything inside the namespace, including its Secrets, its service account tokens and its RBAC. A leaked credential of such a subject needs no further escalation.',
    remediation:
      'Bind a role that lists what the subject needs. For people, use the built-in admin, edit or view roles in their namespaces, and keep cluster-wide administration to a small, audited group used through short-lived credentials. For workloads, write a Role with the verbs and resources the controller uses.',
    messages: {
      clusterWide: '{{binding}} grants cluster-admin over the whole cluster to {{subjects}}',
      namespaced: '{{binding}} grants cluster-admin {{scope}} to {{subjects}}',
    },
    appliesTo: ['ClusterRoleBinding', 'RoleBinding'],
    references: [
      'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles',
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege',
    ],
    mitre: ['T1078.001', 'T1098'],
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
          if (b.platformDefault || b.roleRef.kind !== 'ClusterRole' || b.roleRef.name !== 'cluster-admin') continue;
          ctx.report({
            resource: b.resource,
            messageId: b.kind === 'ClusterRoleBinding' ? 'clusterWide' : 'namespaced',
            path: ['roleRef', 'name'],
            data: { binding: displayName(b.resource), subjects: subjectsDisplay(b), scope: bindingScopeText(b) },
            evidence: 'cluster-admin',
          });
        }
        return rbacObjectCount(inv);
      },
    };
  },
});
