import { defineControl } from '../../core/control.js';
import { onComponent, parseGoBool } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-019',
    slug: 'apiserver-service-account-lookup',
    title: 'API server must check that service account tokens are still valid',
    severity: 'medium',
    category: 'control-plane',
    description: 'Fails when kube-apiserver runs with --service-account-lookup=false (the default, true, passes). (CIS 1.2.21)',
    rationale:
      'With lookup off, the API server accepts a service account token as long as its signature verifies, even after the ServiceAccount, its Secret or the pod it was bound to has been deleted. ' +
      'Deleting the account then no longer revokes a leaked token.',
    remediation: 'Remove --service-account-lookup or set it to true.',
    messages: {
      disabled: 'kube-apiserver accepts tokens of deleted service accounts (--service-account-lookup={{value}})',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.21',
      'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#service-account-tokens',
    ],
    mitre: ['T1550.001', 'T1528'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      const o = f.get('service-account-lookup');
      if (o && parseGoBool(o.value) !== true) {
        ctx.report({
          messageId: 'disabled',
          data: { container: f.name, value: o.value },
          path: o.valuePath,
          evidence: `--service-account-lookup=${o.value}`,
          fix: () => f.replaceFix(o, 'true'),
        });
      }
    });
  },
});
