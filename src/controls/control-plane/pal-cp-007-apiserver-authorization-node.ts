import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-007',
    slug: 'apiserver-authorization-node',
    title: 'API server must use the Node authorizer',
    severity: 'medium',
    category: 'control-plane',
    description:
      'Fails when --authorization-mode does not include Node (an absent flag means AlwaysAllow alone). Silent with --authorization-config. (CIS 1.2.7)',
    rationale:
      "The Node authorizer limits each kubelet to the Secrets, ConfigMaps and volumes of pods scheduled to it. Without it kubelets need broad RBAC grants, and one compromised node's credentials read every Secret in the cluster.",
    remediation: 'Include Node in --authorization-mode, before RBAC: --authorization-mode=Node,RBAC. Pair it with the NodeRestriction admission plugin.',
    messages: {
      notIncluded: 'kube-apiserver --authorization-mode={{value}} does not include Node',
      notSet: 'kube-apiserver does not set --authorization-mode, so the Node authorizer is not used',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.7',
      'https://kubernetes.io/docs/reference/access-authn-authz/node/',
    ],
    mitre: ['T1552.007'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      if (f.has('authorization-config')) return;
      const o = f.get('authorization-mode');
      if (!o) return reportMissing(ctx, f, 'authorization-mode', 'notSet');
      if (!f.list('authorization-mode').some((m) => m.value === 'Node')) {
        ctx.report({ messageId: 'notIncluded', data: { container: f.name, value: o.value }, path: o.valuePath, evidence: o.value });
      }
    });
  },
});
