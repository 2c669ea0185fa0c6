import { defineControl } from '../../core/control.js';
import type { Resource } from '../../core/resource.js';
import { webhooksOf } from './webhooks.js';

/** Annotations by which a controller fills caBundle in after the manifest is applied. */
const CA_INJECTION_ANNOTATIONS = [
  'cert-manager.io/inject-ca-from',
  'cert-manager.io/inject-ca-from-secret',
  'cert-manager.io/inject-apiserver-ca',
  'service.beta.openshift.io/inject-cabundle',
];

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Scheme and host only: a URL may carry credentials in its user-info or query. */
function hostOf(url: string): string {
  try {
    return new URL(url).host || '(no host)';
  } catch {
    return '(unparseable URL)';
  }
}

export default defineControl({
  meta: {
    id: 'PAL-ADM-004',
    slug: 'webhook-client-tls',
    title: 'The API server must reach webhooks and aggregated APIs over verified TLS',
    severity: 'high',
    category: 'admission',
    description:
      'Fails when a webhook\'s clientConfig.url uses http://, when a URL webhook has no caBundle (so any CA the API server\'s host trusts will do), ' +
      'when a live webhook that calls a Service has no caBundle and nothing injects one, and when an APIService sets insecureSkipTLSVerify: true. ' +
      'Service webhooks in manifests without caBundle are not reported, since cert-manager, OpenShift or the webhook itself usually injects it at run time.',
    rationale:
      'The API server sends webhooks the full object under review, Secrets included, and obeys what they answer; it forwards whole requests, with the user\'s identity, to aggregated APIs. ' +
      'Over plain HTTP, or with a certificate nobody checks against a specific CA, whoever can intercept the connection reads that data and decides admission.',
    remediation:
      'Serve the webhook over HTTPS with a certificate from a dedicated CA and put that CA in clientConfig.caBundle (or let cert-manager inject it). ' +
      'For APIServices, set spec.caBundle and remove insecureSkipTLSVerify.',
    messages: {
      plainHttp: 'Webhook "{{webhook}}" is called over plain HTTP at {{host}}',
      urlWithoutCaBundle: 'Webhook "{{webhook}}" at {{host}} has no caBundle: any certificate from a CA the API server host trusts is accepted',
      serviceWithoutCaBundle: 'Webhook "{{webhook}}" has no caBundle and no CA injection',
      apiServiceSkipsVerify: 'APIService {{name}} is called without verifying its certificate (insecureSkipTLSVerify: true)',
    },
    appliesTo: ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService'],
    references: [
      'https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#contacting-the-webhook',
      'https://kubernetes.io/docs/tasks/extend-kubernetes/configure-aggregation-layer/',
    ],
    mitre: ['T1557'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    const visit = (r: Resource) => {
      const injected = CA_INJECTION_ANNOTATIONS.some((a) => a in r.annotations);
      for (const w of webhooksOf(r)) {
        const cc = w.webhook.clientConfig;
        if (!isObject(cc)) continue;
        const hasCa = typeof cc.caBundle === 'string' && cc.caBundle.length > 0;
        if (typeof cc.url === 'string') {
          const host = hostOf(cc.url);
          if (/^http:\/\//i.test(cc.url)) ctx.report({ messageId: 'plainHttp', data: { webhook: w.name, host }, path: [...w.path, 'clientConfig', 'url'] });
          else if (!hasCa && !injected) ctx.report({ messageId: 'urlWithoutCaBundle', data: { webhook: w.name, host }, path: [...w.path, 'clientConfig'] });
        } else if (isObject(cc.service) && !hasCa && !injected && r.origin.type !== 'manifest') {
          ctx.report({ messageId: 'serviceWithoutCaBundle', data: { webhook: w.name }, path: [...w.path, 'clientConfig'] });
        }
      }
    };
    return {
      ValidatingWebhookConfiguration: visit,
      MutatingWebhookConfiguration: visit,
      APIService(r) {
        if (r.group !== 'apiregistration.k8s.io') return;
        const spec = r.object.spec;
        if (isObject(spec) && spec.insecureSkipTLSVerify === true) {
          ctx.report({ messageId: 'apiServiceSkipsVerify', data: { name: r.name }, path: ['spec', 'insecureSkipTLSVerify'], evidence: true });
        }
      },
    };
  },
});
