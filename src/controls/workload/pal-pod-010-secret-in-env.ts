import { defineControl } from '../../core/control.js';
import { isPlainObject } from './security-context.js';
import { pathUnder } from '../finding-path.js';

function nameOf(ref: Record<string, unknown>): string {
  return typeof ref.name === 'string' && ref.name ? ref.name : '(unnamed)';
}

export default defineControl({
  meta: {
    id: 'PAL-POD-010',
    slug: 'secret-in-env',
    title: 'Secrets should be mounted as files, not passed as environment variables',
    severity: 'low',
    category: 'workload',
    description:
      'Fails for every env entry taken from a Secret key (env[].valueFrom.secretKeyRef) and every envFrom source that imports a whole Secret (envFrom[].secretRef), in all containers. Only the Secret\'s and the variable\'s names are read and reported, never a value.',
    rationale:
      'Environment variables leak: they are inherited by every child process, printed by crash handlers, debug endpoints and "env" in a support session, copied into logs and error reports, and readable from /proc/<pid>/environ by anything sharing the process namespace. They are also fixed at start, so a rotated Secret does not reach the process until it restarts. A Secret volume keeps the value in one file with its own permissions, and updates in place.',
    remediation:
      'Mount the Secret as a volume (or a projected volume with only the keys needed, readOnly, with a tight defaultMode) and have the application read the file; many libraries accept a *_FILE variable pointing at it.',
    messages: {
      secretKeyRef: 'Container "{{container}}" sets environment variable {{variable}} from key "{{key}}" of Secret "{{secret}}"',
      secretRef: 'Container "{{container}}" imports every key of Secret "{{secret}}" as environment variables',
    },
    appliesTo: ['workloads'],
    references: [
      'https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod',
      'https://kubernetes.io/docs/concepts/security/secrets-good-practices/',
    ],
    mitre: ['T1552.007', 'T1552.001'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      container(c) {
        const { env, envFrom } = c.container;
        if (Array.isArray(env)) {
          for (let i = 0; i < env.length; i++) {
            const e = env[i];
            if (!isPlainObject(e) || !isPlainObject(e.valueFrom) || !isPlainObject(e.valueFrom.secretKeyRef)) continue;
            const ref = e.valueFrom.secretKeyRef;
            const key = typeof ref.key === 'string' ? ref.key : '';
            const secret = nameOf(ref);
            ctx.report({
              messageId: 'secretKeyRef',
              data: { container: c.name, variable: typeof e.name === 'string' ? e.name : `#${i}`, secret, key },
              path: pathUnder(c.path, 'env', i, 'valueFrom', 'secretKeyRef'),
              evidence: { secret, key },
            });
          }
        }
        if (Array.isArray(envFrom)) {
          for (let i = 0; i < envFrom.length; i++) {
            const src = envFrom[i];
            if (!isPlainObject(src) || !isPlainObject(src.secretRef)) continue;
            const secret = nameOf(src.secretRef);
            ctx.report({
              messageId: 'secretRef',
              data: { container: c.name, secret },
              path: pathUnder(c.path, 'envFrom', i, 'secretRef'),
              evidence: { secret },
            });
          }
        }
      },
    };
  },
});
