import type { OptionSpec } from '../command.js';
import { SEVERITIES } from '../../core/severity.js';
import { MUTATIONS } from '../../admission/config.js';
import { connectionOptions } from '../connection-options.js';

const SEVERITY_OR_NONE = [...SEVERITIES, 'none'];

/** Options of `admission serve` that decide what the webhook does; `manifests` forwards them to the Deployment. */
export const POLICY_OPTIONS: readonly OptionSpec[] = [
  { name: 'deny-at', type: 'string', valueName: 'SEVERITY', description: 'Findings at or above this severity deny the request.', choices: SEVERITY_OR_NONE, config: 'admission.denyAt' },
  { name: 'warn-at', type: 'string', valueName: 'SEVERITY', description: 'Findings at or above this severity (and below --deny-at) warn; lower ones are audited only.', choices: SEVERITY_OR_NONE, config: 'admission.warnAt' },
  { name: 'action', type: 'string', multiple: true, valueName: 'ID=ACTION', description: 'Action for one control: deny, warn, audit or off. Wins over the severity thresholds.', config: 'admission.actions' },
  { name: 'dry-run', type: 'boolean', description: 'Never deny: what would deny warns instead (and is logged as such).', config: 'admission.dryRun' },
  { name: 'block-existing', type: 'boolean', description: 'On UPDATE, also deny for findings the stored object already had (by default only new findings deny).', config: 'admission.blockExisting' },
  { name: 'include-subresources', type: 'boolean', description: 'Judge subresource requests (pods/ephemeralcontainers, …) too.', config: 'admission.includeSubresources' },
  { name: 'exempt-namespace', type: 'string', multiple: true, valueName: 'GLOB', description: 'Never judge or mutate requests in this namespace.', config: 'admission.exemptions.namespaces' },
  { name: 'exempt-user', type: 'string', multiple: true, valueName: 'GLOB', description: 'Never judge or mutate requests by this user (e.g. system:serviceaccount:argocd:*).', config: 'admission.exemptions.users' },
  { name: 'exempt-group', type: 'string', multiple: true, valueName: 'GROUP', description: 'Never judge or mutate requests by members of this group.', config: 'admission.exemptions.groups' },
  { name: 'exempt-label', type: 'string', multiple: true, valueName: 'KEY=VALUE', description: 'Never judge or mutate objects with all these labels. Whoever may label the object may use it: keep it narrow.', config: 'admission.exemptions.labels' },
  { name: 'require-digest', type: 'boolean', description: 'Deny images without a digest (PAL-IMG-002).', config: 'admission.registries.requireDigest' },
  { name: 'refuse-latest', type: 'boolean', description: 'Deny images tagged latest or without a tag (PAL-IMG-001).', config: 'admission.registries.refuseLatest' },
  { name: 'resolve-digests', type: 'boolean', description: '/mutate pins version tags to their digest through the registry\'s API (anonymous access).', config: 'admission.registries.resolveDigests' },
  { name: 'insecure-registry', type: 'string', multiple: true, valueName: 'HOST[:PORT]', description: 'Registry spoken to over plain HTTP for digest resolution.', config: 'admission.registries.insecure' },
  { name: 'require-requests', type: 'boolean', description: 'Deny containers without CPU and memory requests (PAL-RES-003, PAL-RES-004).', config: 'admission.requireRequests' },
  { name: 'require-limits', type: 'boolean', description: 'Deny containers without CPU and memory limits (PAL-RES-001, PAL-RES-002).', config: 'admission.requireLimits' },
  { name: 'mutation', type: 'string', multiple: true, valueName: 'NAME', description: 'Safe default /mutate adds where the object leaves it unset.', choices: MUTATIONS, config: 'admission.mutations' },
  { name: 'default-request', type: 'string', multiple: true, valueName: 'RESOURCE=QUANTITY', description: 'Request /mutate gives containers without one (cpu=100m, memory=128Mi).', config: 'admission.defaultResources.requests' },
  { name: 'default-limit', type: 'string', multiple: true, valueName: 'RESOURCE=QUANTITY', description: 'Limit /mutate gives containers without one (memory=256Mi).', config: 'admission.defaultResources.limits' },
  { name: 'max-body', type: 'string', valueName: 'BYTES', description: 'Largest review accepted (413 above). Default: 6 MiB, two objects of the API server\'s 3 MiB request limit.', config: 'admission.maxBodyBytes' },
  { name: 'max-in-flight', type: 'string', valueName: 'N', description: 'Reviews judged at once; more are answered per --overload without judging. Default: 64.', config: 'admission.overload.maxInFlight' },
  { name: 'max-queue-ms', type: 'string', valueName: 'MS', description: 'A review that waited longer than this is answered per --overload without judging. Default: 2000.', config: 'admission.overload.maxQueueMs' },
  { name: 'overload', type: 'string', valueName: 'MODE', description: 'Answer when overloaded: open (allowed, with a warning) or closed (refused, code 503). Default: open.', choices: ['open', 'closed'], config: 'admission.overload.mode' },
];

export const SERVE_ONLY: readonly OptionSpec[] = [
  { name: 'listen', type: 'string', valueName: 'HOST:PORT', description: 'Address to serve HTTPS on.', default: '0.0.0.0:8443' },
  { name: 'tls-cert', type: 'string', valueName: 'FILE', description: 'Serving certificate (PEM), reloaded when the file changes.' },
  { name: 'tls-key', type: 'string', valueName: 'FILE', description: 'Its private key (PEM).' },
  { name: 'client-ca', type: 'string', valueName: 'FILE', description: 'Require /validate and /mutate callers to present a client certificate signed by this CA.' },
  { name: 'registry-ca', type: 'string', valueName: 'FILE', description: 'Extra CA bundle (PEM) trusted for registries.', config: 'admission.registries.caFile' },
  { name: 'context', type: 'string', multiple: true, valueName: 'PATH', description: 'Manifests of context objects (Namespaces, ServiceAccounts, LimitRanges, ResourceQuotas, NetworkPolicies) known from the start.' },
  { name: 'decision-log', type: 'string', valueName: 'FILE', description: 'Append the JSON-lines decision log to FILE (- for standard output).', config: 'admission.decisionLog' },
  ...connectionOptions('palisade_admission_connections_refused_total'),
  { name: 'shutdown-delay', type: 'string', valueName: 'SECONDS', description: 'After SIGTERM, keep serving (with /readyz failing) this long so endpoints drop the pod first.', default: '0' },
  { name: 'shutdown-grace', type: 'string', valueName: 'SECONDS', description: 'After SIGTERM and the delay, how long reviews in flight may take before connections are closed.', default: '25' },
];

export const MANIFESTS_ONLY: readonly OptionSpec[] = [
  { name: 'namespace', short: 'n', type: 'string', valueName: 'NAME', description: 'Namespace to run the webhook in (exempt from it).', default: 'palisade' },
  { name: 'name', type: 'string', valueName: 'NAME', description: 'Name of the Deployment, Service and webhook configurations.', default: 'palisade-admission' },
  { name: 'image', type: 'string', valueName: 'IMAGE', description: 'Palisade container image (pin it by digest).' },
  { name: 'replicas', type: 'string', valueName: 'N', description: 'Webhook replicas.', default: '2' },
  { name: 'ca-bundle', type: 'string', valueName: 'FILE', description: 'CA (PEM) that signed the serving certificate, written into the webhook configurations.' },
  { name: 'tls-secret', type: 'string', valueName: 'NAME', description: 'Secret (type kubernetes.io/tls) holding tls.crt and tls.key.', default: 'palisade-admission-tls' },
  { name: 'failure-policy', type: 'string', valueName: 'POLICY', description: 'What the API server does when the webhook cannot answer.', choices: ['Fail', 'Ignore'], default: 'Fail' },
  { name: 'timeout-seconds', type: 'string', valueName: 'N', description: 'Webhook timeout (1-30).', default: '5' },
  { name: 'match-conditions', type: 'boolean', description: 'Skip exempt users and groups in the API server already (matchConditions, Kubernetes 1.30+).' },
  { name: 'no-context-kinds', type: 'boolean', description: 'Do not send Namespaces, ServiceAccounts, LimitRanges and ResourceQuotas to the webhook (no context cache, no observer).' },
];

export const SHARED: readonly OptionSpec[] = [
  { name: 'admission-config', type: 'string', valueName: 'FILE', description: 'Admission configuration (actions, exemptions, registries, mutations, overload); see docs/admission.md.' },
  { name: 'generate-cert', type: 'string', valueName: 'DIR', description: 'serve: use (or create) a CA and serving certificate in DIR and print the CA bundle. manifests: create them and write the CA into the webhook configurations.' },
];

