/**
 * Kinds and resources: an admission rule names resources ("deployments", "pods/status") in
 * API groups and versions, while a manifest names a kind and an apiVersion. The API server
 * knows the mapping from discovery; offline we keep it for the built-in API, read it from
 * CustomResourceDefinitions in the inventory, and otherwise guess the plural the way
 * Kubernetes' own UnsafeGuessKindToResource does.
 */
import type { K8sObject } from '../../core/resource.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface ResourceInfo {
  group: string;
  kind: string;
  /** Plural resource name. */
  resource: string;
  /** Served versions (all of them are equivalent for matchPolicy: Equivalent). */
  versions: readonly string[];
  /** undefined when unknown (a custom kind without its CRD). */
  namespaced: boolean | undefined;
  /** Where this came from. */
  source: 'builtin' | 'crd' | 'guess';
}

type Row = [kind: string, resource: string, namespaced: boolean];

/** The built-in API (Kubernetes 1.31), by group: served versions and kinds. */
const BUILTIN: readonly { group: string; versions: string[]; kinds: Row[] }[] = [
  {
    group: '',
    versions: ['v1'],
    kinds: [
      ['Pod', 'pods', true], ['Service', 'services', true], ['ConfigMap', 'configmaps', true], ['Secret', 'secrets', true],
      ['Namespace', 'namespaces', false], ['Node', 'nodes', false], ['PersistentVolume', 'persistentvolumes', false],
      ['PersistentVolumeClaim', 'persistentvolumeclaims', true], ['ServiceAccount', 'serviceaccounts', true],
      ['Endpoints', 'endpoints', true], ['Event', 'events', true], ['LimitRange', 'limitranges', true],
      ['ResourceQuota', 'resourcequotas', true], ['ReplicationController', 'replicationcontrollers', true],
      ['PodTemplate', 'podtemplates', true], ['Binding', 'bindings', true], ['ComponentStatus', 'componentstatuses', false],
    ],
  },
  {
    group: 'apps',
    versions: ['v1'],
    kinds: [['Deployment', 'deployments', true], ['StatefulSet', 'statefulsets', true], ['DaemonSet', 'daemonsets', true], ['ReplicaSet', 'replicasets', true], ['ControllerRevision', 'controllerrevisions', true]],
  },
  { group: 'batch', versions: ['v1'], kinds: [['Job', 'jobs', true], ['CronJob', 'cronjobs', true]] },
  { group: 'autoscaling', versions: ['v2', 'v1'], kinds: [['HorizontalPodAutoscaler', 'horizontalpodautoscalers', true]] },
  { group: 'policy', versions: ['v1'], kinds: [['PodDisruptionBudget', 'poddisruptionbudgets', true], ['Eviction', 'evictions', true]] },
  {
    group: 'networking.k8s.io',
    versions: ['v1'],
    kinds: [['NetworkPolicy', 'networkpolicies', true], ['Ingress', 'ingresses', true], ['IngressClass', 'ingressclasses', false], ['IPAddress', 'ipaddresses', false], ['ServiceCIDR', 'servicecidrs', false]],
  },
  {
    group: 'rbac.authorization.k8s.io',
    versions: ['v1'],
    kinds: [['Role', 'roles', true], ['RoleBinding', 'rolebindings', true], ['ClusterRole', 'clusterroles', false], ['ClusterRoleBinding', 'clusterrolebindings', false]],
  },
  {
    group: 'storage.k8s.io',
    versions: ['v1'],
    kinds: [['StorageClass', 'storageclasses', false], ['VolumeAttachment', 'volumeattachments', false], ['CSIDriver', 'csidrivers', false], ['CSINode', 'csinodes', false], ['CSIStorageCapacity', 'csistoragecapacities', true]],
  },
  {
    group: 'admissionregistration.k8s.io',
    versions: ['v1', 'v1beta1', 'v1alpha1'],
    kinds: [
      ['ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false], ['MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false],
      ['ValidatingAdmissionPolicy', 'validatingadmissionpolicies', false], ['ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', false],
      ['MutatingAdmissionPolicy', 'mutatingadmissionpolicies', false], ['MutatingAdmissionPolicyBinding', 'mutatingadmissionpolicybindings', false],
    ],
  },
  { group: 'apiextensions.k8s.io', versions: ['v1'], kinds: [['CustomResourceDefinition', 'customresourcedefinitions', false]] },
  { group: 'apiregistration.k8s.io', versions: ['v1'], kinds: [['APIService', 'apiservices', false]] },
  { group: 'coordination.k8s.io', versions: ['v1'], kinds: [['Lease', 'leases', true]] },
  { group: 'discovery.k8s.io', versions: ['v1'], kinds: [['EndpointSlice', 'endpointslices', true]] },
  { group: 'events.k8s.io', versions: ['v1'], kinds: [['Event', 'events', true]] },
  { group: 'certificates.k8s.io', versions: ['v1'], kinds: [['CertificateSigningRequest', 'certificatesigningrequests', false]] },
  { group: 'scheduling.k8s.io', versions: ['v1'], kinds: [['PriorityClass', 'priorityclasses', false]] },
  { group: 'node.k8s.io', versions: ['v1'], kinds: [['RuntimeClass', 'runtimeclasses', false]] },
  { group: 'flowcontrol.apiserver.k8s.io', versions: ['v1', 'v1beta3'], kinds: [['FlowSchema', 'flowschemas', false], ['PriorityLevelConfiguration', 'prioritylevelconfigurations', false]] },
  { group: 'authentication.k8s.io', versions: ['v1'], kinds: [['TokenReview', 'tokenreviews', false], ['SelfSubjectReview', 'selfsubjectreviews', false]] },
  {
    group: 'authorization.k8s.io',
    versions: ['v1'],
    kinds: [['SubjectAccessReview', 'subjectaccessreviews', false], ['SelfSubjectAccessReview', 'selfsubjectaccessreviews', false], ['LocalSubjectAccessReview', 'localsubjectaccessreviews', true], ['SelfSubjectRulesReview', 'selfsubjectrulesreviews', false]],
  },
];

/** Resources served under two groups from one storage (the API server maps them as equivalent). */
const CROSS_GROUP: readonly (readonly [string, string])[] = [['', 'events.k8s.io']];

/**
 * The plural of a kind without a CRD at hand: lower-case English plural. Kubernetes'
 * UnsafeGuessKindToResource turns every final y into ies ("gatewaies"); CRD generators
 * (kubebuilder) pluralise properly, so a vowel before y keeps it (gateways) and
 * x/z/ch/sh take es, as s does.
 */
export function guessResource(kind: string): string {
  const singular = kind.toLowerCase();
  if (singular === '' || singular.endsWith('endpoints')) return singular;
  if (/(s|x|z|ch|sh)$/.test(singular)) return singular + 'es';
  if (/[^aeiou]y$/.test(singular)) return singular.slice(0, -1) + 'ies';
  return singular + 's';
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

const key = (group: string, name: string) => `${group}\u0000${name}`;

/** The kind ↔ resource map of one scan (built-in API plus the CRDs it contains). */
export class ResourceCatalog {
  private readonly byKind = new Map<string, ResourceInfo>();
  private readonly byResource = new Map<string, ResourceInfo>();

  constructor(customResourceDefinitions: readonly K8sObject[] = []) {
    for (const g of BUILTIN) {
      for (const [kind, resource, namespaced] of g.kinds) this.add({ group: g.group, kind, resource, versions: g.versions, namespaced, source: 'builtin' });
    }
    for (const crd of customResourceDefinitions) {
      const info = crdInfo(crd);
      if (info) this.add(info);
    }
  }

  private add(info: ResourceInfo): void {
    this.byKind.set(key(info.group, info.kind), info);
    this.byResource.set(key(info.group, info.resource), info);
  }

  /** What is known of group/kind; a guess (namespaced unknown) for a custom kind without its CRD. */
  forKind(group: string, kind: string): ResourceInfo {
    return this.byKind.get(key(group, kind)) ?? { group, kind, resource: guessResource(kind), versions: [], namespaced: undefined, source: 'guess' };
  }

  forResource(group: string, resource: string): ResourceInfo | undefined {
    return this.byResource.get(key(group, resource));
  }

  /**
   * Resources the API server treats as the same object (other served versions, and the few
   * moved between groups), for matchPolicy: Equivalent. A custom kind without its CRD has no
   * known versions, so every version of its group and resource is taken as equivalent.
   */
  equivalents(gvr: GroupVersionResource): GroupVersionResource[] {
    const out: GroupVersionResource[] = [];
    const groups = [gvr.group];
    for (const [a, b] of CROSS_GROUP) {
      if (gvr.group === a) groups.push(b);
      else if (gvr.group === b) groups.push(a);
    }
    for (const group of groups) {
      const info = this.forResource(group, gvr.resource);
      if (!info) continue;
      for (const version of info.versions) out.push({ group, version, resource: gvr.resource });
    }
    return out;
  }

  /** Kind of an equivalent resource (for request.kind). */
  kindFor(gvr: GroupVersionResource): GroupVersionKind | undefined {
    const info = this.forResource(gvr.group, gvr.resource);
    return info ? { group: gvr.group, version: gvr.version, kind: info.kind } : undefined;
  }
}

function crdInfo(crd: K8sObject): ResourceInfo | undefined {
  const spec = crd.spec as Record<string, unknown> | undefined;
  if (!spec || typeof spec !== 'object') return undefined;
  const names = spec.names as Record<string, unknown> | undefined;
  const group = spec.group;
  if (typeof group !== 'string' || !names || typeof names.kind !== 'string' || typeof names.plural !== 'string') return undefined;
  const versions = Array.isArray(spec.versions)
    ? (spec.versions as { name?: unknown; served?: unknown }[]).filter((v) => v && typeof v.name === 'string' && v.served !== false).map((v) => v.name as string)
    : typeof spec.version === 'string'
      ? [spec.version]
      : [];
  return { group, kind: names.kind, resource: names.plural, versions, namespaced: spec.scope !== 'Cluster', source: 'crd' };
}
