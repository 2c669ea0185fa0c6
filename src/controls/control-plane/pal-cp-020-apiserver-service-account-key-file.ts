import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-020',
    slug: 'apiserver-service-account-key-file',
    title: 'API server must name the keys that verify service account tokens',
    severity: 'medium',
    category: 'control-plane',
    description: 'Fails when kube-apiserver lacks --service-account-key-file. (CIS 1.2.22)',
    rationale:
      'Without the flag the API server verifies service account tokens with its own TLS serving key, tying token trust to the serving certificate: rotating one breaks or silently extends the other, ' +
      'and old signing keys cannot be retired on their own schedule.',
    remediation:
      'Keep a dedicated key pair for service account tokens: the private key in --service-account-signing-key-file (and the controller manager\'s --service-account-private-key-file), ' +
      'the public key(s) in --service-account-key-file.',
    messages: {
      notSet: 'kube-apiserver does not set --service-account-key-file',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.22',
      'https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/',
    ],
    mitre: ['T1550.001'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      if (!f.has('service-account-key-file')) reportMissing(ctx, f, 'service-account-key-file', 'notSet');
    });
  },
});
