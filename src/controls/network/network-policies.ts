/**
 * NetworkPolicy semantics the network controls share, and the per-namespace views the
 * default-deny controls read.
 *
 * - policyTypes, when absent, is ["Ingress"] plus "Egress" if the policy has an egress
 *   section (networking.k8s.io/v1 API reference).
 * - A pod is isolated for a direction as soon as one policy of that type selects it; the
 *   allowed traffic is then the union of those policies' rules. An empty list of rules
 *   therefore allows nothing, and a rule without `from`/`to` allows every peer.
 */
import type { Inventory, PodSpecView } from '../../core/inventory.js';
import type { Resource } from '../../core/resource.js';
import { perOptions, type ControlOptions } from '../control-options.js';

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

/** policyTypes(np).has(direction), without building the set (read for every policy of a review's namespace). */
export function hasPolicyType(np: Resource, direction: Direction): boolean {
  const spec = policySpec(np);
  if (Array.isArray(spec.policyTypes)) return spec.policyTypes.includes(direction);
  return direction === 'Ingress' || (spec.egress !== undefined && spec.egress !== null);
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
  if (!selectsAllPods(np) || !hasPolicyType(np, direction)) return false;
  const rs = rules(np, direction);
  return direction === 'Ingress' ? rs.length === 0 : rs.every(dnsOnly);
}

/** A namespace's workloads: how many, and the first in inventory order. */
export interface NamespaceWorkloads {
  namespace: string;
  first: PodSpecView;
  count: number;
}

/**
 * Namespaces holding workloads (those that name their namespace), sorted. Built per call
 * rather than cached per inventory: it is one pass over the pod specs, cheaper for the one
 * object of an admission review than any cache keyed by the inventory.
 */
export function workloadsByNamespace(inv: Inventory): NamespaceWorkloads[] {
  // Most inventories of a review hold one namespace: a list made at its size for the first
  // (not grown from empty), and no Map until a second one shows up.
  let out: NamespaceWorkloads[] | undefined;
  let byNs: Map<string, NamespaceWorkloads> | undefined;
  let last: NamespaceWorkloads | undefined;
  const podSpecs = inv.podSpecs;
  for (let i = 0; i < podSpecs.length; i++) {
    const ps = podSpecs[i]!;
    const ns = ps.resource.namespace;
    if (ns === undefined) continue;
    let entry = last?.namespace === ns ? last : byNs?.get(ns);
    if (!entry) {
      entry = { namespace: ns, first: ps, count: 0 };
      if (!out) out = [entry];
      else {
        if (out.length === 1) byNs = new Map([[out[0]!.namespace, out[0]!]]);
        byNs!.set(ns, entry);
        out.push(entry);
      }
    }
    entry.count++;
    last = entry;
  }
  if (!out) return [];
  if (out.length > 1) out.sort((x, y) => (x.namespace < y.namespace ? -1 : x.namespace > y.namespace ? 1 : 0));
  return out;
}

/** Namespaces with a default-deny NetworkPolicy for the direction (undefined: none). */
export function defaultDenyNamespaces(inv: Inventory, direction: Direction): ReadonlySet<string> | undefined {
  let out: Set<string> | undefined;
  for (const np of inv.byKind('NetworkPolicy')) {
    if (np.namespace === undefined || out?.has(np.namespace)) continue;
    if (isDefaultDeny(np, direction)) (out ??= new Set()).add(np.namespace);
  }
  return out;
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

const SYSTEM_NAMESPACE_SET: ReadonlySet<string> = new Set(SYSTEM_NAMESPACES);

/** A configured list as a set, made once per options object: the default-deny controls ask on every run. */
const configuredIgnoredNamespaces = perOptions(
  (options): ReadonlySet<string> => new Set((options.ignoreNamespaces as unknown[]).filter((x): x is string => typeof x === 'string')),
);

export function ignoredNamespaces(options: ControlOptions): ReadonlySet<string> {
  return Array.isArray(options.ignoreNamespaces) ? configuredIgnoredNamespaces(options) : SYSTEM_NAMESPACE_SET;
}

/** True when a controller owns this object (a Pod of a ReplicaSet, a Job of a CronJob): report on the owner instead. */
export function isControlled(r: Resource): boolean {
  const refs = r.object.metadata?.ownerReferences;
  return Array.isArray(refs) && refs.some((o) => isObj(o) && o.controller === true);
}
