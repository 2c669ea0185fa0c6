import { defineControl } from '../../core/control.js';
import { etcdUsesConfigFile, onComponent, parseGoBool } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-037',
    slug: 'etcd-auto-tls',
    title: 'etcd must not use self-signed certificates',
    severity: 'medium',
    category: 'control-plane',
    description: 'Fails when etcd runs with --auto-tls=true or --peer-auto-tls=true (flags or ETCD_AUTO_TLS / ETCD_PEER_AUTO_TLS). Skipped when etcd uses --config-file. (CIS 2.3, 2.6)',
    rationale:
      'Auto TLS makes etcd generate a self-signed certificate at start-up. Traffic is encrypted, but no client or peer can verify whom it is talking to, ' +
      'so anyone in the path can present their own certificate and read or alter the data.',
    remediation: 'Remove --auto-tls and --peer-auto-tls (or set them to false) and configure certificates from a dedicated etcd CA (--cert-file/--key-file, --peer-cert-file/--peer-key-file).',
    messages: {
      autoTls: 'etcd serves clients with a self-signed certificate (--auto-tls={{value}})',
      peerAutoTls: 'etcd talks to peers with a self-signed certificate (--peer-auto-tls={{value}})',
    },
    appliesTo: ['etcd static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 2.3 (client), 2.6 (peer)',
      'https://etcd.io/docs/v3.5/op-guide/security/',
    ],
    mitre: ['T1557'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('etcd', (f) => {
      if (etcdUsesConfigFile(f)) return;
      for (const [flag, messageId] of [['auto-tls', 'autoTls'], ['peer-auto-tls', 'peerAutoTls']] as const) {
        const o = f.get(flag);
        if (o && parseGoBool(o.value) === true) {
          ctx.report({ messageId, data: { container: f.name, value: o.value }, path: o.valuePath, evidence: `--${flag}=${o.value}` });
        }
      }
    });
  },
});
