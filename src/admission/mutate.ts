/**
 * The mutating side: safe defaults written as RFC 6902 patches that only ever add what the
 * object leaves unset (and, for digests, pin a version tag to the content it names today).
 *
 * Each default is applied only where it cannot break a workload that was valid before:
 * - seccomp-runtime-default: pod-level seccompProfile RuntimeDefault when the pod sets none
 *   (containers with their own profile keep it); not for Windows pods, where the API refuses it.
 * - no-privilege-escalation: allowPrivilegeEscalation: false on containers that leave it unset,
 *   except privileged ones and ones adding CAP_SYS_ADMIN (the API rejects that combination).
 * - no-token-automount: automountServiceAccountToken: false on controller pod templates whose
 *   pod and known ServiceAccount leave it unset and that mount no token themselves. Not on Pods:
 *   the ServiceAccount admission plugin has already added the token volume by then.
 * - drop-all-capabilities: capabilities.drop [ALL] on containers that set no drop list and are
 *   known to run as a non-root user (a non-root process holds no capabilities to lose).
 * - run-as-non-root: pod-level runAsNonRoot: true when every container is known to run as a
 *   non-zero UID (so the kubelet's check cannot fail), which is what PSS restricted asks for.
 * - default requests and limits for containers that set none, unless pod-level resources or a
 *   known LimitRange default them, and never a request above the container's limit.
 * - tag-to-digest resolution (registries.resolveDigests): "app:1.4" becomes "app:1.4@sha256:…".
 *   "latest" and untagged images are left alone: pinning them hides a moving reference.
 *
 * Pods and Jobs are mutated on CREATE only: their pod spec is immutable afterwards.
 */
import type { JsonPatchOp } from '../core/finding.js';
import type { Container, PodSpec, PodSpecView } from '../core/inventory.js';
import { toPointer, type JsonPath } from '../core/path.js';
import type { Resource } from '../core/resource.js';
import { podSpecOf } from '../inventory/inventory.js';
import { DEFAULT_TAG, parseImageReference, type ImageReference } from '../controls/image/image-reference.js';
import type { AdmissionSettings, Mutation } from './config.js';
import type { ContextCache } from './context-cache.js';
import { parseQuantity } from './quantity.js';
import type { AdmissionRequest } from './review.js';

export interface DigestSource {
  /** The digest the tag names now; rejects with a reason when it cannot tell. */
  resolve(ref: ImageReference): Promise<string>;
}

export interface MutationResult {
  ops: JsonPatchOp[];
  /** Names of the defaults applied, for annotations and the decision log. */
  applied: string[];
  warnings: string[];
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isUnset(v: unknown): boolean {
  return v === undefined || v === null;
}

/** Sets `value` at `path` under `root` when nothing is there, creating missing parents. */
function setIfUnset(root: Obj, path: JsonPath, value: unknown): boolean {
  let cur: unknown = root;
  for (const seg of path.slice(0, -1)) {
    const parent = cur as Obj;
    let next = (parent as Record<string | number, unknown>)[seg];
    if (isUnset(next)) {
      next = {};
      (parent as Record<string | number, unknown>)[seg] = next;
    }
    if (typeof next !== 'object' || next === null) return false;
    cur = next;
  }
  const last = path[path.length - 1]!;
  const parent = cur as Record<string | number, unknown>;
  if (!isUnset(parent[last])) return false;
  parent[last] = value;
  return true;
}

/** Add operations turning `before` into `after`, where `after` only has members added. */
function additions(before: unknown, after: unknown, path: JsonPath, out: JsonPatchOp[]): void {
  if (Array.isArray(after) && Array.isArray(before)) {
    after.forEach((v, i) => additions(before[i], v, [...path, i], out));
    return;
  }
  if (!isObject(after)) return;
  for (const [k, v] of Object.entries(after)) {
    const prev = isObject(before) ? before[k] : undefined;
    if (isUnset(prev) && !isUnset(v)) out.push({ op: 'add', path: toPointer([...path, k]), value: v });
    else if (typeof v === 'object' && v !== null) additions(prev, v, [...path, k], out);
  }
}

const SYS_ADMIN = new Set(['SYS_ADMIN', 'CAP_SYS_ADMIN']);
const TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

function effectiveUid(c: Container, spec: PodSpec): number | undefined {
  const u = c.securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
  return typeof u === 'number' ? u : undefined;
}

function runsAsNonRoot(c: Container, spec: PodSpec): boolean {
  const uid = effectiveUid(c, spec);
  if (uid !== undefined) return uid !== 0;
  return (c.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot) === true;
}

function limitRangeDefault(cache: ContextCache | undefined, namespace: string | undefined, bound: 'requests' | 'limits', name: string): boolean {
  if (!cache) return false;
  const fields = bound === 'limits' ? ['default'] : ['defaultRequest', 'default'];
  for (const lr of cache.inNamespace('LimitRange', namespace)) {
    const limits = (lr.object.spec as { limits?: unknown } | undefined)?.limits;
    if (!Array.isArray(limits)) continue;
    for (const item of limits) {
      if (!isObject(item) || item.type !== 'Container') continue;
      if (fields.some((f) => isObject(item[f]) && !isUnset((item[f] as Obj)[name]))) return true;
    }
  }
  return false;
}

/** Applies the configured safe defaults to a copy of the pod spec; returns their names. */
function securityDefaults(ps: PodSpecView, work: Obj, mutations: ReadonlySet<Mutation>, resource: Resource, cache: ContextCache | undefined): string[] {
  const applied = new Set<string>();
  const spec = ps.spec;
  const windows = spec.os?.name === 'windows';
  const at = (p: JsonPath) => [...ps.path, ...p];
  const containers = ps.containers.filter((c) => c.kind !== 'ephemeralContainer');
  if (mutations.has('seccomp-runtime-default') && !windows) {
    if (setIfUnset(work, at(['securityContext', 'seccompProfile']), { type: 'RuntimeDefault' })) applied.add('seccomp-runtime-default');
  }
  if (mutations.has('run-as-non-root') && !windows && containers.length) {
    const allNonZero = containers.every((c) => {
      const uid = effectiveUid(c.container, spec);
      return uid !== undefined && uid !== 0 && c.container.securityContext?.runAsNonRoot !== false;
    });
    if (allNonZero && setIfUnset(work, at(['securityContext', 'runAsNonRoot']), true)) applied.add('run-as-non-root');
  }
  if (mutations.has('no-token-automount') && resource.kind !== 'Pod') {
    const sa = cache?.inNamespace('ServiceAccount', resource.namespace).find((r) => r.name === (spec.serviceAccountName ?? 'default'));
    const mountsToken = containers.some((c) => (c.container.volumeMounts ?? []).some((m) => typeof m?.mountPath === 'string' && m.mountPath.startsWith(TOKEN_PATH)));
    if (sa?.object.automountServiceAccountToken !== true && !mountsToken && setIfUnset(work, at(['automountServiceAccountToken']), false)) applied.add('no-token-automount');
  }
  for (const c of containers) {
    const sc = c.container.securityContext ?? {};
    const privileged = sc.privileged === true;
    if (mutations.has('no-privilege-escalation') && !windows && !privileged) {
      const adds = Array.isArray(sc.capabilities?.add) ? sc.capabilities!.add! : [];
      if (!adds.some((a) => typeof a === 'string' && SYS_ADMIN.has(a.toUpperCase()))) {
        if (setIfUnset(work, [...c.path, 'securityContext', 'allowPrivilegeEscalation'], false)) applied.add('no-privilege-escalation');
      }
    }
    if (mutations.has('drop-all-capabilities') && !windows && !privileged && runsAsNonRoot(c.container, spec)) {
      if (setIfUnset(work, [...c.path, 'securityContext', 'capabilities', 'drop'], ['ALL'])) applied.add('drop-all-capabilities');
    }
  }
  return [...applied];
}

function resourceDefaults(ps: PodSpecView, work: Obj, defaults: AdmissionSettings['defaultResources'], resource: Resource, cache: ContextCache | undefined): boolean {
  if (!isUnset(ps.spec.resources)) return false;
  let changed = false;
  for (const c of ps.containers) {
    if (c.kind === 'ephemeralContainer') continue;
    const own = isObject(c.container.resources) ? c.container.resources : {};
    const ownRequests = isObject(own.requests) ? own.requests : {};
    const ownLimits = isObject(own.limits) ? own.limits : {};
    for (const name of ['cpu', 'memory'] as const) {
      const defLimit = defaults.limits[name];
      const defRequest = defaults.requests[name];
      let limit = parseQuantity(ownLimits[name]);
      if (defLimit !== undefined && isUnset(ownLimits[name]) && !limitRangeDefault(cache, resource.namespace, 'limits', name)) {
        const req = parseQuantity(ownRequests[name]);
        const v = parseQuantity(defLimit);
        // A limit under the container's own request would make the object invalid.
        if (v !== undefined && (req === undefined || req <= v) && setIfUnset(work, [...c.path, 'resources', 'limits', name], defLimit)) {
          limit = v;
          changed = true;
        }
      }
      // Without a request the API copies the container's own limit into it; ours would compete.
      if (defRequest !== undefined && isUnset(ownRequests[name]) && isUnset(ownLimits[name]) && !limitRangeDefault(cache, resource.namespace, 'requests', name)) {
        const v = parseQuantity(defRequest);
        if (v !== undefined && (limit === undefined || v <= limit) && setIfUnset(work, [...c.path, 'resources', 'requests', name], defRequest)) changed = true;
      }
    }
  }
  return changed;
}

/** True when this request's pod spec may still be changed. */
export function podSpecMutable(req: AdmissionRequest, kind: string): boolean {
  if (req.operation === 'CREATE') return true;
  return req.operation === 'UPDATE' && kind !== 'Pod' && kind !== 'Job';
}

/** The patch for one request (an empty one when nothing applies). */
export async function mutationsFor(
  req: AdmissionRequest,
  resource: Resource,
  settings: AdmissionSettings,
  cache: ContextCache | undefined,
  digests: DigestSource | undefined,
): Promise<MutationResult> {
  const result: MutationResult = { ops: [], applied: [], warnings: [] };
  if (!podSpecMutable(req, resource.kind)) return result;
  const ps = podSpecOf(resource);
  if (!ps) return result;
  const mutations = new Set(settings.mutations);
  const hasDefaults = Object.keys(settings.defaultResources.requests).length + Object.keys(settings.defaultResources.limits).length > 0;
  const object = resource.object as unknown as Obj;
  if (mutations.size || hasDefaults) {
    const work = structuredClone(object);
    result.applied.push(...securityDefaults(ps, work, mutations, resource, cache));
    if (hasDefaults && resourceDefaults(ps, work, settings.defaultResources, resource, cache)) result.applied.push('default-resources');
    additions(object, work, [], result.ops);
  }
  if (settings.registries.resolveDigests && digests) {
    const pending: Promise<void>[] = [];
    const pins: JsonPatchOp[] = [];
    for (const c of ps.containers) {
      const image = c.container.image;
      if (typeof image !== 'string') continue;
      const parsed = parseImageReference(image);
      if (!parsed.ok || parsed.ref.digest !== undefined || parsed.ref.tag === undefined || parsed.ref.tag === DEFAULT_TAG) continue;
      const ref = parsed.ref;
      pending.push(
        digests.resolve(ref).then(
          (digest) => {
            pins.push({ op: 'replace', path: toPointer([...c.path, 'image']), value: `${image}@${digest}` });
          },
          (e: unknown) => {
            result.warnings.push(`[digest] ${image} of container "${c.name}" was not pinned: ${(e as Error)?.message ?? String(e)}`);
          },
        ),
      );
    }
    await Promise.all(pending);
    // In container order, whichever registry answered first.
    pins.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    result.ops.push(...pins);
    result.warnings.sort();
    if (pins.length) result.applied.push('resolve-digests');
  }
  return result;
}
