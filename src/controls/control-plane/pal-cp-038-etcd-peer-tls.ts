import { defineControl } from '../../core/control.js';
import { etcdUsesConfigFile, onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-038',
    slug: 'etcd-peer-tls',
    title: 'etcd must encrypt traffic between members with a managed certificate',
    severity: 'high',
    category: 'control-plane',
    description:
      'Fails when etcd has no --peer-cert-file or --peer-key-file (flags or ETCD_PEER_CERT_FILE / ETCD_PEER_KEY_FILE). Skipped when etcd uses --config-file. (CIS 2.4)',
    rationale:
      'Members replicate every write to each other. Without peer certificates that replication, Secrets included, crosses the network in clear or under a self-signed certificate, ' +
      'and a single-member etcd gains the problem the day a second member is added.',
    remediation: 'Issue each member a peer certificate from the etcd CA and set --peer-cert-file, --peer-key-file and --peer-trusted-ca-file; use https:// peer URLs.',
    messages: {
      missingCert: 'etcd does not set --peer-cert-file',
      missingKey: 'etcd does not set --peer-key-file',
    },
    appliesTo: ['etcd static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 2.4',
      'https://etcd.io/docs/v3.5/op-guide/security/',
    ],
    mitre: ['T1557', 'T1552'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('etcd', (f) => {
      if (etcdUsesConfigFile(f)) return;
      if (!f.get('peer-cert-file')?.value) reportMissing(ctx, f, 'peer-cert-file', 'missingCert');
      if (!f.get('peer-key-file')?.value) reportMissing(ctx, f, 'peer-key-file', 'missingKey');
    });
  },
});
