import { defineControl } from '../../core/control.js';
import { onComponent } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-033',
    slug: 'controller-manager-rotate-kubelet-server-cert',
    title: 'Controller manager must not turn off kubelet serving certificate rotation',
    severity: 'medium',
    category: 'control-plane',
    description:
      'Fails when kube-controller-manager --feature-gates sets RotateKubeletServerCertificate=false. The gate is on by default, so an absent flag passes. (CIS 1.3.6)',
    rationale:
      'With rotation kubelets renew their serving certificates through the certificates API before they expire. Without it those certificates are long-lived, ' +
      'or self-signed, which makes verifying kubelets (PAL-CP-005) impractical.',
    remediation: 'Remove RotateKubeletServerCertificate=false from --feature-gates (or set it to true) and enable serverTLSBootstrap on the kubelets.',
    messages: {
      disabled: 'kube-controller-manager disables RotateKubeletServerCertificate in --feature-gates',
    },
    appliesTo: ['kube-controller-manager static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.3.6',
      'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/#certificate-rotation',
    ],
    mitre: ['T1557'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-controller-manager', (f) => {
      const gate = f.featureGate('RotateKubeletServerCertificate');
      if (gate && gate.value === false) {
        ctx.report({ messageId: 'disabled', data: { container: f.name }, path: gate.item.path, evidence: gate.item.value });
      }
    });
  },
});
