import { rbacObjectCount } from '../../inventory/rbac-graph.js';
import { defineControl } from '../../core/control.js';
import { reportPermission } from './permission-grants.js';

export default defineControl({
  meta: {
    id: 'PAL-RBAC-006',
    slug: 'node-proxy-access',
    title: 'Do not grant access to nodes/proxy',
    severity: 'high',
    category: 'rbac',
    description:
      'Fails for each ClusterRole rule that allows any verb on nodes/proxy (counting "*" and "*/proxy"), and for each ClusterRoleBinding to a built-in role that does. A Role, or a ClusterRole bound only through RoleBindings, cannot grant nodes, which are cluster-scoped.',
    rationale:
      'nodes/proxy forwards requests to the kubelet API of any node. The kubelet API runs commands in every container on the node (/exec, /run), reads their logs and lists pods, and these calls are neither checked by admission control nor recorded per command in the API server audit log. get alone is enough for a WebSocket exec on many versions.',
    remediation:
      'Remove nodes/proxy from roles. Monitoring agents should read metrics from nodes/metrics and nodes/stats, which the kubelet authorizes separately; log shippers should read the node\'s files through their DaemonSet.',
    messages: {
      rule: '{{role}} allows {{verbs}} on nodes/proxy {{scope}}: the kubelet API of every node',
      binding: '{{binding}} lets {{subjects}} {{verbs}} nodes/proxy {{scope}} through {{role}}',
    },
    appliesTo: ['ClusterRole', 'ClusterRoleBinding'],
    references: [
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes',
      'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/#kubelet-authorization',
    ],
    mitre: ['T1609', 'T1552.007'],
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
          // The kubelet maps HTTP methods to these verbs.
          spec: { verbs: ['get', 'create', 'update', 'patch', 'delete'], targets: [{ group: '', resource: 'nodes/proxy' }], clusterScoped: true, includeNamed: true },
          ruleMessageId: 'rule',
          bindingMessageId: 'binding',
          pointAt: 'resources',
        });
        return rbacObjectCount(inv);
      },
    };
  },
});
