/**
 * The objects a decision may need besides the one under review: the Namespace, its
 * ServiceAccounts, LimitRanges, ResourceQuotas and NetworkPolicies. The webhook learns them
 * from the reviews it admits (when the webhook configuration sends those kinds) and from
 * `--context` manifests read at start. It never lists the cluster, so what it knows may be
 * incomplete or stale: controls that look across objects judge with what is known, exactly
 * as `palisade scan` does with the files it is given.
 */
import type { Resource } from '../core/resource.js';

export class ContextCache {
  // Insertion order doubles as age: the oldest entry is evicted first when full.
  private readonly byKey = new Map<string, Resource>();
  private readonly byNamespace = new Map<string, Map<string, Resource>>();
  private readonly kinds: ReadonlySet<string>;

  constructor(kinds: readonly string[], private readonly maxObjects: number) {
    this.kinds = new Set(kinds);
  }

  /** True when objects of this kind are kept. */
  keeps(kind: string): boolean {
    return this.maxObjects > 0 && this.kinds.has(kind);
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Objects kept per kind, for metrics. */
  countsByKind(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of this.kinds) out[k] = 0;
    for (const r of this.byKey.values()) out[r.kind] = (out[r.kind] ?? 0) + 1;
    return out;
  }

  put(r: Resource): void {
    if (!this.keeps(r.kind) || !r.name || r.name.endsWith('*')) return;
    this.remove(r.key);
    while (this.byKey.size >= this.maxObjects) {
      const oldest = this.byKey.keys().next().value as string | undefined;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
    this.byKey.set(r.key, r);
    const ns = this.namespaceOf(r);
    let m = this.byNamespace.get(ns);
    if (!m) this.byNamespace.set(ns, (m = new Map()));
    m.set(r.key, r);
  }

  remove(key: string): void {
    const r = this.byKey.get(key);
    if (!r) return;
    this.byKey.delete(key);
    const ns = this.namespaceOf(r);
    const m = this.byNamespace.get(ns);
    m?.delete(key);
    if (m && m.size === 0) this.byNamespace.delete(ns);
  }

  /** A Namespace object belongs to the namespace it names. */
  private namespaceOf(r: Resource): string {
    return r.kind === 'Namespace' ? r.name : r.namespace ?? '';
  }

  /** What is known about a namespace (its Namespace object included), except `excludeKey`. */
  contextFor(namespace: string | undefined, excludeKey: string): Resource[] {
    if (namespace === undefined) return [];
    const m = this.byNamespace.get(namespace);
    if (!m) return [];
    const out: Resource[] = [];
    for (const [k, r] of m) if (k !== excludeKey) out.push(r);
    return out;
  }

  /** Every kept object of a kind in a namespace. */
  inNamespace(kind: string, namespace: string | undefined): Resource[] {
    return this.contextFor(namespace, '').filter((r) => r.kind === kind);
  }
}
