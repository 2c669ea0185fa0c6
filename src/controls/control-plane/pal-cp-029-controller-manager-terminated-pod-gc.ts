import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-029',
    slug: 'controller-manager-terminated-pod-gc',
    title: 'Controller manager should garbage-collect terminated pods at a chosen threshold',
    severity: 'low',
    category: 'control-plane',
    description:
      'Fails when kube-controller-manager does not set --terminated-pod-gc-threshold (the default, 12500 terminated pods, then applies) or sets it to 0 or less, which turns the collector off. (CIS 1.3.1)',
    rationale:
      'Finished pods stay in etcd until the collector removes them. Thousands of them from Jobs and evictions slow every list of pods and every controller that watches them; ' +
      'a threshold sized to the cluster keeps that bounded.',
    remediation: 'Set --terminated-pod-gc-threshold to a value the cluster can carry, e.g. 1000 (CIS suggests as low as 10), and rely on Job TTLs for finished Jobs.',
    messages: {
      notSet: 'kube-controller-manager does not set --terminated-pod-gc-threshold (12500 terminated pods are kept)',
      disabled: 'kube-controller-manager turns terminated pod collection off (--terminated-pod-gc-threshold={{value}})',
    },
    appliesTo: ['kube-controller-manager static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.3.1',
      'https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-garbage-collection',
    ],
    mitre: ['T1499'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-controller-manager', (f) => {
      const o = f.get('terminated-pod-gc-threshold');
      if (!o) return reportMissing(ctx, f, 'terminated-pod-gc-threshold', 'notSet');
      const n = Number(o.value);
      if (/^-?\d+$/.test(o.value) && n <= 0) ctx.report({ messageId: 'disabled', data: { container: f.name, value: o.value }, path: o.valuePath, evidence: o.value });
    });
  },
});
