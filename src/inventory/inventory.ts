import type { ContainerKind, ContainerView, Inventory, LabelSelector, PodSpec, PodSpecView } from '../core/inventory.js';
import { POD_SPEC_PATHS } from '../core/kinds.js';
import { getAt, type JsonPath } from '../core/path.js';
import type { ObjectMeta, Resource } from '../core/resource.js';
import { matchesMapSelector, matchesSelector } from '../core/selector.js';

const CONTAINER_LISTS: readonly [string, ContainerKind][] = [
  ['initContainers', 'initContainer'],
  ['containers', 'container'],
  ['ephemeralContainers', 'ephemeralContainer'],
];

/** The paths of one workload kind, made once and shared by its views (JsonPath is read-only). */
interface PodPaths {
  spec: JsonPath;
  podMetadata: JsonPath;
  /** Per container list: its field, the kind of its containers, the path of the list and the paths of its first containers. */
  lists: readonly { field: string; kind: ContainerKind; path: JsonPath; containerPaths: JsonPath[] }[];
}

/**
 * Container paths are frozen and shared by every view of the same kind, list and index: a
 * review or a scan builds a view per workload, and a finding that keeps a path cannot change it.
 * Past this index each container gets its own (frozen) path, so the cache stays small.
 */
const SHARED_CONTAINER_PATHS = 32;

function containerPath(list: PodPaths['lists'][number], index: number): JsonPath {
  if (index >= SHARED_CONTAINER_PATHS) return Object.freeze([...list.path, index]);
  return (list.containerPaths[index] ??= Object.freeze([...list.path, index]));
}

/** The pod metadata of a template without any. */
const NO_POD_METADATA: ObjectMeta = Object.freeze({}) as ObjectMeta;

/** What a query answers when nothing matches: one shared empty list rather than a new one per call. */
const NONE: readonly never[] = Object.freeze([]);

const podPathsByKind = new Map<string, PodPaths>();

function podPathsOf(kind: string): PodPaths | undefined {
  let paths = podPathsByKind.get(kind);
  if (!paths) {
    const spec = POD_SPEC_PATHS[kind];
    if (!spec) return undefined;
    paths = {
      spec,
      podMetadata: kind === 'Pod' ? ['metadata'] : [...spec.slice(0, -1), 'metadata'],
      lists: CONTAINER_LISTS.map(([field, kind]) => ({ field, kind, path: [...spec, field], containerPaths: [] })),
    };
    podPathsByKind.set(kind, paths);
  }
  return paths;
}

function isContainer(c: unknown): c is ContainerView['container'] {
  return !!c && typeof c === 'object' && !Array.isArray(c);
}

/** The pod spec of a workload, or undefined for other kinds (or a malformed one). */
export function podSpecOf(resource: Resource): PodSpecView | undefined {
  // An own-property test first: POD_SPEC_PATHS is a plain object, and most kinds are not workloads.
  if (!Object.hasOwn(POD_SPEC_PATHS, resource.kind)) return undefined;
  const paths = podPathsOf(resource.kind);
  if (!paths) return undefined;
  const spec = getAt(resource.object, paths.spec);
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return undefined;
  const md = getAt(resource.object, paths.podMetadata);
  const podMetadata = md && typeof md === 'object' && !Array.isArray(md) ? (md as ObjectMeta) : NO_POD_METADATA;
  // Counted first so the list is made at its size: grown by push, a pod's one or two
  // containers would get room for seventeen. Indexed loops: this runs for every review, often
  // before it is optimised, where for-of allocates.
  let count = 0;
  for (let l = 0; l < paths.lists.length; l++) {
    const list = (spec as Record<string, unknown>)[paths.lists[l]!.field];
    if (Array.isArray(list)) for (let index = 0; index < list.length; index++) if (isContainer(list[index])) count++;
  }
  const containers: ContainerView[] = new Array(count);
  let n = 0;
  for (let l = 0; l < paths.lists.length && n < count; l++) {
    const entry = paths.lists[l]!;
    const list = (spec as Record<string, unknown>)[entry.field];
    if (!Array.isArray(list)) continue;
    for (let index = 0; index < list.length; index++) {
      const c: unknown = list[index];
      if (!isContainer(c)) continue;
      const name = typeof c.name === 'string' ? c.name : `#${index}`;
      containers[n++] = { container: c, kind: entry.kind, index, path: containerPath(entry, index), name };
    }
  }
  return { resource, spec: spec as PodSpec, path: paths.spec, podMetadata, podMetadataPath: paths.podMetadata, containers };
}

function podLabels(ps: PodSpecView): Record<string, string> {
  const l = ps.podMetadata.labels;
  return l && typeof l === 'object' ? l : {};
}

/**
 * The indexes are built on first use: the admission webhook builds an inventory of one object
 * per review, and a run asks for few of them, if any. `resources` must not change afterwards.
 */
class MemoryInventory implements Inventory {
  readonly podSpecs: PodSpecView[];
  private kinds?: Map<string, Resource[]>;
  private byNamespace?: Map<string, Resource[]>;
  private byIdentity?: Map<string, Resource>;
  private podSpecsByNamespace?: Map<string, PodSpecView[]>;
  private namespaceSet?: Set<string>;
  private kindByNamespace?: Map<string, Map<string, Resource[]>>;

  constructor(readonly resources: readonly Resource[]) {
    if (resources.length === 1) {
      // A review's one object: a list of its size, not one grown by push.
      const ps = podSpecOf(resources[0]!);
      this.podSpecs = ps ? [ps] : [];
    } else {
      this.podSpecs = [];
      for (const r of resources) {
        const ps = podSpecOf(r);
        if (ps) this.podSpecs.push(ps);
      }
    }
  }

  byKind(kind: string): readonly Resource[] {
    if (!this.kinds) {
      // A review's few objects rarely hold the kinds controls ask for: no index until one does.
      if (this.resources.length <= 8 && !this.hasKind(kind)) return NONE;
      this.kinds = new Map();
      for (const r of this.resources) push(this.kinds, r.kind, r);
    }
    return this.kinds.get(kind) ?? NONE;
  }

  private hasKind(kind: string): boolean {
    for (let i = 0; i < this.resources.length; i++) if (this.resources[i]!.kind === kind) return true;
    return false;
  }

  get(kind: string, namespace: string | undefined, name: string): Resource | undefined {
    // A few objects (the webhook's one under review) are searched, not indexed. Without NUL in
    // the query, equal parts are exactly equal identities, and the first match wins as below.
    if (!this.byIdentity && this.resources.length <= 8 && plainPart(kind) && (namespace === undefined || plainPart(namespace)) && plainPart(name)) {
      const ns = namespace ?? '';
      for (const r of this.resources) if (r.kind === kind && (r.namespace ?? '') === ns && r.name === name) return r;
      return undefined;
    }
    if (!this.byIdentity) {
      this.byIdentity = new Map();
      for (const r of this.resources) {
        const id = identity(r.kind, r.namespace, r.name);
        if (!this.byIdentity.has(id)) this.byIdentity.set(id, r);
      }
    }
    return this.byIdentity.get(identity(kind, namespace, name));
  }

  inNamespace(namespace: string): readonly Resource[] {
    return this.namespaceIndex().get(namespace) ?? NONE;
  }

  private namespaceIndex(): Map<string, Resource[]> {
    if (!this.byNamespace) {
      this.byNamespace = new Map();
      for (const r of this.resources) if (r.namespace !== undefined) push(this.byNamespace, r.namespace, r);
    }
    return this.byNamespace;
  }

  namespaces(): ReadonlySet<string> {
    if (!this.namespaceSet) {
      this.namespaceSet = new Set(this.namespaceIndex().keys());
      for (const ns of this.byKind('Namespace')) this.namespaceSet.add(ns.name);
    }
    return this.namespaceSet;
  }

  podSpecsSelectedBy(selector: LabelSelector | Record<string, string> | undefined, namespace: string | undefined): readonly PodSpecView[] {
    if (!selector || this.podSpecs.length === 0) return NONE;
    if (!this.podSpecsByNamespace) {
      this.podSpecsByNamespace = new Map();
      for (const ps of this.podSpecs) push(this.podSpecsByNamespace, ps.resource.namespace ?? '', ps);
    }
    const candidates = this.podSpecsByNamespace.get(namespace ?? '');
    if (!candidates) return NONE;
    const isLabelSelector = 'matchLabels' in selector || 'matchExpressions' in selector || Object.keys(selector).length === 0;
    return candidates.filter((ps) =>
      isLabelSelector ? matchesSelector(selector as LabelSelector, podLabels(ps)) : matchesMapSelector(selector as Record<string, string>, podLabels(ps)),
    );
  }

  private inNamespaceOfKind(kind: string, namespace: string | undefined): readonly Resource[] {
    if (this.byKind(kind).length === 0) return NONE;
    this.kindByNamespace ??= new Map();
    let byNs = this.kindByNamespace.get(kind);
    if (!byNs) {
      byNs = new Map();
      for (const r of this.byKind(kind)) push(byNs, r.namespace ?? '', r);
      this.kindByNamespace.set(kind, byNs);
    }
    return byNs.get(namespace ?? '') ?? NONE;
  }

  servicesFor(ps: PodSpecView): readonly Resource[] {
    const services = this.inNamespaceOfKind('Service', ps.resource.namespace);
    if (services.length === 0) return NONE;
    const labels = podLabels(ps);
    return services.filter((s) => {
      const sel = getAt(s.object, ['spec', 'selector']);
      return !!sel && typeof sel === 'object' && matchesMapSelector(sel as Record<string, string>, labels);
    });
  }

  networkPoliciesFor(ps: PodSpecView): readonly Resource[] {
    const policies = this.inNamespaceOfKind('NetworkPolicy', ps.resource.namespace);
    if (policies.length === 0) return NONE;
    const labels = podLabels(ps);
    return policies.filter((np) => {
      const sel = getAt(np.object, ['spec', 'podSelector']);
      // podSelector is required; {} selects every pod in the namespace.
      return !!sel && typeof sel === 'object' && matchesSelector(sel as LabelSelector, labels);
    });
  }
}

/** A string without NUL, the separator of identities (callers in plain JavaScript may pass anything). */
function plainPart(s: unknown): boolean {
  return typeof s === 'string' && !s.includes('\u0000');
}

function identity(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function buildInventory(resources: readonly Resource[]): Inventory {
  return new MemoryInventory(resources);
}
