import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-006',
    slug: 'apiserver-authorization-always-allow',
    title: 'API server must not authorise every request',
    severity: 'critical',
    category: 'control-plane',
    description:
      'Fails when --authorization-mode includes AlwaysAllow, or is not set at all (its default is AlwaysAllow). ' +
      'With --authorization-config the authorizers are defined in a file a manifest scan cannot read, and the check stays silent. (CIS 1.2.6)',
    rationale:
      'AlwaysAllow answers yes to any request that reaches it: every authenticated user, and with anonymous auth every caller, is cluster-admin. ' +
      'Listed after other modes it still allows whatever they did not explicitly decide, which for RBAC is everything it did not allow.',
    remediation: 'Set --authorization-mode=Node,RBAC (add Webhook if you use one) and remove AlwaysAllow.',
    messages: {
      alwaysAllow: 'kube-apiserver authorises every request (--authorization-mode includes AlwaysAllow)',
      notSet: 'kube-apiserver does not set --authorization-mode, so it defaults to AlwaysAllow',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.6',
      'https://kubernetes.io/docs/reference/access-authn-authz/authorization/#authorization-modules',
    ],
    mitre: ['T1078', 'T1609', 'T1610'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      if (f.has('authorization-config')) return;
      const modes = f.list('authorization-mode');
      if (!f.has('authorization-mode')) return reportMissing(ctx, f, 'authorization-mode', 'notSet');
      for (const m of modes) {
        if (m.value === 'AlwaysAllow') ctx.report({ messageId: 'alwaysAllow', data: { container: f.name }, path: m.path, evidence: m.flag.value });
      }
    });
  },
});
