import { defineControl } from '../../core/control.js';
import { onComponent, parseGoBool } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-015',
    slug: 'profiling-enabled',
    title: 'Control-plane components must not expose profiling',
    severity: 'low',
    category: 'control-plane',
    description:
      'Fails when kube-apiserver, kube-controller-manager or kube-scheduler runs with --profiling=true or without the flag (profiling is on by default). ' +
      'kube-scheduler ignores the flag when started with --config, so the scheduler is then skipped. (CIS 1.2.15, 1.3.2, 1.4.1)',
    rationale:
      'The /debug/pprof endpoints show goroutines, heap contents and timings of the process, and a CPU or trace profile is expensive to take. ' +
      'They are useful while debugging and only a liability the rest of the time: one more source of internals and load for anyone who gets an authorised request through.',
    remediation: 'Set --profiling=false on each component (for a scheduler with --config, set enableProfiling: false in its KubeSchedulerConfiguration).',
    messages: {
      enabled: '{{component}} enables profiling (--profiling={{value}})',
      notSet: '{{component}} does not set --profiling=false, so profiling is on',
    },
    appliesTo: ['kube-apiserver, kube-controller-manager and kube-scheduler static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.15 (API server), 1.3.2 (controller manager), 1.4.1 (scheduler)',
      'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/',
    ],
    mitre: ['T1613', 'T1499'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'], (f) => {
      if (f.component === 'kube-scheduler' && f.has('config')) return;
      const o = f.get('profiling');
      if (!o) {
        ctx.report({ messageId: 'notSet', data: { component: f.component, container: f.name }, path: f.listPath, fix: () => f.appendFix('profiling', 'false') });
      } else if (parseGoBool(o.value) !== false) {
        ctx.report({
          messageId: 'enabled',
          data: { component: f.component, container: f.name, value: o.value },
          path: o.valuePath,
          evidence: `--profiling=${o.value}`,
          fix: () => f.replaceFix(o, 'false'),
        });
      }
    });
  },
});
