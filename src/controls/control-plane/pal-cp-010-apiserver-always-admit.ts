import { defineControl } from '../../core/control.js';
import type { JsonPatchOp } from '../../core/finding.js';
import { toPointer } from '../../core/path.js';
import { onComponent, type ComponentFlags, type ListItem } from './flags.js';

/** Removing AlwaysAdmit changes nothing the cluster relies on, so the fix is safe to apply. */
function withoutAlwaysAdmit(f: ComponentFlags, item: ListItem): JsonPatchOp[] | undefined {
  const o = item.flag;
  const rest = o.value.split(',').map((v) => v.trim()).filter((v) => v && v !== 'AlwaysAdmit');
  if (o.form === 'equals') {
    if (rest.length) return f.replaceFix(o, rest.join(','));
    return [{ op: 'remove', path: toPointer(o.path) }];
  }
  if (o.form === 'separate' && rest.length) return f.replaceFix(o, rest.join(','));
  return undefined;
}

export default defineControl({
  meta: {
    id: 'PAL-CP-010',
    slug: 'apiserver-always-admit',
    title: 'API server must not enable the AlwaysAdmit admission plugin',
    severity: 'low',
    category: 'control-plane',
    description: 'Fails when --enable-admission-plugins (or the legacy --admission-control list) names AlwaysAdmit. (CIS 1.2.10)',
    rationale:
      'AlwaysAdmit is a deprecated plugin that admits every request. It does not switch the other plugins off, but a configuration that names it was written on the assumption ' +
      'that admission should not get in the way, and with the legacy --admission-control list it may be the only plugin that runs.',
    remediation: 'Remove AlwaysAdmit from the admission plugin list.',
    messages: {
      enabled: 'kube-apiserver enables the AlwaysAdmit admission plugin',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.10',
      'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#alwaysadmit',
    ],
    mitre: ['T1610'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      for (const flag of ['enable-admission-plugins', 'admission-control']) {
        for (const item of f.list(flag)) {
          if (item.value !== 'AlwaysAdmit') continue;
          ctx.report({
            messageId: 'enabled',
            data: { container: f.name },
            path: item.path,
            evidence: item.flag.value,
            // Dropping it from a legacy --admission-control list could leave the list empty, which means the defaults: not a no-op.
            fix: flag === 'enable-admission-plugins' ? () => withoutAlwaysAdmit(f, item) : undefined,
          });
        }
      }
    });
  },
});
