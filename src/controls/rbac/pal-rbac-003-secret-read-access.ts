import { rbacObjectCount } from '../../inventory/rbac-graph.js';
import { defineControl } from '../../core/control.js';
import { reportPermission } from './permission-grants.js';

export default defineControl({
  meta: {
    id: 'PAL-RBAC-003',
    slug: 'secret-read-access',
    title: 'Limit who can read Secrets',
    severity: 'high',
    category: 'rbac',
    description:
      'Fails for each role rule that allows get, list or watch on Secrets (core API group), counting "*" verbs, "*" resources and "*" API groups, and for each binding to a built-in role that does (edit and admin do). Rules narrowed by resourceNames are the recommended form and pass.',
    rationale:
      'Secrets hold database passwords, API keys, TLS keys and, in older clusters and for manually created ones, service account tokens. list and watch return every value in the namespace at once (not only names), so read access to Secrets is read access to everything those credentials open, often including identities more privileged than the reader.',
    remediation:
      'Grant get on the named Secrets the workload needs (resourceNames), or mount them into the pod instead of reading them through the API. Avoid list and watch on Secrets outside controllers that must manage them, and bind edit/admin only where reading every Secret of the namespace is intended.',
    messages: {
      rule: '{{role}} allows {{verbs}} on Secrets {{scope}}',
      binding: '{{binding}} lets {{subjects}} {{verbs}} Secrets {{scope}} through {{role}}',
    },
    appliesTo: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
    references: [
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets',
      'https://kubernetes.io/docs/concepts/configuration/secret/#information-security-for-secrets',
    ],
    mitre: ['T1552.007', 'T1528'],
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
          spec: { verbs: ['get', 'list', 'watch'], targets: [{ group: '', resource: 'secrets' }] },
          ruleMessageId: 'rule',
          bindingMessageId: 'binding',
          pointAt: 'resources',
        });
        return rbacObjectCount(inv);
      },
    };
  },
});
