/**
 * The admission request a policy judges. At admission it comes from the AdmissionReview;
 * offline (scan, test) it is synthesised: a CREATE of the object as written, by a user that
 * stands for "whoever applies these manifests" (see OFFLINE_USER).
 */
import type { K8sObject } from '../../core/resource.js';
import { parseApiVersion, type GroupVersionKind, type GroupVersionResource, type ResourceCatalog } from './resources.js';
import type { Operation } from './types.js';

export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/**
 * The user of offline evaluations. A real request always has an authenticated user; policies
 * that exempt system users (`request.userInfo.username.startsWith("system:")`) must see an
 * ordinary one, and `request.userInfo.groups` must exist for `"x" in …groups`.
 */
export const OFFLINE_USER: Readonly<UserInfo> = Object.freeze({ username: 'palisade:offline', groups: ['system:authenticated'] });

/** What the caller knows of the request (an AdmissionRequest, or just an object for scans). */
export interface AdmissionInput {
  /** The object being admitted; null for DELETE. */
  object: K8sObject | null;
  oldObject?: K8sObject | null;
  /** Default CREATE. */
  operation?: Operation;
  userInfo?: UserInfo;
  dryRun?: boolean;
  subResource?: string;
  /** Request namespace and name, when they differ from the object's (subresources, DELETE). */
  namespace?: string;
  name?: string;
  /** CreateOptions / UpdateOptions / DeleteOptions of the request. */
  options?: Record<string, unknown>;
  /** The resource as requested, when known (AdmissionReview.request.resource). */
  resource?: GroupVersionResource;
}

/** admission.Attributes: what matching and CEL see of a request. */
export interface AdmissionAttributes {
  operation: Operation;
  object: K8sObject | null;
  oldObject: K8sObject | null;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource: string;
  name: string;
  /** '' for cluster-scoped resources; the namespace's own name for Namespace requests. */
  namespace: string;
  userInfo: UserInfo;
  dryRun: boolean;
  options?: Record<string, unknown>;
  /** The scope of the kind could not be determined (custom kind without its CRD). */
  scopeGuessed: boolean;
}

export interface AttributeOptions {
  catalog: ResourceCatalog;
  /** Namespace of a namespaced object that names none (kubectl's default: "default"). */
  defaultNamespace?: string;
}

export function admissionAttributes(input: AdmissionInput, opts: AttributeOptions): AdmissionAttributes {
  const operation = input.operation ?? 'CREATE';
  const obj = input.object ?? input.oldObject ?? null;
  const apiVersion = typeof obj?.apiVersion === 'string' ? obj.apiVersion : '';
  const kindName = typeof obj?.kind === 'string' ? obj.kind : '';
  const { group, version } = parseApiVersion(apiVersion);
  const info = opts.catalog.forKind(group, kindName);
  const meta = obj?.metadata && typeof obj.metadata === 'object' ? obj.metadata : {};
  const name = input.name ?? (typeof meta.name === 'string' ? meta.name : '');
  let namespaced = info.namespaced;
  const scopeGuessed = namespaced === undefined;
  if (namespaced === undefined) namespaced = typeof meta.namespace === 'string' && meta.namespace !== '';
  let namespace: string;
  if (input.namespace !== undefined) namespace = input.namespace;
  else if (group === '' && kindName === 'Namespace') namespace = name; // as the API server sets it
  else if (namespaced) namespace = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : (opts.defaultNamespace ?? 'default');
  else namespace = '';
  return {
    operation,
    object: operation === 'DELETE' ? null : (input.object ?? null),
    oldObject: operation === 'CREATE' ? null : (input.oldObject ?? null),
    kind: { group, version, kind: kindName },
    resource: input.resource ?? { group, version, resource: info.resource },
    subResource: input.subResource ?? '',
    name,
    namespace,
    userInfo: input.userInfo ?? { ...OFFLINE_USER, groups: [...OFFLINE_USER.groups!] },
    dryRun: input.dryRun ?? false,
    options: input.options,
    scopeGuessed,
  };
}

/**
 * The `request` CEL variable: an admission.k8s.io/v1 AdmissionRequest without uid, object
 * and oldObject, with kind/resource set to what the policy matched (an equivalent resource
 * under matchPolicy: Equivalent) and requestKind/requestResource to what was asked for.
 * Empty optional fields are left out, as Kubernetes' JSON encoding omits them.
 */
export function admissionRequest(a: AdmissionAttributes, matched: { resource: GroupVersionResource; kind: GroupVersionKind }): Record<string, unknown> {
  const userInfo: Record<string, unknown> = {};
  if (a.userInfo.username) userInfo.username = a.userInfo.username;
  if (a.userInfo.uid) userInfo.uid = a.userInfo.uid;
  if (a.userInfo.groups?.length) userInfo.groups = [...a.userInfo.groups];
  if (a.userInfo.extra && Object.keys(a.userInfo.extra).length) userInfo.extra = a.userInfo.extra;
  const req: Record<string, unknown> = {
    kind: { ...matched.kind },
    resource: { ...matched.resource },
    requestKind: { ...a.kind },
    requestResource: { ...a.resource },
    operation: a.operation,
    userInfo,
    dryRun: a.dryRun,
  };
  if (a.subResource) {
    req.subResource = a.subResource;
    req.requestSubResource = a.subResource;
  }
  if (a.name) req.name = a.name;
  if (a.namespace) req.namespace = a.namespace;
  if (a.options) req.options = a.options;
  return req;
}
