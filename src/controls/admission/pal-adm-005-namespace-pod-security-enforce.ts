import { defineControl } from '../../core/control.js';
import { perOptions } from '../control-options.js';

const ENFORCE = 'pod-security.kubernetes.io/enforce';
const LEVELS = new Set(['privileged', 'baseline', 'restricted']);

const privilegedNamespaces = perOptions((options): ReadonlySet<string> => new Set(Array.isArray(options.privilegedNamespaces) ? (options.privilegedNamespaces as string[]) : ['kube-system']));

export default defineControl({
  meta: {
    id: 'PAL-ADM-005',
    slug: 'namespace-pod-security-enforce',
    title: 'Namespaces must enforce a Pod Security Standard',
    severity: 'medium',
    category: 'admission',
    description:
      'Fails when a Namespace has no pod-security.kubernetes.io/enforce label, sets it to privileged, or sets it to something that is not a level. ' +
      'Namespaces listed in the privilegedNamespaces option (kube-system by default) may be privileged or unlabelled. ' +
      'A cluster-wide default in the API server\'s PodSecurity admission configuration is not visible here.',
    rationale:
      'Pod Security Admission only acts on namespaces that ask for it. Without an enforce label (and with the built-in default of privileged) any pod is admitted: ' +
      'privileged containers, host namespaces and hostPath mounts of the node\'s root, each one step from the node and from there to the cluster.',
    remediation:
      'Label every application namespace with pod-security.kubernetes.io/enforce: restricted, or baseline where restricted is not yet possible, ' +
      'and keep privileged for the few system namespaces that need it, listed in the privilegedNamespaces option.',
    messages: {
      missing: 'Namespace {{namespace}} does not enforce a Pod Security Standard (no {{label}} label)',
      privileged: 'Namespace {{namespace}} enforces the privileged Pod Security Standard, which admits every pod',
      invalidLevel: 'Namespace {{namespace}} has {{label}}: "{{value}}", which is not a Pod Security level',
    },
    appliesTo: ['Namespace'],
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-admission/',
      'https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/',
      'CIS Kubernetes Benchmark v1.10/v1.11: 5.2.1',
    ],
    mitre: ['T1610', 'T1611'],
    maturity: 'stable',
    optionsSchema: {
      type: 'object',
      properties: {
        privilegedNamespaces: { type: 'array', items: { type: 'string' }, default: ['kube-system'], description: 'Namespaces that may run privileged pods.' },
      },
      additionalProperties: false,
    },
  },
  reusableVisitor: true,
  check(ctx) {
    const privilegedOk = privilegedNamespaces(ctx.options);
    return {
      Namespace(r) {
        if (privilegedOk.has(r.name)) return;
        const level = r.labels[ENFORCE];
        const data = { namespace: r.name, label: ENFORCE, value: level ?? '' };
        if (level === undefined) ctx.report({ messageId: 'missing', data, path: ['metadata', 'labels'] });
        else if (level === 'privileged') ctx.report({ messageId: 'privileged', data, path: ['metadata', 'labels', ENFORCE], evidence: level });
        else if (!LEVELS.has(level)) ctx.report({ messageId: 'invalidLevel', data, path: ['metadata', 'labels', ENFORCE], evidence: level });
      },
    };
  },
});
