import { defineControl } from '../../core/control.js';
import { onComponent } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-002',
    slug: 'apiserver-token-auth-file',
    title: 'API server must not use a static token file',
    severity: 'high',
    category: 'control-plane',
    description: 'Fails when kube-apiserver is started with --token-auth-file. (CIS 1.2.2)',
    rationale:
      'Static tokens sit in clear text on every control-plane node, never expire, and can only be changed or revoked by editing the file and restarting the API server. ' +
      'A copied token keeps working for as long as nobody notices.',
    remediation:
      'Remove --token-auth-file and authenticate people through OIDC or another short-lived mechanism, and workloads through service account tokens. Rotate every token that was in the file.',
    messages: {
      set: 'kube-apiserver authenticates with a static token file (--token-auth-file)',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.2',
      'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#static-token-file',
    ],
    mitre: ['T1078', 'T1552.001'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      // The flag name only: the file's path is not secret, but what it guards is.
      for (const o of f.all('token-auth-file')) ctx.report({ messageId: 'set', data: { container: f.name }, path: o.path, evidence: '--token-auth-file' });
    });
  },
});
