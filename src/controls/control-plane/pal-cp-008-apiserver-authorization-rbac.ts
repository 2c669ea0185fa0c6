import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-008',
    slug: 'apiserver-authorization-rbac',
    title: 'API server must use RBAC authorization',
    severity: 'high',
    category: 'control-plane',
    description:
      'Fails when --authorization-mode does not include RBAC (an absent flag means AlwaysAllow alone). Silent with --authorization-config. (CIS 1.2.8)',
    rationale:
      'RBAC is the authorizer that Roles, ClusterRoles and their bindings feed. Without it those objects do nothing, and access is decided by AlwaysAllow, ABAC files or a webhook that reviews and tooling do not see.',
    remediation: 'Include RBAC in --authorization-mode, e.g. --authorization-mode=Node,RBAC, and express access as Roles and bindings.',
    messages: {
      notIncluded: 'kube-apiserver --authorization-mode={{value}} does not include RBAC',
      notSet: 'kube-apiserver does not set --authorization-mode, so RBAC is not used',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.8',
      'https://kubernetes.io/docs/reference/access-authn-authz/rbac/',
    ],
    mitre: ['T1078'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      if (f.has('authorization-config')) return;
      const o = f.get('authorization-mode');
      if (!o) return reportMissing(ctx, f, 'authorization-mode', 'notSet');
      if (!f.list('authorization-mode').some((m) => m.value === 'RBAC')) {
        ctx.report({ messageId: 'notIncluded', data: { container: f.name, value: o.value }, path: o.valuePath, evidence: o.value });
      }
    });
  },
});
