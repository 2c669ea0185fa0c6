import { defineControl } from '../../core/control.js';
import { isLoopback, onComponent } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-034',
    slug: 'bind-address-loopback',
    title: 'Controller manager and scheduler must listen on loopback only',
    severity: 'low',
    category: 'control-plane',
    description:
      'Fails when kube-controller-manager or kube-scheduler has no --bind-address (the default, 0.0.0.0, listens on every interface) or binds to an address other than loopback. (CIS 1.3.7, 1.4.2)',
    rationale:
      'These components only serve health, metrics and debugging endpoints; nothing outside the node needs them. On every interface they are reachable from pods and the network, ' +
      'adding authentication and parsing code to the attack surface of the two processes that hold the most powerful credentials in the cluster.',
    remediation: 'Set --bind-address=127.0.0.1 and scrape metrics from the node itself or through the API server proxy.',
    messages: {
      allInterfaces: '{{component}} does not set --bind-address, so it listens on all interfaces',
      notLoopback: '{{component}} listens on {{value}} (--bind-address), not on loopback',
    },
    appliesTo: ['kube-controller-manager and kube-scheduler static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.3.7 (controller manager), 1.4.2 (scheduler)',
      'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-scheduler/',
    ],
    mitre: ['T1613', 'T1046'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent(['kube-controller-manager', 'kube-scheduler'], (f) => {
      const o = f.get('bind-address');
      const data = { component: f.component, container: f.name, value: o?.value ?? '0.0.0.0' };
      if (!o) ctx.report({ messageId: 'allInterfaces', data, path: f.listPath });
      else if (!isLoopback(o.value)) ctx.report({ messageId: 'notLoopback', data, path: o.valuePath, evidence: o.value });
    });
  },
});
