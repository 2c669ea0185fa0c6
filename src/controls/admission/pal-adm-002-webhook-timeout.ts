import { defineControl } from '../../core/control.js';
import type { Resource } from '../../core/resource.js';
import { webhooksOf } from './webhooks.js';

export default defineControl({
  meta: {
    id: 'PAL-ADM-002',
    slug: 'webhook-timeout',
    title: 'Admission webhooks should time out within 10 seconds',
    severity: 'low',
    category: 'admission',
    description:
      'Fails when a webhook sets timeoutSeconds above 10 (configurable), or has none under admissionregistration.k8s.io/v1beta1, where the default is 30 seconds. Reported per webhook.',
    rationale:
      'The API server waits for each matching webhook in turn, holding the request and a slot of its concurrency budget. A slow webhook with a long timeout stalls every write it matches, ' +
      'and several of them can exceed the request deadline altogether. With failurePolicy Ignore the long wait ends in admitting the request anyway, ' +
      'so a long timeout buys latency for nobody and gives an attacker who can slow the webhook a reliable way to fail it open.',
    remediation: 'Set timeoutSeconds to 10 or less and make the webhook answer well within it (cache what it looks up; keep it next to the API server).',
    messages: {
      tooLong: 'Webhook "{{webhook}}" waits up to {{seconds}}s (timeoutSeconds), over {{max}}s',
      defaultTooLong: 'Webhook "{{webhook}}" has no timeoutSeconds; under v1beta1 it waits up to 30s',
    },
    appliesTo: ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#timeouts'],
    mitre: ['T1499', 'T1562.001'],
    maturity: 'stable',
    optionsSchema: {
      type: 'object',
      properties: { maxSeconds: { type: 'integer', minimum: 1, maximum: 30, default: 10 } },
      additionalProperties: false,
    },
  },
  reusableVisitor: true,
  check(ctx) {
    const max = typeof ctx.options.maxSeconds === 'number' ? ctx.options.maxSeconds : 10;
    const visit = (r: Resource) => {
      for (const w of webhooksOf(r)) {
        const t = w.webhook.timeoutSeconds;
        if (typeof t === 'number' && t > max) {
          ctx.report({ messageId: 'tooLong', data: { webhook: w.name, seconds: t, max }, path: [...w.path, 'timeoutSeconds'], evidence: t });
        } else if (t === undefined && w.legacyDefaults && 30 > max) {
          ctx.report({ messageId: 'defaultTooLong', data: { webhook: w.name }, path: w.path });
        }
      }
    };
    return { ValidatingWebhookConfiguration: visit, MutatingWebhookConfiguration: visit };
  },
});
