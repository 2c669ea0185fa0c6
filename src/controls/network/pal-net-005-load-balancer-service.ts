import { defineControl } from '../../core/control.js';
import { describePorts, serviceSpec } from './service-exposure.js';

/** Annotations (and values) by which cloud controllers create an internal load balancer. */
const INTERNAL: readonly [string, RegExp][] = [
  ['networking.gke.io/load-balancer-type', /^internal$/i],
  ['cloud.google.com/load-balancer-type', /^internal$/i],
  ['service.beta.kubernetes.io/aws-load-balancer-internal', /^(true|0\.0\.0\.0\/0)$/i],
  ['service.beta.kubernetes.io/aws-load-balancer-scheme', /^internal$/i],
  ['service.beta.kubernetes.io/azure-load-balancer-internal', /^true$/i],
  ['service.beta.kubernetes.io/oci-load-balancer-internal', /^true$/i],
  ['service.beta.kubernetes.io/openstack-internal-load-balancer', /^true$/i],
  ['service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type', /^private$/i],
  ['service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type', /^intranet$/i],
];
const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';
const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);

export default defineControl({
  meta: {
    id: 'PAL-NET-005',
    slug: 'load-balancer-service',
    title: 'LoadBalancer Services should be internal or restricted to known sources',
    severity: 'medium',
    category: 'network',
    description:
      'Fails for each Service of type LoadBalancer that is not internal (by the cloud provider\'s internal-load-balancer annotation) and does not restrict clients with spec.loadBalancerSourceRanges (or the service.beta.kubernetes.io/load-balancer-source-ranges annotation), and for each source range that is 0.0.0.0/0 or ::/0.',
    rationale:
      'A LoadBalancer Service gets an address that the cloud makes reachable from the internet by default, usually without the TLS, authentication, rate limiting and logging an Ingress or Gateway adds. Admin consoles, databases and metrics endpoints exposed this way are found by internet-wide scans within hours.',
    remediation:
      'Expose HTTP services through an Ingress or Gateway. For other protocols, make the load balancer internal with the provider\'s annotation, or list the client networks in spec.loadBalancerSourceRanges.',
    messages: {
      public: 'Service {{service}} gets an internet-facing load balancer without source ranges ({{ports}})',
      openRange: 'Service {{service}} allows load balancer clients from {{range}}, i.e. anywhere',
    },
    appliesTo: ['Service'],
    references: [
      'https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer',
      'https://kubernetes.io/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/',
    ],
    mitre: ['T1133', 'T1190'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      Service(r) {
        const spec = serviceSpec(r);
        if (spec.type !== 'LoadBalancer') return;
        if (INTERNAL.some(([k, v]) => v.test(r.annotations[k] ?? ''))) return;
        const ranges = Array.isArray(spec.loadBalancerSourceRanges) ? spec.loadBalancerSourceRanges : [];
        if (ranges.length) {
          ranges.forEach((range, i) => {
            if (typeof range === 'string' && ANYWHERE.has(range.trim())) {
              ctx.report({ messageId: 'openRange', path: ['spec', 'loadBalancerSourceRanges', i], data: { service: r.name, range }, evidence: range });
            }
          });
          return;
        }
        const annotated = (r.annotations[SOURCE_RANGES_ANNOTATION] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        if (annotated.length) {
          const open = annotated.find((s) => ANYWHERE.has(s));
          if (open) ctx.report({ messageId: 'openRange', path: ['metadata', 'annotations', SOURCE_RANGES_ANNOTATION], data: { service: r.name, range: open }, evidence: open });
          return;
        }
        ctx.report({ messageId: 'public', path: ['spec', 'type'], data: { service: r.name, ports: describePorts(spec) }, evidence: 'LoadBalancer' });
      },
    };
  },
});
