import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-022',
    slug: 'apiserver-tls-cert',
    title: 'API server must serve a managed TLS certificate',
    severity: 'high',
    category: 'control-plane',
    description: 'Fails when kube-apiserver lacks --tls-cert-file or --tls-private-key-file. (CIS 1.2.24)',
    rationale:
      'Without them the API server makes up a self-signed certificate in --cert-dir. Clients can then either pin an accidental certificate or skip verification, ' +
      'and skipping verification is how tokens end up at whoever intercepts the connection.',
    remediation: 'Issue a serving certificate from the cluster CA covering every name and address clients use, and set --tls-cert-file and --tls-private-key-file.',
    messages: {
      missingCert: 'kube-apiserver does not set --tls-cert-file',
      missingKey: 'kube-apiserver does not set --tls-private-key-file',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.24',
      'https://kubernetes.io/docs/setup/best-practices/certificates/',
    ],
    mitre: ['T1557'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      if (!f.has('tls-cert-file')) reportMissing(ctx, f, 'tls-cert-file', 'missingCert');
      if (!f.has('tls-private-key-file')) reportMissing(ctx, f, 'tls-private-key-file', 'missingKey');
    });
  },
});
