import { defineControl } from '../../core/control.js';
import { redact } from '../../core/redact.js';
import { CREDENTIAL_MITRE, CREDENTIAL_REFERENCES, detectCredential, ENTROPY_OPTION, ignoredNames } from './credential-detector.js';

export default defineControl({
  meta: {
    id: 'PAL-DATA-001',
    slug: 'credential-in-configmap',
    title: 'ConfigMaps must not hold credentials',
    severity: 'high',
    category: 'data',
    description:
      'Fails for each ConfigMap data entry whose value looks like a credential: a known token or key format (private keys, cloud and SaaS API keys, JWTs, URLs and connection strings with passwords), a literal value under a credential-like key, a credential line inside an embedded configuration file, or a long random-looking token. The detector and its thresholds are documented in src/controls/data/credential-detector.ts. Findings name the key and what was recognised; the evidence is a redacted length and hash, never the value.',
    rationale:
      'ConfigMaps are not treated as confidential: the built-in view role reads them, they are printed by kubectl describe, copied into logs, Helm release history and support bundles, and are not covered by Secret encryption at rest or by tooling that rotates and audits secrets. A credential stored there is readable by far more people and programs than its owner intends.',
    remediation:
      'Move the value into a Secret (better: an external secret manager synced by External Secrets, Secrets Store CSI or Vault) and reference it from the workload; rotate the credential, since it has already been exposed. For configuration files, keep the file in the ConfigMap with a placeholder and inject the secret part at start-up.',
    messages: {
      pattern: 'ConfigMap {{configMap}} key "{{key}}" holds what looks like a {{reason}}',
      name: 'ConfigMap {{configMap}} key "{{key}}" holds a {{reason}}',
      embedded: 'ConfigMap {{configMap}} key "{{key}}" sets "{{innerKey}}" (line {{line}}) to a literal credential',
      entropy: 'ConfigMap {{configMap}} key "{{key}}" holds a {{reason}} that may be a secret',
    },
    appliesTo: ['ConfigMap'],
    references: ['https://kubernetes.io/docs/concepts/configuration/configmap/', ...CREDENTIAL_REFERENCES],
    mitre: [...CREDENTIAL_MITRE],
    maturity: 'beta',
    optionsSchema: {
      type: 'object',
      properties: {
        ignoreKeys: { type: 'array', items: { type: 'string' }, description: 'ConfigMap keys never reported (exact names).' },
        entropy: ENTROPY_OPTION,
      },
      additionalProperties: false,
    },
  },
  reusableVisitor: true,
  check(ctx) {
    const ignore = ignoredNames(ctx.options.ignoreKeys);
    const entropy = ctx.options.entropy !== false;
    return {
      ConfigMap(r) {
        const data = r.object.data;
        if (!data || typeof data !== 'object' || Array.isArray(data)) return;
        for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
          if (typeof value !== 'string' || ignore.has(key)) continue;
          const m = detectCredential(key, value);
          if (!m || (m.by === 'entropy' && !entropy)) continue;
          const messageId = m.innerKey ? 'embedded' : m.by;
          ctx.report({
            messageId,
            path: ['data', key],
            data: { configMap: r.name, key, reason: m.reason, innerKey: m.innerKey ?? '', line: m.line ?? 0 },
            evidence: redact(value),
          });
        }
      },
    };
  },
});
