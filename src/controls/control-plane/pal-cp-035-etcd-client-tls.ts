import { defineControl } from '../../core/control.js';
import { etcdUsesConfigFile, onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-035',
    slug: 'etcd-client-tls',
    title: 'etcd must serve clients over TLS with a managed certificate',
    severity: 'high',
    category: 'control-plane',
    description:
      'Fails when etcd has no --cert-file or --key-file (as a flag or as ETCD_CERT_FILE / ETCD_KEY_FILE). ' +
      'An etcd started with --config-file ignores flags and variables, so it is skipped. (CIS 2.1)',
    rationale:
      'Without a serving certificate etcd either speaks plain HTTP to its clients, sending every Secret across the network in clear, or falls back to a self-signed certificate (--auto-tls) nobody can verify.',
    remediation: 'Issue etcd a serving certificate from a CA dedicated to etcd and set --cert-file and --key-file; list only https:// URLs in --listen-client-urls.',
    messages: {
      missingCert: 'etcd does not set --cert-file',
      missingKey: 'etcd does not set --key-file',
    },
    appliesTo: ['etcd static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 2.1',
      'https://etcd.io/docs/v3.5/op-guide/security/',
    ],
    mitre: ['T1552', 'T1557'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('etcd', (f) => {
      if (etcdUsesConfigFile(f)) return;
      if (!f.get('cert-file')?.value) reportMissing(ctx, f, 'cert-file', 'missingCert');
      if (!f.get('key-file')?.value) reportMissing(ctx, f, 'key-file', 'missingKey');
    });
  },
});
