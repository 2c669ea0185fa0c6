import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-024',
    slug: 'apiserver-etcd-cafile',
    title: "API server must verify etcd's certificate",
    severity: 'high',
    category: 'control-plane',
    description: 'Fails when kube-apiserver lacks --etcd-cafile. (CIS 1.2.26)',
    rationale:
      'Without a CA the API server cannot tell the real etcd from an impostor. Whoever answers instead receives every write, Secrets included, and decides what every read returns.',
    remediation: 'Set --etcd-cafile to the CA that signs the etcd serving certificates (kubeadm: /etc/kubernetes/pki/etcd/ca.crt).',
    messages: {
      notSet: 'kube-apiserver does not set --etcd-cafile, so the etcd server is not verified',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.26',
      'https://kubernetes.io/docs/tasks/administer-cluster/configure-upgrade-etcd/#securing-etcd-clusters',
    ],
    mitre: ['T1557', 'T1552'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      if (!f.has('etcd-cafile')) reportMissing(ctx, f, 'etcd-cafile', 'notSet');
    });
  },
});
