import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

const OLD = new Set(['VersionTLS10', 'VersionTLS11']);

export default defineControl({
  meta: {
    id: 'PAL-CP-027',
    slug: 'tls-min-version',
    title: 'Control-plane components must refuse TLS 1.0 and 1.1',
    severity: 'medium',
    category: 'control-plane',
    description:
      'Fails when kube-apiserver, kube-controller-manager or kube-scheduler sets --tls-min-version to VersionTLS10 or VersionTLS11, ' +
      'and, with the requireExplicit option, when the flag is absent. Not a CIS item of its own; it complements CIS 1.2.29.',
    rationale:
      'TLS 1.0 and 1.1 lack modern AEAD suites and have known downgrade and padding attacks; every current client speaks TLS 1.2. ' +
      'Components built with Go 1.22 or later (Kubernetes 1.30 and later) default to TLS 1.2; older builds accept TLS 1.0 unless told otherwise, which is what requireExplicit is for.',
    remediation: 'Set --tls-min-version=VersionTLS12 (or VersionTLS13 when every client supports it).',
    messages: {
      tooLow: '{{component}} accepts {{value}} (--tls-min-version)',
      notSet: '{{component}} does not set --tls-min-version',
    },
    appliesTo: ['kube-apiserver, kube-controller-manager and kube-scheduler static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: related to 1.2.29',
      'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/',
    ],
    mitre: ['T1557'],
    maturity: 'stable',
    optionsSchema: {
      type: 'object',
      properties: { requireExplicit: { type: 'boolean', default: false } },
      additionalProperties: false,
    },
  },
  reusableVisitor: true,
  check(ctx) {
    const requireExplicit = ctx.options.requireExplicit === true;
    return onComponent(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'], (f) => {
      const o = f.get('tls-min-version');
      if (!o) {
        if (requireExplicit) reportMissing(ctx, f, 'tls-min-version', 'notSet');
        return;
      }
      if (OLD.has(o.value)) {
        ctx.report({
          messageId: 'tooLow',
          data: { component: f.component, container: f.name, value: o.value },
          path: o.valuePath,
          evidence: o.value,
          fix: () => f.replaceFix(o, 'VersionTLS12'),
        });
      }
    });
  },
});
