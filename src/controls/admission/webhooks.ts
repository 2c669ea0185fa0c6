import type { JsonPath } from '../../core/path.js';
import type { Resource } from '../../core/resource.js';
import { perOptions } from '../control-options.js';

/** One webhook of a Validating- or MutatingWebhookConfiguration, with its path in the object. */
export interface WebhookView {
  resource: Resource;
  webhook: Record<string, unknown>;
  index: number;
  /** ["webhooks", i] */
  path: JsonPath;
  name: string;
  type: 'validating' | 'mutating';
  /**
   * admissionregistration.k8s.io/v1beta1 (removed in Kubernetes 1.22, still found in old
   * charts): failurePolicy defaults to Ignore and timeoutSeconds to 30 there, not Fail and 10.
   */
  legacyDefaults: boolean;
}

export const ADMISSION_GROUP = 'admissionregistration.k8s.io';

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

export function webhooksOf(r: Resource): WebhookView[] {
  if (r.group !== ADMISSION_GROUP) return [];
  const type = r.kind === 'ValidatingWebhookConfiguration' ? 'validating' : r.kind === 'MutatingWebhookConfiguration' ? 'mutating' : undefined;
  const list = r.object.webhooks;
  if (!type || !Array.isArray(list)) return [];
  const legacyDefaults = r.apiVersion === `${ADMISSION_GROUP}/v1beta1`;
  const out: WebhookView[] = [];
  list.forEach((w, index) => {
    if (!isObject(w)) return;
    out.push({ resource: r, webhook: w, index, path: ['webhooks', index], name: typeof w.name === 'string' ? w.name : `#${index}`, type, legacyDefaults });
  });
  return out;
}

/** Resources whose admission is a security decision: workloads, pods and RBAC. */
const SENSITIVE_RESOURCES = new Set([
  '*', '*/*', 'pods', 'pods/*', 'pods/ephemeralcontainers', 'pods/exec', 'pods/attach',
  'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'replicationcontrollers',
  'roles', 'rolebindings', 'clusterroles', 'clusterrolebindings',
]);

/** Words in a webhook's or configuration's name that mark a policy or security engine. */
const SECURITY_WORDS = new Set([
  'gatekeeper', 'kyverno', 'kubewarden', 'opa', 'psp', 'psa', 'cosign', 'sigstore', 'connaisseur', 'ratify',
  'jspolicy', 'kubescape', 'palisade', 'polaris', 'datree', 'neuvector', 'stackrox', 'kubearmor',
]);
const SECURITY_FRAGMENTS = ['polic', 'security', 'imageverif', 'image-verif', 'signature', 'admission-control'];

function namedLikeSecurity(name: string, extra: readonly string[]): boolean {
  const n = name.toLowerCase();
  if (SECURITY_FRAGMENTS.some((f) => n.includes(f)) || extra.some((f) => f && n.includes(f.toLowerCase()))) return true;
  return n.split(/[^a-z0-9]+/).some((w) => SECURITY_WORDS.has(w));
}

function coversSensitiveWrites(w: Record<string, unknown>): boolean {
  const rules = w.rules;
  if (!Array.isArray(rules)) return false;
  return rules.some((rule) => {
    if (!isObject(rule)) return false;
    const ops = Array.isArray(rule.operations) ? rule.operations : [];
    const res = Array.isArray(rule.resources) ? rule.resources : [];
    return ops.some((o) => o === '*' || o === 'CREATE' || o === 'UPDATE') && res.some((x) => typeof x === 'string' && SENSITIVE_RESOURCES.has(x));
  });
}

/**
 * A webhook whose verdict protects the cluster: a policy or security engine by name, or a
 * validating webhook that judges writes of pods, workloads or RBAC objects. A mutating
 * webhook counts only by name, since most mutate for convenience (sidecars, defaults).
 */
export function isSecurityWebhook(w: WebhookView, extraNames: readonly string[] = []): boolean {
  if (namedLikeSecurity(w.name, extraNames) || namedLikeSecurity(w.resource.name, extraNames)) return true;
  return w.type === 'validating' && coversSensitiveWrites(w.webhook);
}

/** The `extraNames` option shared by the controls that judge security webhooks. */
export const SECURITY_WEBHOOK_OPTIONS = {
  type: 'object',
  properties: {
    extraNames: {
      type: 'array',
      items: { type: 'string' },
      description: 'Name fragments that mark more webhooks as security-relevant (matched case-insensitively against webhook and configuration names).',
    },
  },
  additionalProperties: false,
} as const;

/** The extraNames option's strings; shared by every run with the same options, so read-only. */
export const extraNamesOption = perOptions((options): readonly string[] =>
  Array.isArray(options.extraNames) ? options.extraNames.filter((x): x is string => typeof x === 'string') : [],
);
