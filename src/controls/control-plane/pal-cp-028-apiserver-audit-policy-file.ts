import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-028',
    slug: 'apiserver-audit-policy-file',
    title: 'API server must have an audit policy',
    severity: 'high',
    category: 'control-plane',
    description:
      'Fails when kube-apiserver lacks --audit-policy-file. Whether the policy covers Secrets, exec and RBAC changes (CIS 3.2.2) is a question about the file itself. (CIS 3.2.1)',
    rationale:
      'The audit policy decides which requests are recorded and at what level; with no policy the API server records nothing, whatever backend is configured. ' +
      'An audit log path without a policy is an empty file that looks like compliance.',
    remediation:
      'Write an audit Policy (Metadata level for Secrets, ConfigMaps and TokenReviews; RequestResponse for RBAC and pods/exec, attach, portforward and proxy) and pass it with --audit-policy-file.',
    messages: {
      notSet: 'kube-apiserver does not set --audit-policy-file, so no request is audited',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 3.2.1',
      'https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy',
    ],
    mitre: ['T1562.001'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => {
      if (!f.get('audit-policy-file')?.value) reportMissing(ctx, f, 'audit-policy-file', 'notSet');
    });
  },
});
