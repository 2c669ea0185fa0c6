import { rbacObjectCount } from '../../inventory/rbac-graph.js';
import { defineControl } from '../../core/control.js';
import { reportPermission } from './permission-grants.js';

export default defineControl({
  meta: {
    id: 'PAL-RBAC-005',
    slug: 'pod-exec-attach',
    title: 'Limit who can exec into or attach to pods',
    severity: 'high',
    category: 'rbac',
    description:
      'Fails for each role rule that allows create or get on pods/exec or pods/attach (counting "*", "*/exec" and "*/attach"), and for each binding to a built-in role that does (edit, admin). get is included because clients that open the stream with a WebSocket GET were authorized with get by API servers before v1.30.',
    rationale:
      'exec and attach run commands inside a running container with its identity: its mounted Secrets and service account token, its network position and any host access it has. Admission control does not see the commands, and audit logs record only that a session was opened.',
    remediation:
      'Grant exec/attach only to break-glass roles, preferably through time-bound access, and only where the pods hold nothing more sensitive than the operator may see. Use logs, metrics and ephemeral debug containers under admission control for routine troubleshooting.',
    messages: {
      rule: '{{role}} allows {{verbs}} on {{resources}} {{scope}}',
      binding: '{{binding}} lets {{subjects}} {{verbs}} {{resources}} {{scope}} through {{role}}',
    },
    appliesTo: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
    references: [
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation',
      'https://kubernetes.io/docs/tasks/debug/debug-application/get-shell-running-container/',
      'https://github.com/kubernetes/enhancements/issues/4006',
    ],
    mitre: ['T1609'],
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
          spec: { verbs: ['create', 'get'], targets: [{ group: '', resource: 'pods/exec' }, { group: '', resource: 'pods/attach' }] },
          ruleMessageId: 'rule',
          bindingMessageId: 'binding',
          pointAt: 'resources',
        });
        return rbacObjectCount(inv);
      },
    };
  },
});
