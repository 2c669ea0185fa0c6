import { defineControl } from '../../core/control.js';
import { requirePlugin } from './admission-plugins.js';
import { onComponent } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-014',
    slug: 'apiserver-node-restriction',
    title: 'API server must run the NodeRestriction admission plugin',
    severity: 'high',
    category: 'control-plane',
    description: 'Fails when kube-apiserver does not enable the NodeRestriction admission plugin (off by default; kubeadm enables it). (CIS 1.2.14)',
    rationale:
      'NodeRestriction limits a kubelet to changing its own Node object and the status of pods bound to it, and stops it setting node-restriction.kubernetes.io/ labels. ' +
      'Without it, credentials taken from one node can relabel or taint other nodes to attract sensitive workloads, or alter pods elsewhere.',
    remediation: 'Add NodeRestriction to --enable-admission-plugins, together with the Node authorization mode.',
    messages: {
      notEnabled: 'kube-apiserver does not enable the NodeRestriction admission plugin',
      disabled: 'kube-apiserver disables the NodeRestriction admission plugin',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.14',
      'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction',
    ],
    mitre: ['T1078'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => requirePlugin(ctx, f, 'NodeRestriction'));
  },
});
