import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-016',
    slug: 'apiserver-audit-log-path',
    title: 'API server must write an audit log',
    severity: 'high',
    category: 'control-plane',
    description:
      'Fails when kube-apiserver has neither --audit-log-path nor --audit-webhook-config-file, so no audit backend records requests. ' +
      'CIS asks for the log file; an audit webhook is accepted as an equivalent backend. (CIS 1.2.16)',
    rationale:
      'The audit log is the only record of who read which Secret, who exec\'d into which pod and who changed which binding. Without it an intrusion cannot be reconstructed, ' +
      'detection rules over audit events have nothing to read, and most compliance frameworks\' logging requirements are unmet.',
    remediation:
      'Set --audit-log-path to a file on a mounted host path (or send events to a collector with --audit-webhook-config-file), and give the API server an audit policy with --audit-policy-file.',
    messages: {
      notSet: 'kube-apiserver has no audit backend (--audit-log-path or --audit-webhook-config-file)',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.16',
      'https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#log-backend',
    ],
    mitre: ['T1562.001'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      if (!f.get('audit-log-path')?.value && !f.get('audit-webhook-config-file')?.value) reportMissing(ctx, f, 'audit-log-path', 'notSet');
    });
  },
});
