import { defineControl } from '../../core/control.js';
import { onComponent, parseGoBool } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-030',
    slug: 'controller-manager-service-account-credentials',
    title: 'Controller manager must run each controller under its own service account',
    severity: 'medium',
    category: 'control-plane',
    description: 'Fails when kube-controller-manager does not set --use-service-account-credentials=true (the default is false). (CIS 1.3.3)',
    rationale:
      'By default all controllers act with the controller manager\'s own, very broad credentials. With per-controller service accounts each controller gets only the permissions of its ' +
      'system:controller:* role, and the audit log shows which controller did what.',
    remediation: 'Set --use-service-account-credentials=true; the system:controller:* roles it relies on are created by the API server.',
    messages: {
      notSet: 'kube-controller-manager does not set --use-service-account-credentials=true',
      disabled: 'kube-controller-manager runs every controller with shared credentials (--use-service-account-credentials={{value}})',
    },
    appliesTo: ['kube-controller-manager static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.3.3',
      'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#controller-roles',
    ],
    mitre: ['T1078'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-controller-manager', (f) => {
      const o = f.get('use-service-account-credentials');
      if (!o) ctx.report({ messageId: 'notSet', data: { container: f.name }, path: f.listPath });
      else if (parseGoBool(o.value) !== true) ctx.report({ messageId: 'disabled', data: { container: f.name, value: o.value }, path: o.valuePath, evidence: o.value });
    });
  },
});
