import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-004',
    slug: 'apiserver-kubelet-client-cert',
    title: 'API server must authenticate to kubelets with a client certificate',
    severity: 'high',
    category: 'control-plane',
    description: 'Fails when kube-apiserver lacks --kubelet-client-certificate or --kubelet-client-key. (CIS 1.2.4)',
    rationale:
      'The API server calls the kubelet API for exec, attach, port-forward and logs. Without a client certificate it cannot prove who it is, ' +
      'which pushes operators towards kubelets that accept anonymous or unauthorised requests: the same API that runs commands in every container on the node.',
    remediation:
      'Issue the API server a client certificate the kubelets trust (kubeadm writes apiserver-kubelet-client.crt/.key) and pass both --kubelet-client-certificate and --kubelet-client-key.',
    messages: {
      missingCert: 'kube-apiserver does not set --kubelet-client-certificate',
      missingKey: 'kube-apiserver does not set --kubelet-client-key',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.4',
      'https://kubernetes.io/docs/concepts/security/controlling-access/#api-server-to-kubelet',
    ],
    mitre: ['T1609'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      if (!f.has('kubelet-client-certificate')) reportMissing(ctx, f, 'kubelet-client-certificate', 'missingCert');
      if (!f.has('kubelet-client-key')) reportMissing(ctx, f, 'kubelet-client-key', 'missingKey');
    });
  },
});
