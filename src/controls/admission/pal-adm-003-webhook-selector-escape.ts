import type { ControlContext } from '../../core/control.js';
import { defineControl } from '../../core/control.js';
import type { JsonPath } from '../../core/path.js';
import type { Resource } from '../../core/resource.js';
import { perOptions } from '../control-options.js';
import { extraNamesOption, isSecurityWebhook, webhooksOf, type WebhookView } from './webhooks.js';

/** Set by the API server from the namespace's name and impossible to change: safe to select on. */
const NAME_LABEL = 'kubernetes.io/metadata.name';
const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function checkObjectSelector(ctx: ControlContext, w: WebhookView) {
  const sel = w.webhook.objectSelector;
  if (!isObject(sel)) return;
  const hasLabels = isObject(sel.matchLabels) && Object.keys(sel.matchLabels).length > 0;
  const hasExpressions = Array.isArray(sel.matchExpressions) && sel.matchExpressions.length > 0;
  if (hasLabels || hasExpressions) ctx.report({ messageId: 'objectSelector', data: { webhook: w.name }, path: [...w.path, 'objectSelector'] });
}

function checkNamespaceSelector(ctx: ControlContext, w: WebhookView, allowedExemptions: ReadonlySet<string>) {
  const sel = w.webhook.namespaceSelector;
  if (!isObject(sel)) return;
  const base: JsonPath = [...w.path, 'namespaceSelector'];
  if (isObject(sel.matchLabels)) {
    for (const [key, value] of Object.entries(sel.matchLabels)) {
      const path = [...base, 'matchLabels', key];
      if (key === NAME_LABEL) ctx.report({ messageId: 'namespaceAllowList', data: { webhook: w.name, namespaces: String(value) }, path });
      else ctx.report({ messageId: 'labelOptIn', data: { webhook: w.name, key }, path });
    }
  }
  if (!Array.isArray(sel.matchExpressions)) return;
  sel.matchExpressions.forEach((e, j) => {
    if (!isObject(e) || typeof e.key !== 'string') return;
    const path = [...base, 'matchExpressions', j];
    const values = strings(e.values);
    if (e.key === NAME_LABEL) {
      if (e.operator === 'NotIn') {
        const broad = values.filter((ns) => !allowedExemptions.has(ns));
        if (broad.length) ctx.report({ messageId: 'exemptsNamespaces', data: { webhook: w.name, namespaces: broad.join(', ') }, path, evidence: broad });
      } else if (e.operator === 'In') {
        ctx.report({ messageId: 'namespaceAllowList', data: { webhook: w.name, namespaces: values.join(', ') }, path, evidence: values });
      }
      return;
    }
    if (e.operator === 'NotIn' || e.operator === 'DoesNotExist') ctx.report({ messageId: 'labelOptOut', data: { webhook: w.name, key: e.key }, path });
    else if (e.operator === 'In' || e.operator === 'Exists') ctx.report({ messageId: 'labelOptIn', data: { webhook: w.name, key: e.key }, path });
  });
}

const allowedExemptions = perOptions((options): readonly string[] =>
  Array.isArray(options.allowedExemptions) ? options.allowedExemptions.filter((x): x is string => typeof x === 'string') : [],
);

export default defineControl({
  meta: {
    id: 'PAL-ADM-003',
    slug: 'webhook-selector-escape',
    title: 'Security admission webhooks must not let workloads select themselves out',
    severity: 'medium',
    category: 'admission',
    description:
      'For security-relevant webhooks, fails on an objectSelector (the object\'s own labels decide whether it is checked), on a namespaceSelector that opts namespaces out or in ' +
      'by a label other than kubernetes.io/metadata.name, on one that exempts namespaces by name beyond kube-system, kube-public, kube-node-lease and the webhook\'s own ' +
      '(plus the allowedExemptions option), and on one that only covers a fixed list of namespaces. Reported at the selector clause. matchConditions (CEL) can exempt requests too and are not judged here.',
    rationale:
      'A selector is an escape hatch with a key. An objectSelector is matched against labels the author of the object writes, so the policy applies only to those who agree to it. ' +
      'A namespace label is set by whoever may patch the namespace, often a tenant admin or a CI pipeline, and a label such as admission.gatekeeper.sh/ignore switches the policy off ' +
      'for everything in it. kubernetes.io/metadata.name is the one namespace label the API server sets and nobody can change, which makes it the right way to exempt a namespace.',
    remediation:
      'Drop objectSelector from policy webhooks. Exempt namespaces with a NotIn expression on kubernetes.io/metadata.name listing only system namespaces and the webhook\'s own, ' +
      'and grant exemptions for specific workloads inside the policy engine, where they are reviewed and audited.',
    messages: {
      objectSelector: 'Webhook "{{webhook}}" uses an objectSelector: objects are checked only if their own labels say so',
      labelOptOut: 'Webhook "{{webhook}}" skips namespaces by label "{{key}}": whoever can label a namespace can switch the policy off',
      labelOptIn: 'Webhook "{{webhook}}" covers only namespaces labelled "{{key}}": namespaces without the label are not checked',
      exemptsNamespaces: 'Webhook "{{webhook}}" exempts namespaces by name beyond the system ones: {{namespaces}}',
      namespaceAllowList: 'Webhook "{{webhook}}" covers only namespaces {{namespaces}}: every other namespace is not checked',
    },
    appliesTo: ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'],
    references: [
      'https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#matching-requests-namespaceselector',
      'https://kubernetes.io/docs/concepts/cluster-administration/admission-webhooks-good-practices/',
    ],
    mitre: ['T1562.001', 'T1610'],
    maturity: 'beta',
    optionsSchema: {
      type: 'object',
      properties: {
        extraNames: { type: 'array', items: { type: 'string' }, description: 'Name fragments that mark more webhooks as security-relevant.' },
        allowedExemptions: { type: 'array', items: { type: 'string' }, description: 'Namespaces that may be exempted by name besides the system ones and the webhook\'s own.' },
      },
      additionalProperties: false,
    },
  },
  reusableVisitor: true,
  check(ctx) {
    const extra = extraNamesOption(ctx.options);
    const allowed = allowedExemptions(ctx.options);
    const visit = (r: Resource) => {
      for (const w of webhooksOf(r)) {
        if (!isSecurityWebhook(w, extra)) continue;
        const own = (w.webhook.clientConfig as { service?: { namespace?: unknown } } | undefined)?.service?.namespace;
        const exemptions = new Set([...SYSTEM_NAMESPACES, ...allowed, ...(typeof own === 'string' ? [own] : [])]);
        checkObjectSelector(ctx, w);
        checkNamespaceSelector(ctx, w, exemptions);
      }
    };
    return { ValidatingWebhookConfiguration: visit, MutatingWebhookConfiguration: visit };
  },
});
