import type { JsonPath } from './path.js';
import type { ObjectMeta, Resource } from './resource.js';

/* Minimal typings of the pod spec fields controls read; the rest stays `unknown`. */
export interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string; localhostProfile?: string };
  appArmorProfile?: { type?: string; localhostProfile?: string };
  seLinuxOptions?: { type?: string; user?: string; role?: string; level?: string };
  windowsOptions?: { hostProcess?: boolean; [k: string]: unknown };
  [k: string]: unknown;
}

export interface Container {
  name?: string;
  image?: string;
  imagePullPolicy?: string;
  securityContext?: SecurityContext;
  resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> };
  env?: { name?: string; value?: string; valueFrom?: Record<string, unknown> }[];
  envFrom?: Record<string, unknown>[];
  ports?: { containerPort?: number; hostPort?: number; hostIP?: string; protocol?: string; name?: string }[];
  volumeMounts?: { name?: string; mountPath?: string; readOnly?: boolean }[];
  livenessProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
  startupProbe?: Record<string, unknown>;
  lifecycle?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: ({ name?: string; [k: string]: unknown })[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  hostUsers?: boolean;
  securityContext?: SecurityContext & { sysctls?: { name?: string; value?: string }[]; supplementalGroups?: number[]; fsGroup?: number };
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  os?: { name?: string };
  nodeName?: string;
  [k: string]: unknown;
}

export type ContainerKind = 'container' | 'initContainer' | 'ephemeralContainer';

export interface ContainerView {
  container: Container;
  kind: ContainerKind;
  /** Index in its list. */
  index: number;
  /** Path of the container from the object root. */
  path: JsonPath;
  name: string;
}

export interface PodSpecView {
  resource: Resource;
  spec: PodSpec;
  /** Path of the pod spec from the object root, e.g. ["spec","template","spec"]. */
  path: JsonPath;
  /** The pod's metadata (the template's for controllers). */
  podMetadata: ObjectMeta;
  /** Path of that metadata from the object root. */
  podMetadataPath: JsonPath;
  containers: readonly ContainerView[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface Inventory {
  readonly resources: readonly Resource[];
  readonly podSpecs: readonly PodSpecView[];
  byKind(kind: string): readonly Resource[];
  get(kind: string, namespace: string | undefined, name: string): Resource | undefined;
  inNamespace(namespace: string): readonly Resource[];
  /** Namespaces declared as Namespace objects or used by any namespaced resource. */
  namespaces(): ReadonlySet<string>;
  /** Pod specs in `namespace` whose pod labels match the selector. */
  podSpecsSelectedBy(selector: LabelSelector | Record<string, string> | undefined, namespace: string | undefined): readonly PodSpecView[];
  /** Services in the pod's namespace whose selector matches the pod's labels. */
  servicesFor(ps: PodSpecView): readonly Resource[];
  /** NetworkPolicies in the pod's namespace whose podSelector matches it. */
  networkPoliciesFor(ps: PodSpecView): readonly Resource[];
}
