import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-031',
    slug: 'controller-manager-service-account-private-key',
    title: 'Controller manager must sign service account tokens with a dedicated key',
    severity: 'medium',
    category: 'control-plane',
    description: 'Fails when kube-controller-manager lacks --service-account-private-key-file. (CIS 1.3.4)',
    rationale:
      'The controller manager signs the legacy service account token Secrets with this key. Without it those tokens are not issued consistently with the keys the API server verifies, ' +
      'and key rotation cannot be planned.',
    remediation: 'Set --service-account-private-key-file to the private half of the key pair whose public half is in the API server\'s --service-account-key-file.',
    messages: {
      notSet: 'kube-controller-manager does not set --service-account-private-key-file',
    },
    appliesTo: ['kube-controller-manager static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.3.4',
      'https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/',
    ],
    mitre: ['T1550.001'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-controller-manager', (f) => {
      if (!f.has('service-account-private-key-file')) reportMissing(ctx, f, 'service-account-private-key-file', 'notSet');
    });
  },
});
