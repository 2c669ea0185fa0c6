import { defineControl } from '../../core/control.js';
import { requirePlugin } from './admission-plugins.js';
import { onComponent } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-003',
    slug: 'apiserver-deny-service-external-ips',
    title: 'API server should run the DenyServiceExternalIPs admission plugin',
    severity: 'medium',
    category: 'control-plane',
    description:
      'Fails when kube-apiserver does not enable the DenyServiceExternalIPs admission plugin, which is off by default, or explicitly disables it. (CIS 1.2.3)',
    rationale:
      'Anyone who may create or update a Service can set spec.externalIPs to any address, and kube-proxy then sends cluster traffic for that address to their pods. ' +
      'That is CVE-2020-8554: a tenant intercepts traffic meant for an external service or another tenant. The plugin rejects new externalIPs outright.',
    remediation:
      'Add DenyServiceExternalIPs to --enable-admission-plugins. If some Services need external IPs, leave the plugin off and restrict the field with a policy that allows only reviewed addresses.',
    messages: {
      notEnabled: 'kube-apiserver does not enable the DenyServiceExternalIPs admission plugin',
      disabled: 'kube-apiserver disables the DenyServiceExternalIPs admission plugin',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.3',
      'CVE-2020-8554',
      'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#denyserviceexternalips',
    ],
    mitre: ['T1557'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => requirePlugin(ctx, f, 'DenyServiceExternalIPs'));
  },
});
