/**
 * NetworkPolicy semantics the network controls share, and per-namespace indexes built
 * once per inventory.
 *
 * - policyTypes, when absent, is ["Ingress"] plus "Egress" if the policy has an egress
 *   section (networking.k8s.io/v1 API reference).
 * - A pod is isolated for a direction as soon as one policy of that type selects it; the
 *   allowed traffic is then the union of those policies' rules. An empty list of rules
 *   therefore allows nothing, and a rule without `from`/`to` allows every peer.
 */
import type { Inventory, PodSpecView } from '../../core/inventory.js';
import type { Resource } from '../../core/resource.js';

export type Direction = 'Ingress' | 'Egress';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export function policySpec(np: Resource): Obj {
  const spec = (np.object as Obj).spec;
  return isObj(spec) ? spec : {};
}

export function policyTypes(np: Resource): ReadonlySet<Direction> {
  const spec = policySpec(np);
  if (Array.isArray(spec.policyTypes)) return new Set(spec.policyTypes.filter((t): t is Direction => t === 'Ingress' || t === 'Egress'));
  const out = new Set<Direction>(['Ingress']);
  if (spec.egress !== undefined && spec.egress !== null) out.add('Egress');
  return out;
}

/** `{}` (or matchLabels/matchExpressions that are empty): every pod of the namespace. */
export function selectsAllPods(np: Resource): boolean {
  const sel = policySpec(np).podSelector;
  if (!isObj(sel)) return false;
  const labels = sel.matchLabels;
  const exprs = sel.matchExpressions;
  return (!isObj(labels) || Object.keys(labels).length === 0) && (!Array.isArray(exprs) || exprs.length === 0);
}

function rules(np: Resource, direction: Direction): unknown[] {
  const r = policySpec(np)[direction === 'Ingress' ? 'ingress' : 'egress'];
  return Array.isArray(r) ? r : [];
}

/** A rule that only opens DNS (port 53, or the kube-dns port names), to any destination. */
function dnsOnly(rule: unknown): boolean {
  if (!isObj(rule) || !Array.isArray(rule.ports) || rule.ports.length === 0) return false;
  return rule.ports.every((p) => isObj(p) && (p.port === 53 || p.port === '53' || p.port === 'dns' || p.port === 'dns-tcp'));
}

/**
 * A default-deny policy for the direction: selects every pod, has the type, and allows
 * nothing. For egress, rules that only open DNS are accepted, since "deny all but DNS"
 * is how default-deny egress is deployed in practice.
 */
export function isDefaultDeny(np: Resource, direction: Direction): boolean {
  if (!selectsAllPods(np) || !policyTypes(np).has(direction)) return false;
  const rs = rules(np, direction);
  return direction === 'Ingress' ? rs.length === 0 : rs.every(dnsOnly);
}

export interface NamespaceIndex {
  /** Pod specs by namespace, for namespaced workloads that name their namespace. */
  workloads: ReadonlyMap<string, readonly PodSpecView[]>;
  /** NetworkPolicies by namespace. */
  policies: ReadonlyMap<string, readonly Resource[]>;
}

const indexes = new WeakMap<Inventory, NamespaceIndex>();

export function namespaceIndex(inv: Inventory): NamespaceIndex {
  let idx = indexes.get(inv);
  if (!idx) {
    const workloads = new Map<string, PodSpecView[]>();
    for (const ps of inv.podSpecs) {
      const ns = ps.resource.namespace;
      if (ns === undefined) continue;
      const list = workloads.get(ns);
      if (list) list.push(ps);
      else workloads.set(ns, [ps]);
    }
    const policies = new Map<string, Resource[]>();
    for (const np of inv.byKind('NetworkPolicy')) {
      if (np.namespace === undefined) continue;
      const list = policies.get(np.namespace);
      if (list) list.push(np);
      else policies.set(np.namespace, [np]);
    }
    idx = { workloads, policies };
    indexes.set(inv, idx);
  }
  return idx;
}

/** Namespaces the cluster itself runs in, left out by default (option ignoreNamespaces). */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

export const IGNORE_NAMESPACES_SCHEMA = {
  type: 'object',
  properties: {
    ignoreNamespaces: {
      type: 'array',
      items: { type: 'string' },
      default: SYSTEM_NAMESPACES,
      description: 'Namespaces not checked (default: kube-system, kube-public, kube-node-lease).',
    },
  },
  additionalProperties: false,
} as const;

export function ignoredNamespaces(options: Readonly<Record<string, unknown>>): ReadonlySet<string> {
  const v = options.ignoreNamespaces;
  return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : SYSTEM_NAMESPACES);
}

/** True when a controller owns this object (a Pod of a ReplicaSet, a Job of a CronJob): report on the owner instead. */
export function isControlled(r: Resource): boolean {
  const refs = r.object.metadata?.ownerReferences;
  return Array.isArray(refs) && refs.some((o) => isObj(o) && o.controller === true);
}
