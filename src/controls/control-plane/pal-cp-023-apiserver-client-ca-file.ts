import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-023',
    slug: 'apiserver-client-ca-file',
    title: 'API server must name the CA for client certificates',
    severity: 'medium',
    category: 'control-plane',
    description: 'Fails when kube-apiserver lacks --client-ca-file. (CIS 1.2.25)',
    rationale:
      'Kubelets, controllers and the scheduler authenticate with client certificates. Without a client CA the API server cannot check them, ' +
      'so those components fall back to long-lived bearer tokens that are easier to copy and harder to scope.',
    remediation: 'Set --client-ca-file to the cluster CA bundle that signs component and kubelet client certificates.',
    messages: {
      notSet: 'kube-apiserver does not set --client-ca-file',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.25',
      'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#x509-client-certificates',
    ],
    mitre: ['T1078'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      if (!f.has('client-ca-file')) reportMissing(ctx, f, 'client-ca-file', 'notSet');
    });
  },
});
