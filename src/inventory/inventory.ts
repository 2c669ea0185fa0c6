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

/** The pod spec of a workload, or undefined for other kinds (or a malformed one). */
export function podSpecOf(resource: Resource): PodSpecView | undefined {
  const specPath = POD_SPEC_PATHS[resource.kind];
  if (!specPath) return undefined;
  const spec = getAt(resource.object, specPath);
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return undefined;
  const podMetadataPath: JsonPath = resource.kind === 'Pod' ? ['metadata'] : [...specPath.slice(0, -1), 'metadata'];
  const md = getAt(resource.object, podMetadataPath);
  const podMetadata = (md && typeof md === 'object' && !Array.isArray(md) ? md : {}) as ObjectMeta;
  const containers: ContainerView[] = [];
  for (const [field, kind] of CONTAINER_LISTS) {
    const list = (spec as Record<string, unknown>)[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c, index) => {
      if (!c || typeof c !== 'object' || Array.isArray(c)) return;
      const name = typeof (c as { name?: unknown }).name === 'string' ? (c as { name: string }).name : `#${index}`;
      containers.push({ container: c, kind, index, path: [...specPath, field, index], name });
    });
  }
  return { resource, spec: spec as PodSpec, path: specPath, podMetadata, podMetadataPath, containers };
}

function podLabels(ps: PodSpecView): Record<string, string> {
  const l = ps.podMetadata.labels;
  return l && typeof l === 'object' ? l : {};
}

class MemoryInventory implements Inventory {
  readonly podSpecs: PodSpecView[] = [];
  private readonly kinds = new Map<string, Resource[]>();
  private readonly byNamespace = new Map<string, Resource[]>();
  private readonly byIdentity = new Map<string, Resource>();
  private readonly podSpecsByNamespace = new Map<string, PodSpecView[]>();
  private namespaceSet?: Set<string>;
  private readonly kindByNamespace = new Map<string, Map<string, Resource[]>>();

  constructor(readonly resources: readonly Resource[]) {
    for (const r of resources) {
      push(this.kinds, r.kind, r);
      if (r.namespace !== undefined) push(this.byNamespace, r.namespace, r);
      const id = identity(r.kind, r.namespace, r.name);
      if (!this.byIdentity.has(id)) this.byIdentity.set(id, r);
      const ps = podSpecOf(r);
      if (ps) {
        this.podSpecs.push(ps);
        push(this.podSpecsByNamespace, r.namespace ?? '', ps);
      }
    }
  }

  byKind(kind: string): readonly Resource[] {
    return this.kinds.get(kind) ?? [];
  }

  get(kind: string, namespace: string | undefined, name: string): Resource | undefined {
    return this.byIdentity.get(identity(kind, namespace, name));
  }

  inNamespace(namespace: string): readonly Resource[] {
    return this.byNamespace.get(namespace) ?? [];
  }

  namespaces(): ReadonlySet<string> {
    if (!this.namespaceSet) {
      this.namespaceSet = new Set(this.byNamespace.keys());
      for (const ns of this.byKind('Namespace')) this.namespaceSet.add(ns.name);
    }
    return this.namespaceSet;
  }

  podSpecsSelectedBy(selector: LabelSelector | Record<string, string> | undefined, namespace: string | undefined): readonly PodSpecView[] {
    if (!selector) return [];
    const candidates = this.podSpecsByNamespace.get(namespace ?? '') ?? [];
    const isLabelSelector = 'matchLabels' in selector || 'matchExpressions' in selector || Object.keys(selector).length === 0;
    return candidates.filter((ps) =>
      isLabelSelector ? matchesSelector(selector as LabelSelector, podLabels(ps)) : matchesMapSelector(selector as Record<string, string>, podLabels(ps)),
    );
  }

  private inNamespaceOfKind(kind: string, namespace: string | undefined): readonly Resource[] {
    let byNs = this.kindByNamespace.get(kind);
    if (!byNs) {
      byNs = new Map();
      for (const r of this.byKind(kind)) push(byNs, r.namespace ?? '', r);
      this.kindByNamespace.set(kind, byNs);
    }
    return byNs.get(namespace ?? '') ?? [];
  }

  servicesFor(ps: PodSpecView): readonly Resource[] {
    const labels = podLabels(ps);
    return this.inNamespaceOfKind('Service', ps.resource.namespace).filter((s) => {
      const sel = getAt(s.object, ['spec', 'selector']);
      return !!sel && typeof sel === 'object' && matchesMapSelector(sel as Record<string, string>, labels);
    });
  }

  networkPoliciesFor(ps: PodSpecView): readonly Resource[] {
    const labels = podLabels(ps);
    return this.inNamespaceOfKind('NetworkPolicy', ps.resource.namespace).filter((np) => {
      const sel = getAt(np.object, ['spec', 'podSelector']);
      // podSelector is required; {} selects every pod in the namespace.
      return !!sel && typeof sel === 'object' && matchesSelector(sel as LabelSelector, labels);
    });
  }
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
