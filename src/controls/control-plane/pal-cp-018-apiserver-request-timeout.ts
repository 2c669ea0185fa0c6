import { defineControl } from '../../core/control.js';
import { onComponent, parseGoDuration } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-018',
    slug: 'apiserver-request-timeout',
    title: 'API server request timeout should stay bounded',
    severity: 'low',
    category: 'control-plane',
    description:
      'Fails when kube-apiserver sets --request-timeout above a limit (300 seconds unless configured) or to something that is not a Go duration. The default, one minute, passes. (CIS 1.2.20)',
    rationale:
      'Every request in flight holds a slot of the API server\'s concurrency budget. Long timeouts let slow or deliberately stalled clients pin those slots, ' +
      'which is how a handful of connections starve everyone else. Raise it only as far as the slowest legitimate request needs.',
    remediation: 'Remove --request-timeout or set it to the smallest value large requests need, e.g. --request-timeout=300s.',
    messages: {
      tooLong: 'kube-apiserver allows requests to run for {{value}} (--request-timeout), over {{max}}s',
      invalid: 'kube-apiserver --request-timeout={{value}} is not a duration',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.20',
      'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/',
    ],
    mitre: ['T1499'],
    maturity: 'stable',
    optionsSchema: {
      type: 'object',
      properties: { maxSeconds: { type: 'integer', minimum: 1, default: 300 } },
      additionalProperties: false,
    },
  },
  reusableVisitor: true,
  check(ctx) {
    const max = typeof ctx.options.maxSeconds === 'number' ? ctx.options.maxSeconds : 300;
    return onComponent('kube-apiserver', (f) => {
      const o = f.get('request-timeout');
      if (!o) return;
      const seconds = parseGoDuration(o.value);
      const data = { container: f.name, value: o.value, max };
      if (seconds === undefined) ctx.report({ messageId: 'invalid', data, path: o.valuePath, evidence: o.value });
      else if (seconds > max) ctx.report({ messageId: 'tooLong', data, path: o.valuePath, evidence: o.value });
    });
  },
});
