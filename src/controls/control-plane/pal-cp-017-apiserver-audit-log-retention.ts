import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing, type ComponentFlags } from './flags.js';
import type { ControlContext } from '../../core/control.js';

interface Limit {
  flag: string;
  option: 'minAgeDays' | 'minBackups' | 'minSizeMB';
  fallback: number;
  missing: string;
  low: string;
}

const LIMITS: readonly Limit[] = [
  { flag: 'audit-log-maxage', option: 'minAgeDays', fallback: 30, missing: 'maxAgeNotSet', low: 'maxAgeLow' },
  { flag: 'audit-log-maxbackup', option: 'minBackups', fallback: 10, missing: 'maxBackupNotSet', low: 'maxBackupLow' },
  { flag: 'audit-log-maxsize', option: 'minSizeMB', fallback: 100, missing: 'maxSizeNotSet', low: 'maxSizeLow' },
];

function checkLimit(ctx: ControlContext, f: ComponentFlags, l: Limit) {
  const min = typeof ctx.options[l.option] === 'number' ? (ctx.options[l.option] as number) : l.fallback;
  const o = f.get(l.flag);
  if (!o) return reportMissing(ctx, f, l.flag, l.missing);
  const n = /^\d+$/.test(o.value) ? Number(o.value) : NaN;
  if (!(n >= min)) ctx.report({ messageId: l.low, data: { container: f.name, value: o.value, min }, path: o.valuePath, evidence: `--${l.flag}=${o.value}` });
}

export default defineControl({
  meta: {
    id: 'PAL-CP-017',
    slug: 'apiserver-audit-log-retention',
    title: 'API server audit log must be kept long enough',
    severity: 'low',
    category: 'control-plane',
    description:
      'When kube-apiserver writes its audit log to a file, fails when --audit-log-maxage is under 30 days, --audit-log-maxbackup under 10 files or --audit-log-maxsize under 100 MB, or when any of them is unset. ' +
      'The thresholds are options. (CIS 1.2.17, 1.2.18, 1.2.19)',
    rationale:
      'The API server rotates and deletes its own audit files. Small or unset limits make the retention an accident of traffic volume: on a busy cluster a few hours of history may be all that is left ' +
      'when an incident is noticed days later. Explicit limits make retention a decision, and one that can be checked against the log shipping behind it.',
    remediation: 'Set --audit-log-maxage=30, --audit-log-maxbackup=10 and --audit-log-maxsize=100 or more, sized to the disk, and ship the files to central storage.',
    messages: {
      maxAgeNotSet: 'kube-apiserver writes an audit log but does not set --audit-log-maxage',
      maxAgeLow: 'kube-apiserver keeps audit files for {{value}} days (--audit-log-maxage), under {{min}}',
      maxBackupNotSet: 'kube-apiserver writes an audit log but does not set --audit-log-maxbackup',
      maxBackupLow: 'kube-apiserver keeps {{value}} rotated audit files (--audit-log-maxbackup), under {{min}}',
      maxSizeNotSet: 'kube-apiserver writes an audit log but does not set --audit-log-maxsize',
      maxSizeLow: 'kube-apiserver rotates audit files at {{value}} MB (--audit-log-maxsize), under {{min}}',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.17, 1.2.18, 1.2.19',
      'https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#log-backend',
    ],
    mitre: ['T1562.001'],
    maturity: 'stable',
    optionsSchema: {
      type: 'object',
      properties: {
        minAgeDays: { type: 'integer', minimum: 1, default: 30 },
        minBackups: { type: 'integer', minimum: 1, default: 10 },
        minSizeMB: { type: 'integer', minimum: 1, default: 100 },
      },
      additionalProperties: false,
    },
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      const path = f.get('audit-log-path')?.value;
      // No file (or "-", standard output): there is nothing for these flags to rotate.
      if (!path || path === '-') return;
      for (const l of LIMITS) checkLimit(ctx, f, l);
    });
  },
});
