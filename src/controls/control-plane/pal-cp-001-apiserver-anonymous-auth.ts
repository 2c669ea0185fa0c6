import { defineControl } from '../../core/control.js';
import { onComponent, parseGoBool, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-001',
    slug: 'apiserver-anonymous-auth',
    title: 'API server must refuse anonymous requests',
    severity: 'medium',
    category: 'control-plane',
    description:
      'Fails when kube-apiserver runs with --anonymous-auth=true, or without the flag (anonymous requests are accepted by default). ' +
      'When --authentication-config is given, anonymous access may be configured in that file, which a manifest scan cannot read, so the check stays silent. (CIS 1.2.1)',
    rationale:
      'Every request no authenticator claims becomes user system:anonymous in group system:unauthenticated. With RBAC that is only discovery and health endpoints by default, ' +
      'but a single careless binding to either subject opens the API to anyone who can reach the port, without leaving a user name in the audit log.',
    remediation:
      'Set --anonymous-auth=false. Probes that relied on anonymous /livez and /readyz need another check (a TCP probe, or from Kubernetes 1.32 an AuthenticationConfiguration that allows anonymous access to the health endpoints only).',
    messages: {
      enabled: 'kube-apiserver accepts anonymous requests (--anonymous-auth={{value}})',
      notSet: 'kube-apiserver does not set --anonymous-auth=false, so anonymous requests are accepted',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.1',
      'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests',
    ],
    mitre: ['T1078.001', 'T1613'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      const o = f.get('anonymous-auth');
      if (o) {
        if (parseGoBool(o.value) !== false) {
          ctx.report({ messageId: 'enabled', data: { container: f.name, value: o.value }, path: o.valuePath, evidence: `--anonymous-auth=${o.value}` });
        }
      } else if (!f.has('authentication-config')) {
        reportMissing(ctx, f, 'anonymous-auth', 'notSet');
      }
    });
  },
});
