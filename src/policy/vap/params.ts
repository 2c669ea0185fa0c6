/**
 * The params a binding selects for one request (the API server's CollectParams): none when
 * the policy has no paramKind or the binding no paramRef (the policy runs once with
 * `params == null`), else the objects of paramKind found by name or label selector, in
 * paramRef.namespace or — for a namespaced paramKind without one — in the request's
 * namespace. Offline, params are looked up among the scanned objects.
 */
import type { LabelSelector } from '../../core/inventory.js';
import type { K8sObject } from '../../core/resource.js';
import { matchesSelector } from '../../core/selector.js';
import { parseApiVersion, type ResourceCatalog } from './resources.js';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './types.js';

/** Where params come from: every object of a group and kind (any version). */
export interface ParamSource {
  objectsOf(group: string, kind: string): readonly K8sObject[];
}

const metaOf = (o: K8sObject) => (o.metadata && typeof o.metadata === 'object' ? o.metadata : {});

export const NO_PARAMS: ParamSource = { objectsOf: () => [] };

/** Params from a list of objects (the inventory, policy files); the first of a name wins. */
export function paramSourceOf(objects: Iterable<K8sObject>): ParamSource {
  const byKind = new Map<string, K8sObject[]>();
  const seen = new Set<string>();
  for (const o of objects) {
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') continue;
    const k = `${parseApiVersion(o.apiVersion).group}\u0000${o.kind}`;
    const id = `${k}\u0000${String(metaOf(o).namespace ?? '')}\u0000${String(metaOf(o).name ?? '')}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const list = byKind.get(k);
    if (list) list.push(o);
    else byKind.set(k, [o]);
  }
  return { objectsOf: (group, kind) => byKind.get(`${group}\u0000${kind}`) ?? [] };
}

export type CollectedParams = { ok: true; params: (K8sObject | null)[] } | { ok: false; error: string };

export interface ParamOptions {
  catalog: ResourceCatalog;
  source: ParamSource;
  /** Namespace of a namespaced param object that names none. */
  defaultNamespace?: string;
}

export function collectParams(
  policy: ValidatingAdmissionPolicy,
  binding: ValidatingAdmissionPolicyBinding,
  requestNamespace: string,
  opts: ParamOptions,
): CollectedParams {
  const kind = policy.paramKind;
  const ref = binding.paramRef;
  if (!kind || !ref) return { ok: true, params: [null] };
  const { group } = parseApiVersion(kind.apiVersion);
  const all = opts.source.objectsOf(group, kind.kind);
  let namespaced = opts.catalog.forKind(group, kind.kind).namespaced;
  // A custom kind without its CRD: namespaced if the binding or the objects say so.
  if (namespaced === undefined) namespaced = !!ref.namespace || all.some((o) => typeof metaOf(o).namespace === 'string');
  let candidates = all;
  if (namespaced) {
    const ns = ref.namespace || requestNamespace;
    if (!ns) return { ok: false, error: 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources' };
    const fallback = opts.defaultNamespace ?? 'default';
    candidates = all.filter((o) => (typeof metaOf(o).namespace === 'string' && metaOf(o).namespace ? metaOf(o).namespace : fallback) === ns);
  } else if (ref.namespace) {
    return { ok: false, error: 'paramRef.namespace must not be provided for a cluster-scoped `paramKind`' };
  }
  let params: K8sObject[];
  if (ref.name) params = candidates.filter((o) => metaOf(o).name === ref.name).slice(0, 1);
  else if (ref.selector) {
    const selector: LabelSelector = ref.selector;
    params = candidates.filter((o) => matchesSelector(selector, (metaOf(o).labels as Record<string, string> | undefined) ?? {}));
  } else return { ok: false, error: 'one of name or selector must be provided' };
  if (params.length === 0 && ref.parameterNotFoundAction === 'Deny') {
    return { ok: false, error: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
  }
  return { ok: true, params };
}
