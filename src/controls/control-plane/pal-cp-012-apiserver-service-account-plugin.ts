import { defineControl } from '../../core/control.js';
import { requirePlugin } from './admission-plugins.js';
import { onComponent } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-012',
    slug: 'apiserver-service-account-plugin',
    title: 'API server must keep the ServiceAccount admission plugin',
    severity: 'medium',
    category: 'control-plane',
    description:
      'Fails when --disable-admission-plugins names ServiceAccount, or a legacy --admission-control list leaves it out. The plugin is on by default. (CIS 1.2.12)',
    rationale:
      'The ServiceAccount plugin gives every pod a service account, checks that the one it names exists, and stops pods from mounting other service accounts\' tokens. ' +
      'Without it the identity a pod runs as is whatever its author wrote, checked by nothing.',
    remediation: 'Remove ServiceAccount from --disable-admission-plugins (or add it to the legacy --admission-control list).',
    messages: {
      notEnabled: 'kube-apiserver does not run the ServiceAccount admission plugin',
      disabled: 'kube-apiserver disables the ServiceAccount admission plugin',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.12',
      'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#serviceaccount',
    ],
    mitre: ['T1078', 'T1528'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => requirePlugin(ctx, f, 'ServiceAccount'));
  },
});
