import { defineControl } from '../../core/control.js';
import type { Resource } from '../../core/resource.js';
import { SECURITY_WEBHOOK_OPTIONS, extraNamesOption, isSecurityWebhook, webhooksOf } from './webhooks.js';

export default defineControl({
  meta: {
    id: 'PAL-ADM-001',
    slug: 'webhook-fail-open',
    title: 'Security admission webhooks must fail closed',
    severity: 'medium',
    category: 'admission',
    description:
      'Fails when a security-relevant webhook (a policy engine by name, or a validating webhook on pods, workloads or RBAC objects) has failurePolicy: Ignore, ' +
      'or has no failurePolicy under admissionregistration.k8s.io/v1beta1, where the default is Ignore. Reported per webhook.',
    rationale:
      'With Ignore, a request is admitted whenever the webhook cannot be reached, times out or errors. Anyone who can slow the webhook down, crash its pods or wait for an upgrade ' +
      'gets a window in which the policy does not exist, and the API server records nothing but a warning in its own log.',
    remediation:
      'Set failurePolicy: Fail, run the webhook with several replicas, a PodDisruptionBudget and a priority class, and exempt only the namespaces that must never be blocked ' +
      '(the webhook\'s own and kube-system) through a namespaceSelector on kubernetes.io/metadata.name.',
    messages: {
      ignore: 'Webhook "{{webhook}}" admits requests when it fails (failurePolicy: Ignore)',
      defaultIgnore: 'Webhook "{{webhook}}" has no failurePolicy; under v1beta1 it defaults to Ignore and admits requests when it fails',
    },
    appliesTo: ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'],
    references: [
      'https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy',
      'https://kubernetes.io/docs/concepts/cluster-administration/admission-webhooks-good-practices/',
    ],
    mitre: ['T1562.001', 'T1610'],
    maturity: 'stable',
    optionsSchema: SECURITY_WEBHOOK_OPTIONS,
  },
  reusableVisitor: true,
  check(ctx) {
    const extra = extraNamesOption(ctx.options);
    const visit = (r: Resource) => {
      for (const w of webhooksOf(r)) {
        if (!isSecurityWebhook(w, extra)) continue;
        const policy = w.webhook.failurePolicy;
        if (policy === 'Ignore') ctx.report({ messageId: 'ignore', data: { webhook: w.name }, path: [...w.path, 'failurePolicy'], evidence: policy });
        else if (policy === undefined && w.legacyDefaults) ctx.report({ messageId: 'defaultIgnore', data: { webhook: w.name }, path: w.path });
      }
    };
    return { ValidatingWebhookConfiguration: visit, MutatingWebhookConfiguration: visit };
  },
});
