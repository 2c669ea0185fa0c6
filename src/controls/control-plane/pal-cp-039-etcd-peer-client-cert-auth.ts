import { defineControl } from '../../core/control.js';
import { etcdUsesConfigFile, onComponent, parseGoBool } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-039',
    slug: 'etcd-peer-client-cert-auth',
    title: 'etcd must require certificates from its peers',
    severity: 'high',
    category: 'control-plane',
    description:
      'Fails when etcd does not run with --peer-client-cert-auth=true (flag or ETCD_PEER_CLIENT_CERT_AUTH; the default is false). Skipped when etcd uses --config-file. (CIS 2.5)',
    rationale:
      'The peer port carries raft replication and snapshots. If it does not demand a certificate from the other side, anything that reaches it can pose as a member and receive the cluster\'s data.',
    remediation: 'Set --peer-client-cert-auth=true and --peer-trusted-ca-file to the etcd CA.',
    messages: {
      notSet: 'etcd does not set --peer-client-cert-auth=true',
      disabled: 'etcd accepts peers without certificates (--peer-client-cert-auth={{value}})',
    },
    appliesTo: ['etcd static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 2.5',
      'https://etcd.io/docs/v3.5/op-guide/security/',
    ],
    mitre: ['T1552', 'T1557'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('etcd', (f) => {
      if (etcdUsesConfigFile(f)) return;
      const o = f.get('peer-client-cert-auth');
      if (!o) ctx.report({ messageId: 'notSet', data: { container: f.name }, path: f.listPath });
      else if (parseGoBool(o.value) !== true) ctx.report({ messageId: 'disabled', data: { container: f.name, value: o.value }, path: o.valuePath, evidence: o.value });
    });
  },
});
