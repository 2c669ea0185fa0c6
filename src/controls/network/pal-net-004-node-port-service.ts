import { defineControl } from '../../core/control.js';
import { describePorts, serviceSpec } from './service-exposure.js';

export default defineControl({
  meta: {
    id: 'PAL-NET-004',
    slug: 'node-port-service',
    title: 'Avoid NodePort Services',
    severity: 'low',
    category: 'network',
    description: 'Fails for each Service of type NodePort.',
    rationale:
      'A NodePort Service opens its port on every node\'s addresses, outside NetworkPolicy ingress rules for most CNI set-ups and often outside the load balancer\'s TLS, authentication and logging. Anything that can reach a node, including other tenants and, on nodes with public addresses, the internet, reaches the workload directly.',
    remediation:
      'Use a ClusterIP Service behind an Ingress or Gateway, or a LoadBalancer Service restricted with loadBalancerSourceRanges. Where a NodePort is unavoidable, filter the port range on the nodes\' firewall or security group.',
    messages: {
      nodePort: 'Service {{service}} is exposed on every node ({{ports}})',
    },
    appliesTo: ['Service'],
    references: ['https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport'],
    mitre: ['T1133', 'T1190'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      Service(r) {
        const spec = serviceSpec(r);
        if (spec.type !== 'NodePort') return;
        ctx.report({ messageId: 'nodePort', path: ['spec', 'type'], data: { service: r.name, ports: describePorts(spec) }, evidence: 'NodePort' });
      },
    };
  },
});
