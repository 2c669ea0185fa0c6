import { defineControl } from '../../core/control.js';
import { redact } from '../../core/redact.js';
import { CREDENTIAL_MITRE, CREDENTIAL_REFERENCES, detectCredential, ENTROPY_OPTION, ignoredNames } from './credential-detector.js';
import { pathUnder } from '../finding-path.js';

export default defineControl({
  meta: {
    id: 'PAL-DATA-002',
    slug: 'credential-in-env',
    title: 'Environment variables must not hold literal credentials',
    severity: 'high',
    category: 'data',
    description:
      'Fails for each env entry of a container, init container or ephemeral container whose literal value (env[].value) looks like a credential, judged by the same detector as PAL-DATA-001 from the variable\'s name and value. Values taken from Secrets or ConfigMaps (valueFrom) are not literal and are not checked here. The evidence is a redacted length and hash.',
    rationale:
      'A literal value is part of the workload\'s definition: it is in the Git repository, in the Helm release, readable by everyone who may get Deployments (the built-in view role) and shown by kubectl describe. Rotating it means redeploying, and every copy of the manifest keeps the old value.',
    remediation:
      'Store the value in a Secret (or an external secret manager) and reference it with env[].valueFrom.secretKeyRef, or better mount it as a file; rotate the exposed credential.',
    messages: {
      pattern: 'Container "{{container}}" sets {{variable}} to what looks like a {{reason}}',
      name: 'Container "{{container}}" sets {{variable}} to a {{reason}}',
      embedded: 'Container "{{container}}" sets {{variable}} to a value setting "{{innerKey}}" (line {{line}}) to a literal credential',
      entropy: 'Container "{{container}}" sets {{variable}} to a {{reason}} that may be a secret',
    },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/', ...CREDENTIAL_REFERENCES],
    mitre: [...CREDENTIAL_MITRE],
    maturity: 'beta',
    optionsSchema: {
      type: 'object',
      properties: {
        ignoreVariables: { type: 'array', items: { type: 'string' }, description: 'Variable names never reported (exact names).' },
        entropy: ENTROPY_OPTION,
      },
      additionalProperties: false,
    },
  },
  reusableVisitor: true,
  check(ctx) {
    const ignore = ignoredNames(ctx.options.ignoreVariables);
    const entropy = ctx.options.entropy !== false;
    return {
      container(c) {
        const env = c.container.env;
        if (!Array.isArray(env)) return;
        for (let i = 0; i < env.length; i++) {
          const e = env[i];
          // valueFrom entries hold no literal: the common case, let go before anything else.
          if (!e || typeof e !== 'object' || typeof e.value !== 'string') continue;
          const variable = typeof e.name === 'string' ? e.name : `#${i}`;
          if (ignore.has(variable)) continue;
          const m = detectCredential(variable, e.value);
          if (!m || (m.by === 'entropy' && !entropy)) continue;
          ctx.report({
            messageId: m.innerKey ? 'embedded' : m.by,
            path: pathUnder(c.path, 'env', i, 'value'),
            data: { container: c.name, variable, reason: m.reason, innerKey: m.innerKey ?? '', line: m.line ?? 0 },
            evidence: redact(e.value),
          });
        }
      },
    };
  },
});
