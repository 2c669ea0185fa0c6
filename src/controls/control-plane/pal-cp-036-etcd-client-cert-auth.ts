import { defineControl } from '../../core/control.js';
import { etcdUsesConfigFile, onComponent, parseGoBool } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-036',
    slug: 'etcd-client-cert-auth',
    title: 'etcd must require client certificates',
    severity: 'critical',
    category: 'control-plane',
    description:
      'Fails when etcd does not run with --client-cert-auth=true (flag or ETCD_CLIENT_CERT_AUTH; the default is false). Skipped when etcd uses --config-file. (CIS 2.2)',
    rationale:
      'Without client certificate authentication anyone who can open a connection to the etcd client port can read and write the whole cluster state: every Secret, every RBAC binding, ' +
      'bypassing the API server, its authorization, its admission and its audit log.',
    remediation: 'Set --client-cert-auth=true and --trusted-ca-file to the etcd CA; give the API server a client certificate from that CA (--etcd-certfile, --etcd-keyfile).',
    messages: {
      notSet: 'etcd does not set --client-cert-auth=true, so any client that reaches it is accepted',
      disabled: 'etcd accepts clients without certificates (--client-cert-auth={{value}})',
    },
    appliesTo: ['etcd static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 2.2',
      'https://etcd.io/docs/v3.5/op-guide/security/',
    ],
    mitre: ['T1552', 'T1078'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('etcd', (f) => {
      if (etcdUsesConfigFile(f)) return;
      const o = f.get('client-cert-auth');
      if (!o) ctx.report({ messageId: 'notSet', data: { container: f.name }, path: f.listPath });
      else if (parseGoBool(o.value) !== true) ctx.report({ messageId: 'disabled', data: { container: f.name, value: o.value }, path: o.valuePath, evidence: o.value });
    });
  },
});
