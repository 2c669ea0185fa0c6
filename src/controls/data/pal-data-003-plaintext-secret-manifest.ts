import { defineControl } from '../../core/control.js';

type Obj = Record<string, unknown>;

/** Values that are filled in at deploy time (envsubst, Helm, Kustomize replacements) or encrypted by SOPS. */
const NOT_A_VALUE = /^(?:\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|<[^<>]*>|ENC\[[A-Z0-9_]+,data:.*\])$/s;

function literalKeys(field: unknown): string[] {
  if (!field || typeof field !== 'object' || Array.isArray(field)) return [];
  return Object.entries(field as Obj)
    .filter(([, v]) => typeof v === 'string' && v.trim() !== '' && !NOT_A_VALUE.test(v.trim()))
    .map(([k]) => k);
}

export default defineControl({
  meta: {
    id: 'PAL-DATA-003',
    slug: 'plaintext-secret-manifest',
    title: 'Secrets should not be committed as plain manifests',
    severity: 'low',
    category: 'data',
    description:
      'Fails for each Secret read from a manifest file whose data or stringData holds values, once per field. Values that are empty, filled in at deploy time (${VAR}, {{ … }}, <…>) or encrypted with SOPS (ENC[…] values or a top-level sops section) pass. Secrets read from a live cluster are not checked. Only key names are reported; values are never read into the finding.',
    rationale:
      'data in a Secret manifest is only base64-encoded: anyone with read access to the repository, its forks, CI logs and every clone has the credentials, forever, since Git history keeps them after the file changes. Repositories are copied far more widely than cluster access is granted.',
    remediation:
      'Keep the manifest without values and deliver them another way: Sealed Secrets (encrypted for the cluster), SOPS-encrypted files decrypted at deploy, or External Secrets / Secrets Store CSI reading from a secret manager. Rotate credentials that have been committed.',
    messages: {
      plaintext: 'Secret {{secret}} is committed with {{count}} plain value(s) in {{field}} ({{keys}})',
    },
    appliesTo: ['Secret'],
    references: [
      'https://kubernetes.io/docs/concepts/security/secrets-good-practices/',
      'https://github.com/bitnami-labs/sealed-secrets',
      'https://external-secrets.io/',
      'https://github.com/getsops/sops',
    ],
    mitre: ['T1552.001'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      Secret(r) {
        // Live Secrets are read as metadata only (and admission sees applies, not commits): nothing to judge, so not counted as checked.
        if (r.origin.type !== 'manifest') return false;
        if ('sops' in r.object) return;
        for (const field of ['data', 'stringData'] as const) {
          const keys = literalKeys(r.object[field]);
          if (!keys.length) continue;
          const shown = keys.slice(0, 5).map((k) => `"${k}"`).join(', ') + (keys.length > 5 ? ` and ${keys.length - 5} more` : '');
          ctx.report({ messageId: 'plaintext', path: [field], data: { secret: r.name, field, count: keys.length, keys: shown } });
        }
      },
    };
  },
});
