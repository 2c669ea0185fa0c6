import type { JsonPath } from './path.js';
import { apiGroup, isClusterScoped } from './kinds.js';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  [k: string]: unknown;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata?: ObjectMeta;
  [k: string]: unknown;
}

/** A place in a source file. Lines and columns are 1-based. */
export interface Position {
  line: number;
  column: number;
}

export interface Location extends Position {
  /** File path relative to the scan root (forward slashes). */
  file: string;
  /** The path that was found: the requested one, or its nearest existing parent. */
  path: JsonPath;
  /** False when the requested path does not exist and a parent was located instead. */
  exact: boolean;
}

export interface ManifestOrigin {
  type: 'manifest';
  /** Relative to the scan root, forward slashes. */
  file: string;
  /** 0-based index of the YAML document in the file. */
  docIndex: number;
  /** Path of this object inside its document (non-empty for items of a List). */
  basePath: JsonPath;
  /** Locates a path of this object (relative to the object's root). */
  locate(path: JsonPath): Location;
}

export interface ClusterOrigin {
  type: 'cluster';
  cluster: string;
  uid?: string;
  resourceVersion?: string;
}

export interface AdmissionOrigin {
  type: 'admission';
  uid: string;
}

export type Origin = ManifestOrigin | ClusterOrigin | AdmissionOrigin;

/** A Kubernetes object plus where it came from. */
export interface Resource {
  readonly object: K8sObject;
  readonly origin: Origin;
  readonly apiVersion: string;
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** Namespace as written; undefined for cluster-scoped kinds and for namespaced objects without one. */
  readonly namespace: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** group/kind/namespace/name: the identity used for fingerprints and indexes. */
  readonly key: string;
}

export function makeResource(object: K8sObject, origin: Origin): Resource {
  const meta = (object.metadata && typeof object.metadata === 'object' ? object.metadata : {}) as ObjectMeta;
  const kind = object.kind;
  const group = apiGroup(object.apiVersion);
  const name = typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '';
  const namespace = isClusterScoped(kind) ? undefined : typeof meta.namespace === 'string' ? meta.namespace : undefined;
  const labels = isStringMap(meta.labels) ? meta.labels : {};
  const annotations = isStringMap(meta.annotations) ? meta.annotations : {};
  return {
    object,
    origin,
    apiVersion: object.apiVersion,
    group,
    kind,
    name,
    namespace,
    labels,
    annotations,
    key: `${group}/${kind}/${namespace ?? ''}/${name}`,
  };
}

function isStringMap(v: unknown): v is Record<string, string> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** "Deployment shop/web" or "ClusterRole admin". */
export function displayName(r: { kind: string; namespace?: string | undefined; name: string }): string {
  return r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;
}
