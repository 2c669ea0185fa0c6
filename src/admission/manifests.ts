/**
 * The objects that run the webhook in a cluster, as one YAML stream ready for
 * `kubectl apply -f -`: Namespace (Pod Security restricted), ServiceAccount (no API token:
 * the webhook never calls the API), optional ConfigMap with the configuration, Deployment
 * (two replicas, hardened, probes on /healthz and /readyz), PodDisruptionBudget, Service,
 * NetworkPolicies, and the Validating- and MutatingWebhookConfiguration.
 *
 * The webhooks fail closed (failurePolicy Fail) with a short timeout, send no side effects,
 * speak AdmissionReview v1 only, and leave out kube-system and Palisade's own namespace by the
 * immutable kubernetes.io/metadata.name label, so the webhook can never lock itself or the
 * control plane out. Deletions of the context kinds go to a separate observer webhook that
 * fails open: it only makes the webhook forget objects and never refuses anything.
 */
import { stringify } from 'yaml';
import { VERSION } from '../core/version.js';

export interface ManifestOptions {
  namespace: string;
  name: string;
  image: string;
  replicas: number;
  /** PEM CA bundle the API server verifies the webhook with; omitted when something injects it. */
  caBundle?: string;
  failurePolicy: 'Fail' | 'Ignore';
  timeoutSeconds: number;
  /** Extra arguments of `palisade admission serve`. */
  serveArgs: string[];
  /** Files for the configuration ConfigMap: name in the map → contents. */
  configFiles: Record<string, string>;
  /** Users and groups the API server should not even send (matchConditions, Kubernetes 1.30+). */
  matchConditions?: { users: string[]; groups: string[] };
  /** Add the observer webhook for deletions of context objects. */
  observe: boolean;
  /** Send the context kinds (Namespace, ServiceAccount, LimitRange, ResourceQuota, NetworkPolicy) for caching. */
  contextKinds: boolean;
  tlsSecret: string;
}

export const DEFAULT_IMAGE = `ghcr.io/palisade-dev/palisade:${VERSION}`;
const NAME_LABEL = 'kubernetes.io/metadata.name';
const TLS_DIR = '/etc/palisade/tls';
const CONFIG_DIR = '/etc/palisade/config';
/** Node options the webhook container runs with (bench/admission.mjs runs the webhook the same way). */
export const WEBHOOK_NODE_OPTIONS = '--max-semi-space-size=32';

type Rule = { apiGroups: string[]; apiVersions: string[]; resources: string[]; operations: string[]; scope: string };
const rule = (apiGroups: string[], resources: string[], operations: string[], scope = '*'): Rule => ({ apiGroups, apiVersions: ['*'], resources, operations, scope });

/** What the validating webhook judges: workloads and every kind a built-in control reads. */
function validatingRules(contextKinds: boolean): Rule[] {
  const write = ['CREATE', 'UPDATE'];
  const rules = [
    rule([''], ['pods', 'replicationcontrollers', 'services', 'configmaps'], write, 'Namespaced'),
    rule(['apps'], ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], write, 'Namespaced'),
    rule(['batch'], ['jobs', 'cronjobs'], write, 'Namespaced'),
    rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], write, 'Namespaced'),
    rule(['rbac.authorization.k8s.io'], ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'], write),
  ];
  if (contextKinds) rules.push(rule([''], ['namespaces', 'serviceaccounts', 'limitranges', 'resourcequotas'], write));
  return rules;
}

function mutatingRules(): Rule[] {
  const write = ['CREATE', 'UPDATE'];
  return [
    rule([''], ['pods', 'replicationcontrollers'], write, 'Namespaced'),
    rule(['apps'], ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], write, 'Namespaced'),
    rule(['batch'], ['jobs', 'cronjobs'], write, 'Namespaced'),
  ];
}

function celList(xs: readonly string[]): string {
  return `[${xs.map((x) => `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;
}

export function renderManifests(o: ManifestOptions): string {
  const labels = { 'app.kubernetes.io/name': o.name, 'app.kubernetes.io/part-of': 'palisade', 'app.kubernetes.io/version': VERSION };
  const selector = { 'app.kubernetes.io/name': o.name };
  const hasConfig = Object.keys(o.configFiles).length > 0;
  const docs: Record<string, unknown>[] = [];

  docs.push({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: o.namespace,
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
    },
  });
  docs.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: o.name, namespace: o.namespace, labels }, automountServiceAccountToken: false });
  if (hasConfig) docs.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${o.name}-config`, namespace: o.namespace, labels }, data: o.configFiles });

  const args = ['admission', 'serve', '--listen', '0.0.0.0:8443', '--tls-cert', `${TLS_DIR}/tls.crt`, '--tls-key', `${TLS_DIR}/tls.key`, '--shutdown-delay', '5'];
  if (o.configFiles['palisade.yaml'] !== undefined) args.push('--config', `${CONFIG_DIR}/palisade.yaml`);
  if (o.configFiles['admission.yaml'] !== undefined) args.push('--admission-config', `${CONFIG_DIR}/admission.yaml`);
  for (const f of Object.keys(o.configFiles).filter((k) => k.startsWith('exceptions-'))) args.push('--exceptions', `${CONFIG_DIR}/${f}`);
  for (const f of Object.keys(o.configFiles).filter((k) => k.startsWith('policy-'))) args.push('--policy', `${CONFIG_DIR}/${f}`);
  args.push(...o.serveArgs);
  const probe = (path: string, period: number) => ({ httpGet: { path, port: 'https', scheme: 'HTTPS' }, periodSeconds: period, timeoutSeconds: 2, failureThreshold: 3 });
  docs.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: o.name, namespace: o.namespace, labels },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: o.name,
          automountServiceAccountToken: false,
          // Longer than --shutdown-delay plus the longest review.
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } }],
          containers: [
            {
              name: 'webhook',
              image: o.image,
              // A tag can move: without a digest, pull what the tag names now.
              imagePullPolicy: o.image.includes('@sha256:') ? 'IfNotPresent' : 'Always',
              args,
              // Every review allocates a few hundred short-lived objects; a larger young
              // generation than Node's default (16 MiB semi-spaces) means fewer scavenges,
              // about a fifth less CPU per review (bench/admission.mjs), well within the limit.
              env: [{ name: 'NODE_OPTIONS', value: WEBHOOK_NODE_OPTIONS }],
              ports: [{ name: 'https', containerPort: 8443, protocol: 'TCP' }],
              readinessProbe: probe('/readyz', 5),
              livenessProbe: probe('/healthz', 10),
              resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'tls', mountPath: TLS_DIR, readOnly: true },
                ...(hasConfig ? [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }] : []),
              ],
            },
          ],
          volumes: [
            { name: 'tls', secret: { secretName: o.tlsSecret } },
            ...(hasConfig ? [{ name: 'config', configMap: { name: `${o.name}-config` } }] : []),
          ],
        },
      },
    },
  });
  docs.push({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: o.name, namespace: o.namespace, labels },
    spec: { minAvailable: 1, selector: { matchLabels: selector } },
  });
  docs.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: o.name, namespace: o.namespace, labels },
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] },
  });
  // Deny everything in the namespace, then let the API server in and (for digest
  // resolution) the webhook out to DNS and registries over HTTPS.
  docs.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace: o.namespace, labels },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  docs.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels,
      annotations: { 'exempt.palisade.dev/PAL-NET-008': 'The API server calls the webhook from addresses no pod or namespace selector can name; only the webhook port is open.' },
    },
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress', 'Egress'],
      // The API server's addresses are not selectable by pod or namespace labels.
      ingress: [{ ports: [{ port: 8443, protocol: 'TCP' }] }],
      egress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] }],
    },
  });

  const clientConfig = (path: string) => ({ service: { name: o.name, namespace: o.namespace, path, port: 443 }, ...(o.caBundle ? { caBundle: Buffer.from(o.caBundle).toString('base64') } : {}) });
  const namespaceSelector = { matchExpressions: [{ key: NAME_LABEL, operator: 'NotIn', values: [...new Set(['kube-system', o.namespace])] }] };
  const matchConditions: { name: string; expression: string }[] = [];
  if (o.matchConditions?.users.length) matchConditions.push({ name: 'not-exempt-user', expression: `!(request.userInfo.username in ${celList(o.matchConditions.users)})` });
  if (o.matchConditions?.groups.length) matchConditions.push({ name: 'not-exempt-group', expression: `!request.userInfo.groups.exists(g, g in ${celList(o.matchConditions.groups)})` });
  const common = {
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: o.failurePolicy,
    timeoutSeconds: o.timeoutSeconds,
    matchPolicy: 'Equivalent',
    namespaceSelector,
    ...(matchConditions.length ? { matchConditions } : {}),
  };
  docs.push({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: o.name, labels },
    webhooks: [{ name: 'validate.admission.palisade.dev', clientConfig: clientConfig('/validate'), rules: validatingRules(o.contextKinds), ...common }],
  });
  docs.push({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: o.name, labels },
    // Runs again when a later mutating webhook adds containers (sidecars), so they get the defaults too.
    webhooks: [{ name: 'mutate.admission.palisade.dev', clientConfig: clientConfig('/mutate'), rules: mutatingRules(), reinvocationPolicy: 'IfNeeded', ...common }],
  });
  if (o.observe && o.contextKinds) {
    docs.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: {
        name: `${o.name}-observer`,
        labels,
        annotations: {
          'exempt.palisade.dev/PAL-ADM-001':
            'Observes deletions of namespaces, service accounts, limit ranges and resource quotas only to forget cached context; it never refuses a request, so failing open is intended.',
        },
      },
      webhooks: [
        {
          name: 'observe.admission.palisade.dev',
          clientConfig: clientConfig('/validate'),
          rules: [rule([''], ['namespaces', 'serviceaccounts', 'limitranges', 'resourcequotas'], ['DELETE']), rule(['networking.k8s.io'], ['networkpolicies'], ['DELETE'], 'Namespaced')],
          ...common,
          failurePolicy: 'Ignore',
        },
      ],
    });
  }
  return docs.map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
