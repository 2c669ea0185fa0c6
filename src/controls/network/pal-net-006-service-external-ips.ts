import { defineControl } from '../../core/control.js';
import { serviceSpec } from './service-exposure.js';

export default defineControl({
  meta: {
    id: 'PAL-NET-006',
    slug: 'service-external-ips',
    title: 'Services should not set externalIPs',
    severity: 'medium',
    category: 'network',
    description: 'Fails for each Service with a non-empty spec.externalIPs.',
    rationale:
      'kube-proxy routes traffic for a Service\'s externalIPs to its pods on every node, for whatever address the Service names, and the API server does not check who owns that address. Anyone allowed to create or edit a Service can therefore intercept traffic the cluster sends to any IP (CVE-2020-8554, a design issue with no patch). Legitimate uses are rare and are better served by a LoadBalancer.',
    remediation:
      'Remove externalIPs and use a LoadBalancer Service or an Ingress. Enable the DenyServiceExternalIPs admission plugin (or an admission policy allowing only known addresses) so that new ones cannot be set.',
    messages: {
      externalIPs: 'Service {{service}} claims external IPs {{ips}}',
    },
    appliesTo: ['Service'],
    references: [
      'https://kubernetes.io/docs/concepts/services-networking/service/#external-ips',
      'https://github.com/kubernetes/kubernetes/issues/97076',
      'https://nvd.nist.gov/vuln/detail/CVE-2020-8554',
    ],
    mitre: ['T1557'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      Service(r) {
        const ips = serviceSpec(r).externalIPs;
        if (!Array.isArray(ips) || ips.length === 0) return;
        ctx.report({ messageId: 'externalIPs', path: ['spec', 'externalIPs'], data: { service: r.name, ips: ips.map(String).join(', ') }, evidence: ips });
      },
    };
  },
});
