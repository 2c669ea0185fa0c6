import { defineControl } from '../../core/control.js';
import { requirePlugin } from './admission-plugins.js';
import { onComponent } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-009',
    slug: 'apiserver-event-rate-limit',
    title: 'API server should limit the rate of Event writes',
    severity: 'low',
    category: 'control-plane',
    description: 'Fails when kube-apiserver does not enable the EventRateLimit admission plugin (off by default). (CIS 1.2.9)',
    rationale:
      'Events are written by every component and by anything with create on events. A flood of them, from a crash-looping workload or on purpose, fills etcd and slows the API server for everyone. ' +
      'EventRateLimit caps Event writes per server, namespace, user or source object.',
    remediation:
      'Add EventRateLimit to --enable-admission-plugins and give it limits in the file named by --admission-control-config-file (the plugin refuses to start without one).',
    messages: {
      notEnabled: 'kube-apiserver does not enable the EventRateLimit admission plugin',
      disabled: 'kube-apiserver disables the EventRateLimit admission plugin',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.9',
      'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#eventratelimit',
    ],
    mitre: ['T1499'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => requirePlugin(ctx, f, 'EventRateLimit'));
  },
});
