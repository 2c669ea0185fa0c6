import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-021',
    slug: 'apiserver-etcd-client-cert',
    title: 'API server must authenticate to etcd with a client certificate',
    severity: 'high',
    category: 'control-plane',
    description: 'Fails when kube-apiserver lacks --etcd-certfile or --etcd-keyfile. (CIS 1.2.23)',
    rationale:
      'etcd holds every object of the cluster, Secrets included, and has no notion of Kubernetes users: whoever etcd lets in reads and writes all of it. ' +
      'A client certificate is how etcd tells the API server from anything else on the network, and only works if etcd requires one (PAL-CP-036).',
    remediation:
      'Issue the API server an etcd client certificate (kubeadm: apiserver-etcd-client.crt/.key), set --etcd-certfile and --etcd-keyfile, and use https:// in --etcd-servers.',
    messages: {
      missingCert: 'kube-apiserver does not set --etcd-certfile',
      missingKey: 'kube-apiserver does not set --etcd-keyfile',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.23',
      'https://kubernetes.io/docs/tasks/administer-cluster/configure-upgrade-etcd/#securing-etcd-clusters',
    ],
    mitre: ['T1552'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      if (!f.has('etcd-certfile')) reportMissing(ctx, f, 'etcd-certfile', 'missingCert');
      if (!f.has('etcd-keyfile')) reportMissing(ctx, f, 'etcd-keyfile', 'missingKey');
    });
  },
});
