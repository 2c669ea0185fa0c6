import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-025',
    slug: 'apiserver-encryption-at-rest',
    title: 'API server must encrypt Secrets at rest',
    severity: 'high',
    category: 'control-plane',
    description:
      'Fails when kube-apiserver lacks --encryption-provider-config. Which providers that file lists (CIS 1.2.28) cannot be seen from the manifest and is left to a manual check. (CIS 1.2.27)',
    rationale:
      'Without an encryption configuration Secrets are stored in etcd as plain protobuf. Anyone with an etcd backup, a snapshot of the data directory or a copy of a control-plane disk reads every credential of the cluster.',
    remediation:
      'Write an EncryptionConfiguration for secrets (and other sensitive resources) that lists kms v2 or aescbc/secretbox first and identity last, set --encryption-provider-config to it, then rewrite existing Secrets so they are stored encrypted.',
    messages: {
      notSet: 'kube-apiserver does not set --encryption-provider-config, so Secrets are stored unencrypted in etcd',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.27',
      'https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/',
    ],
    mitre: ['T1552'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      if (!f.get('encryption-provider-config')?.value) reportMissing(ctx, f, 'encryption-provider-config', 'notSet');
    });
  },
});
