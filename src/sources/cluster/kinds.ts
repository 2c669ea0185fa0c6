/**
 * Which kinds a live scan reads, and which controls depend on which kinds. A control that
 * needed a kind the scan could not read cannot pass: it is reported as not evaluated.
 */
import type { Control, ControlContext } from '../../core/control.js';
import { isClusterScoped, POD_SPEC_PATHS } from '../../core/kinds.js';

/** A kind by its API group ("" for the core group); the version comes from discovery. */
export interface KindRef {
  group: string;
  kind: string;
}

/** Every kind Palisade's built-in controls, inventory views and admission context read. */
export const CLUSTER_KINDS: readonly KindRef[] = [
  ...['Namespace', 'Pod', 'ReplicationController', 'PodTemplate', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount', 'LimitRange', 'ResourceQuota'].map((kind) => ({ group: '', kind })),
  ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].map((kind) => ({ group: 'apps', kind })),
  ...['Job', 'CronJob'].map((kind) => ({ group: 'batch', kind })),
  ...['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].map((kind) => ({ group: 'rbac.authorization.k8s.io', kind })),
  ...['NetworkPolicy', 'Ingress'].map((kind) => ({ group: 'networking.k8s.io', kind })),
  ...['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'].map((kind) => ({
    group: 'admissionregistration.k8s.io',
    kind,
  })),
  { group: 'apiregistration.k8s.io', kind: 'APIService' },
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  // Removed in 1.25; read when an older server still serves it.
  { group: 'policy', kind: 'PodSecurityPolicy' },
  // Istio's CRDs: read only when discovery says the cluster has them.
  ...['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication'].map((kind) => ({ group: 'security.istio.io', kind })),
];

const GROUP_OF = new Map(CLUSTER_KINDS.map((k) => [k.kind, k.group]));

export const WORKLOAD_KINDS: readonly string[] = Object.keys(POD_SPEC_PATHS);
const RBAC_KINDS = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'];
const ISTIO_KINDS = CLUSTER_KINDS.filter((k) => k.group.endsWith('.istio.io')).map((k) => k.kind);
const NAMESPACED_KINDS = CLUSTER_KINDS.map((k) => k.kind).filter((k) => !isClusterScoped(k));

/**
 * Reads a control makes beyond its `appliesTo` (which is written for readers): kinds its
 * cross-resource analysis looks up. Keep in step with the controls' inventory visitors.
 */
const EXTRA_READS: Readonly<Record<string, readonly string[]>> = {
  // Legacy service-account token Secrets are one way to a privileged account.
  'PAL-RBAC-010': ['Secret', 'ServiceAccount'],
  'PAL-RBAC-011': ['Namespace'],
  'PAL-MESH-002': ['Namespace'],
  'PAL-NET-001': ['Namespace'],
  'PAL-NET-002': ['Namespace'],
};

const PROBE_CONTEXT: ControlContext = {
  report() {},
  settings: { allowedRegistries: ['probe.invalid'], pssVersion: 'latest' },
  options: {},
};

/**
 * The kinds (by kind name, or `group/resource` for names only discovery can resolve) whose
 * absence makes this control's result incomplete.
 */
export function kindsReadBy(control: Control): string[] {
  const out = new Set<string>();
  let visitorKeys: string[] = [];
  try {
    visitorKeys = Object.keys(control.check(PROBE_CONTEXT));
  } catch {
    // A control that cannot build its visitor without real options still has its appliesTo.
  }
  for (const key of visitorKeys) {
    if (key === 'podSpec' || key === 'container') WORKLOAD_KINDS.forEach((k) => out.add(k));
    else if (/^[A-Z]/.test(key)) out.add(key);
  }
  for (const entry of control.meta.appliesTo) {
    const e = entry.trim();
    if (/workloads|static pods/i.test(e)) WORKLOAD_KINDS.forEach((k) => out.add(k));
    else if (/^istio objects$/i.test(e)) ISTIO_KINDS.forEach((k) => out.add(k));
    else if (/^namespaced objects$/i.test(e)) NAMESPACED_KINDS.forEach((k) => out.add(k));
    else if (/^(\*|every object)$/.test(e)) CLUSTER_KINDS.forEach((k) => out.add(k.kind));
    else if (/^[A-Za-z0-9.-]+(\/[A-Za-z0-9.-]+)*$/.test(e)) out.add(e);
  }
  if (control.meta.category === 'rbac') RBAC_KINDS.forEach((k) => out.add(k));
  for (const k of EXTRA_READS[control.meta.id] ?? []) out.add(k);
  return [...out].sort();
}

/** What to list for a set of controls, and what each control depends on. */
export interface CoveragePlan {
  /** Kinds to list, known group; plus names (plural resources, `group/resource`) that discovery must resolve. */
  kinds: KindRef[];
  unresolved: string[];
  /** Control id → kinds it reads (kind names, or the unresolved names). */
  reads: Map<string, string[]>;
}

export function coveragePlan(controls: readonly Control[]): CoveragePlan {
  const reads = new Map<string, string[]>();
  const wanted = new Map<string, KindRef>();
  const unresolved = new Set<string>();
  for (const c of controls) {
    // Policies (not built-in controls) resolve custom resources through the CRDs in the inventory.
    if (!/^(PAL|PSS)-/.test(c.meta.id)) wanted.set('CustomResourceDefinition', { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' });
    const kinds = kindsReadBy(c);
    reads.set(c.meta.id, kinds);
    for (const k of kinds) {
      const group = GROUP_OF.get(k);
      if (group !== undefined) wanted.set(k, { group, kind: k });
      else unresolved.add(k);
    }
  }
  return { kinds: CLUSTER_KINDS.filter((k) => wanted.has(k.kind)), unresolved: [...unresolved].sort(), reads };
}
