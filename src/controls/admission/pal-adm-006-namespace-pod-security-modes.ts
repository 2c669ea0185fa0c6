import { defineControl } from '../../core/control.js';
import { perOptions, type ControlOptions } from '../control-options.js';
import { toPointer } from '../../core/path.js';

const PREFIX = 'pod-security.kubernetes.io/';
const MODES = ['enforce', 'audit', 'warn'] as const;

/** Minor version of "v1.NN", or undefined for "latest" and anything malformed. */
function minor(version: string): number | undefined {
  const m = /^v1\.(\d+)$/.exec(version);
  return m ? Number(m[1]) : undefined;
}

/** The minimum version and its minor, per options and policy version: check() runs on every review. */
const minimums = perOptions(() => new Map<string, { minimum: string; minimumMinor: number }>());

function minimumFor(options: ControlOptions, pssVersion: string): { minimum: string; minimumMinor: number } {
  const byPssVersion = minimums(options);
  let m = byPssVersion.get(pssVersion);
  if (!m) {
    const fromSettings = minor(pssVersion) !== undefined ? pssVersion : undefined;
    const minimum = typeof options.minimumVersion === 'string' ? options.minimumVersion : (fromSettings ?? 'v1.25');
    m = { minimum, minimumMinor: minor(minimum) ?? 25 };
    // Settings hold one policy version; the bound only guards against a caller varying it.
    if (byPssVersion.size < 16) byPssVersion.set(pssVersion, m);
  }
  return m;
}

const privilegedNamespaces = perOptions((options): ReadonlySet<string> => new Set(Array.isArray(options.privilegedNamespaces) ? (options.privilegedNamespaces as string[]) : ['kube-system']));

export default defineControl({
  meta: {
    id: 'PAL-ADM-006',
    slug: 'namespace-pod-security-modes',
    title: 'Pod Security labels should be current and include warn and audit',
    severity: 'low',
    category: 'admission',
    description:
      'For Namespaces that enforce baseline or privileged, fails when the warn or audit label is missing. For every Namespace, fails when an enforce, audit or warn version label ' +
      'pins a release older than the minimumVersion option (by default the scan\'s PSS version when it is a vX.Y, else v1.25) or is not "latest" or "vX.Y". ' +
      'Namespaces in the privilegedNamespaces option (kube-system by default) are not asked for warn and audit.',
    rationale:
      'Warn and audit at restricted show, on every kubectl apply and in the audit log, which pods would break under the stricter level, so tightening enforce stops being guesswork. ' +
      'A pinned version keeps the rules of that release: checks added to the standard since then are not applied, however old the pin becomes.',
    remediation:
      'Add pod-security.kubernetes.io/warn: restricted and pod-security.kubernetes.io/audit: restricted next to enforce, and move version labels to latest ' +
      '(or to the current release, updated with each upgrade).',
    messages: {
      warnMissing: 'Namespace {{namespace}} enforces {{level}} but has no pod-security.kubernetes.io/warn label',
      auditMissing: 'Namespace {{namespace}} enforces {{level}} but has no pod-security.kubernetes.io/audit label',
      versionOld: 'Namespace {{namespace}} pins {{label}} to {{value}}, older than {{minimum}}',
      versionInvalid: 'Namespace {{namespace}} has {{label}}: "{{value}}", which is neither "latest" nor a "vX.Y" version',
    },
    appliesTo: ['Namespace'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces'],
    mitre: ['T1610'],
    maturity: 'stable',
    optionsSchema: {
      type: 'object',
      properties: {
        minimumVersion: { type: 'string', pattern: '^v1\\.\\d+$', description: 'Oldest acceptable pinned version, e.g. v1.29.' },
        privilegedNamespaces: { type: 'array', items: { type: 'string' }, default: ['kube-system'] },
      },
      additionalProperties: false,
    },
  },
  reusableVisitor: true,
  check(ctx) {
    const { minimum, minimumMinor } = minimumFor(ctx.options, ctx.settings.pssVersion);
    const privilegedOk = privilegedNamespaces(ctx.options);
    return {
      Namespace(r) {
        for (const mode of MODES) {
          const label = `${PREFIX}${mode}-version`;
          const value = r.labels[label];
          if (value === undefined || value === 'latest') continue;
          const n = minor(value);
          const data = { namespace: r.name, label, value, minimum };
          const path = ['metadata', 'labels', label];
          if (n === undefined) ctx.report({ messageId: 'versionInvalid', data, path, evidence: value });
          else if (n < minimumMinor) ctx.report({ messageId: 'versionOld', data, path, evidence: value });
        }
        const level = r.labels[`${PREFIX}enforce`];
        if (privilegedOk.has(r.name) || (level !== 'baseline' && level !== 'privileged')) return;
        for (const mode of ['warn', 'audit'] as const) {
          const label = `${PREFIX}${mode}`;
          if (r.labels[label] !== undefined) continue;
          // Warn and audit never block a pod, so adding them is safe.
          ctx.report({
            messageId: `${mode}Missing`,
            data: { namespace: r.name, level },
            path: ['metadata', 'labels'],
            fix: () => [{ op: 'add', path: toPointer(['metadata', 'labels', label]), value: 'restricted' }],
          });
        }
      },
    };
  },
});
