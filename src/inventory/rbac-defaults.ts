/**
 * The user-facing ClusterRoles every Kubernetes API server creates at start-up (the
 * "bootstrap policy"). Manifests bind to them by name (`cluster-admin`, `edit`, …) without
 * containing them, so the RBAC graph needs to know what they grant. The content follows
 * the upstream defaults of recent releases; when a scan contains a ClusterRole of the same
 * name (a live cluster does), that object wins and this catalogue is not used for it.
 *
 * Only the roles people bind to, and the ones they aggregate from, are listed: the
 * controller and node roles are bound by the platform itself, never by manifests.
 */

export interface DefaultRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface DefaultClusterRole {
  name: string;
  labels: Record<string, string>;
  rules: DefaultRule[];
  /** matchLabels of each aggregationRule.clusterRoleSelectors entry. */
  aggregateFrom?: Record<string, string>[];
}

/** Label the API server puts on every object of its bootstrap policy. */
export const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';
export const BOOTSTRAP_VALUE = 'rbac-defaults';

const AGG_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
const AGG_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
const AGG_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const ALL_RW = [...WRITE, ...READ];

const rule = (apiGroups: string[], resources: string[], verbs: string[]): DefaultRule => ({ apiGroups, resources, verbs });
const boot = (extra: Record<string, string> = {}) => ({ [BOOTSTRAP_LABEL]: BOOTSTRAP_VALUE, ...extra });

export const DEFAULT_CLUSTER_ROLES: readonly DefaultClusterRole[] = [
  {
    name: 'cluster-admin',
    labels: boot(),
    rules: [rule(['*'], ['*'], ['*']), { nonResourceURLs: ['*'], verbs: ['*'] }],
  },
  { name: 'admin', labels: boot(), rules: [], aggregateFrom: [{ [AGG_ADMIN]: 'true' }] },
  { name: 'edit', labels: boot({ [AGG_ADMIN]: 'true' }), rules: [], aggregateFrom: [{ [AGG_EDIT]: 'true' }] },
  { name: 'view', labels: boot({ [AGG_EDIT]: 'true' }), rules: [], aggregateFrom: [{ [AGG_VIEW]: 'true' }] },
  {
    name: 'system:aggregate-to-admin',
    labels: boot({ [AGG_ADMIN]: 'true' }),
    rules: [
      rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
      rule(['rbac.authorization.k8s.io'], ['rolebindings', 'roles'], ALL_RW),
    ],
  },
  {
    name: 'system:aggregate-to-edit',
    labels: boot({ [AGG_EDIT]: 'true' }),
    rules: [
      rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], READ),
      rule([''], ['serviceaccounts'], ['impersonate']),
      rule([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], WRITE),
      rule([''], ['pods/eviction'], ['create']),
      rule(
        [''],
        ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'],
        WRITE,
      ),
      rule([''], ['serviceaccounts/token'], ['create']),
      rule(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], WRITE),
      rule(['autoscaling'], ['horizontalpodautoscalers'], WRITE),
      rule(['batch'], ['cronjobs', 'jobs'], WRITE),
      rule(
        ['extensions'],
        ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale'],
        WRITE,
      ),
      rule(['policy'], ['poddisruptionbudgets'], WRITE),
      rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], WRITE),
      rule(['coordination.k8s.io'], ['leases'], ALL_RW),
    ],
  },
  {
    name: 'system:aggregate-to-view',
    labels: boot({ [AGG_VIEW]: 'true' }),
    rules: [
      rule(
        [''],
        [
          'configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers',
          'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'bindings', 'events', 'limitranges',
          'namespaces', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status',
        ],
        READ,
      ),
      rule(['discovery.k8s.io'], ['endpointslices'], READ),
      rule(
        ['apps'],
        ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'],
        READ,
      ),
      rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], READ),
      rule(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], READ),
      rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], READ),
      rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], READ),
    ],
  },
  {
    name: 'system:discovery',
    labels: boot(),
    rules: [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }],
  },
  {
    name: 'system:basic-user',
    labels: boot(),
    rules: [
      rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']),
      rule(['authentication.k8s.io'], ['selfsubjectreviews'], ['create']),
    ],
  },
  {
    name: 'system:public-info-viewer',
    labels: boot(),
    rules: [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }],
  },
  {
    name: 'system:auth-delegator',
    labels: boot(),
    rules: [
      rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
      rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
    ],
  },
];

/** The roles the API server binds to every (or every unauthenticated) client for discovery. */
export const DISCOVERY_ROLES: ReadonlySet<string> = new Set(['system:discovery', 'system:basic-user', 'system:public-info-viewer']);
