import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-005',
    slug: 'apiserver-kubelet-certificate-authority',
    title: "API server must verify kubelets' serving certificates",
    severity: 'medium',
    category: 'control-plane',
    description:
      'Fails when kube-apiserver lacks --kubelet-certificate-authority, so it does not check the certificate a kubelet presents. kubeadm leaves this flag unset. (CIS 1.2.5)',
    rationale:
      'Without a CA to verify against, the API server talks to whatever answers on a node address. Someone who can redirect that traffic sees exec sessions, logs and port-forwards, ' +
      'and can feed forged output back to administrators.',
    remediation:
      'Give kubelets serving certificates signed by a CA the API server knows (serverTLSBootstrap plus an approver for their CSRs) and set --kubelet-certificate-authority to that CA bundle.',
    messages: {
      notSet: 'kube-apiserver does not set --kubelet-certificate-authority, so kubelet certificates are not verified',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.5',
      'https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/#kubelet-serving-certs',
    ],
    mitre: ['T1557'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      if (!f.has('kubelet-certificate-authority')) reportMissing(ctx, f, 'kubelet-certificate-authority', 'notSet');
    });
  },
});
