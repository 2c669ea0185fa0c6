/**
 * The RBAC graph of one inventory: subjects → bindings → roles → rules, with the
 * authorizer's semantics (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac):
 *
 * - A ClusterRoleBinding grants its role's rules everywhere: every namespace,
 *   cluster-scoped resources and non-resource URLs. A RoleBinding grants them only for
 *   namespaced resources of its own namespace, also when it refers to a ClusterRole.
 * - A subject applies to a request's user when: User by name; Group by membership;
 *   ServiceAccount by its username `system:serviceaccount:<ns>:<name>` (a RoleBinding's
 *   ServiceAccount subject without a namespace means the binding's namespace; in a
 *   ClusterRoleBinding it matches nobody).
 * - Every ServiceAccount is in the groups `system:serviceaccounts` and
 *   `system:serviceaccounts:<ns>`; every authenticated user in `system:authenticated`;
 *   the anonymous user `system:anonymous` in `system:unauthenticated`.
 * - A rule allows a resource request when verb, API group, resource and resource name
 *   all match: `*` matches every verb / group / resource (subresources included),
 *   `*\/<sub>` a subresource of any resource, and an empty resourceNames any name. A
 *   request without a name (create, list, …) is never allowed by a rule with
 *   resourceNames. Non-resource URLs match exactly, by `*`, or by a prefix ending in `*`.
 * - A ClusterRole with an aggregationRule holds the rules of every other ClusterRole
 *   that one of its selectors matches, transitively (the aggregation controller keeps it
 *   so).
 *
 * Manifests bind to built-in roles (`cluster-admin`, `edit`, …) they do not contain;
 * those come from the catalogue in rbac-defaults.ts unless the inventory has them.
 */
import type { Inventory, LabelSelector } from '../core/inventory.js';
import type { JsonPath } from '../core/path.js';
import type { Resource } from '../core/resource.js';
import { matchesSelector } from '../core/selector.js';
import { BOOTSTRAP_LABEL, BOOTSTRAP_VALUE, DEFAULT_CLUSTER_ROLES } from './rbac-defaults.js';

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

/** Who a binding grants to. ServiceAccounts always carry their namespace here. */
export type Subject =
  | { kind: 'User'; name: string }
  | { kind: 'Group'; name: string }
  | { kind: 'ServiceAccount'; namespace: string; name: string };

/** A rule as the authorizer reads it: absent lists are empty. */
export interface PolicyRule {
  apiGroups: readonly string[];
  resources: readonly string[];
  verbs: readonly string[];
  resourceNames: readonly string[];
  nonResourceURLs: readonly string[];
}

export interface RuleRef {
  rule: PolicyRule;
  /** The role that declares the rule (for aggregated roles: the one aggregated from). */
  role: RoleNode;
  /** Index in that role's `rules`. */
  index: number;
  /** Path of the rule in its role object: ["rules", index]. */
  path: JsonPath;
}

export interface RoleNode {
  kind: 'Role' | 'ClusterRole';
  name: string;
  namespace: string | undefined;
  /** The object, or undefined for a built-in role the inventory does not contain. */
  resource: Resource | undefined;
  /** From the catalogue of Kubernetes defaults, not from the inventory. */
  builtin: boolean;
  /** Part of the API server's bootstrap policy (built-in, or labelled as such). */
  platformDefault: boolean;
  labels: Readonly<Record<string, string>>;
  /** The rules the object declares. */
  ownRules: readonly RuleRef[];
  /** aggregationRule.clusterRoleSelectors, when the ClusterRole aggregates. */
  aggregationSelectors: readonly LabelSelector[] | undefined;
  /** Own rules plus, for aggregating ClusterRoles, the rules of every role aggregated. */
  readonly rules: readonly RuleRef[];
}

export interface BindingSubject {
  /** Normalised subject, or undefined when the entry matches nobody (unknown kind, SA without namespace in a ClusterRoleBinding). */
  subject: Subject | undefined;
  /** Index in the binding's `subjects`. */
  index: number;
  path: JsonPath;
}

export interface BindingNode {
  resource: Resource;
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  /** Where the binding grants: its namespace, or undefined for a ClusterRoleBinding (everywhere). */
  namespace: string | undefined;
  roleRef: { kind: string; name: string };
  /** The role referred to, or undefined when it is neither in the inventory nor built in. */
  role: RoleNode | undefined;
  subjects: readonly BindingSubject[];
  platformDefault: boolean;
}

/** A binding's subject entry that applies to some subject (directly or through a group). */
export interface SubjectBinding {
  binding: BindingNode;
  entry: BindingSubject;
}

/** One rule granted to a subject through one binding, with where it applies. */
export interface Grant {
  binding: BindingNode;
  /** The binding's subject entry that matched (the subject itself or one of its groups). */
  entry: BindingSubject;
  rule: RuleRef;
  /** Namespace the rule applies in; undefined = cluster-wide (ClusterRoleBinding). */
  namespace: string | undefined;
}

/** Pass as a request namespace to ask "in at least one namespace (or cluster-wide)". */
export const ANY_NAMESPACE = '*';

/**
 * The namespace of a Role or RoleBinding written without metadata.namespace (common in
 * Kustomize bases and `kubectl apply -n` workflows): it lands in whatever namespace it
 * is applied to, the same for the objects applied together, so they share this value.
 */
export const UNSET_NAMESPACE = '';

/** A namespace for messages. */
export function displayNamespace(ns: string | undefined): string {
  return ns === undefined ? '(cluster-wide)' : ns === UNSET_NAMESPACE ? '(namespace not set)' : ns;
}

export interface ResourceRequest {
  verb: string;
  /** API group, "" for the core group. */
  group: string;
  /** Resource, with its subresource when there is one: "pods/exec". */
  resource: string;
  /** Namespace of the request; undefined for cluster-scoped or all-namespace requests; ANY_NAMESPACE for "some namespace". */
  namespace?: string;
  /** Resource name; undefined when the request has none (create, list, …). */
  name?: string;
}

/* ---------------------------------------------------------------- rule matching */

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === '*' || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.some((g) => g === '*' || g === group);
}

/** `resource` is "pods" or "pods/exec". */
export function resourceMatches(rule: PolicyRule, resource: string): boolean {
  const slash = resource.indexOf('/');
  const sub = slash < 0 ? '' : resource.slice(slash + 1);
  return rule.resources.some((r) => r === '*' || r === resource || (sub !== '' && r === `*/${sub}`));
}

export function resourceNameMatches(rule: PolicyRule, name: string | undefined): boolean {
  if (rule.resourceNames.length === 0) return true;
  return name !== undefined && rule.resourceNames.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, url: string): boolean {
  return rule.nonResourceURLs.some((u) => u === '*' || u === url || (u.endsWith('*') && url.startsWith(u.replace(/\*+$/, ''))));
}

/** Whether the rule allows the request, ignoring where the rule applies. */
export function ruleAllows(rule: PolicyRule, req: ResourceRequest): boolean {
  return verbMatches(rule, req.verb) && apiGroupMatches(rule, req.group) && resourceMatches(rule, req.resource) && resourceNameMatches(rule, req.name);
}

/** `*` verbs on `*` resources of `*` groups, for any name: everything cluster-admin has on the API. */
export function isFullWildcard(rule: PolicyRule): boolean {
  return rule.verbs.includes('*') && rule.apiGroups.includes('*') && rule.resources.includes('*') && rule.resourceNames.length === 0;
}

/** Whether a grant applying in `grantNs` covers a request in `reqNs`. */
export function scopeCovers(grantNs: string | undefined, reqNs: string | undefined): boolean {
  if (grantNs === undefined) return true;
  if (reqNs === ANY_NAMESPACE) return true;
  return reqNs === grantNs;
}

/* ---------------------------------------------------------------- subjects */

const SA_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

export function subjectKey(s: Subject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount:${s.namespace}:${s.name}` : `${s.kind}:${s.name}`;
}

/** "ServiceAccount shop/web", "User alice", "Group system:authenticated". */
export function displaySubject(s: Subject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace}/${s.name}` : `${s.kind} ${s.name}`;
}

/** A User subject named like a ServiceAccount's username is that ServiceAccount. */
function normalise(s: Subject): Subject {
  if (s.kind === 'User') {
    const m = SA_USER.exec(s.name);
    if (m) return { kind: 'ServiceAccount', namespace: m[1]!, name: m[2]! };
  }
  return s;
}

/** Keys of every binding subject that applies to `s`: itself and its implicit groups. */
export function membershipKeys(subject: Subject): string[] {
  const s = normalise(subject);
  if (s.kind === 'Group') return [subjectKey(s)];
  if (s.kind === 'ServiceAccount') {
    return [subjectKey(s), 'Group:system:serviceaccounts', `Group:system:serviceaccounts:${s.namespace}`, 'Group:system:authenticated'];
  }
  if (s.name === 'system:anonymous') return [subjectKey(s), 'Group:system:unauthenticated'];
  return [subjectKey(s), 'Group:system:authenticated'];
}

function parseSubject(raw: unknown, bindingNs: string | undefined): Subject | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { kind, name, namespace } = raw as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') return undefined;
  if (kind === 'User' || kind === 'Group') return normalise({ kind, name });
  if (kind === 'ServiceAccount') {
    const ns = typeof namespace === 'string' && namespace !== '' ? namespace : bindingNs;
    return ns !== undefined ? { kind: 'ServiceAccount', namespace: ns, name } : undefined;
  }
  return undefined;
}

/* ---------------------------------------------------------------- the graph */

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function normaliseRule(raw: unknown): PolicyRule {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    apiGroups: strings(r.apiGroups),
    resources: strings(r.resources),
    verbs: strings(r.verbs),
    resourceNames: strings(r.resourceNames),
    nonResourceURLs: strings(r.nonResourceURLs),
  };
}

function isBootstrap(labels: Readonly<Record<string, string>>): boolean {
  return labels[BOOTSTRAP_LABEL] === BOOTSTRAP_VALUE;
}

class Role implements RoleNode {
  ownRules: RuleRef[] = [];
  aggregated: Role[] | undefined;
  private effective?: RuleRef[];

  constructor(
    readonly kind: 'Role' | 'ClusterRole',
    readonly name: string,
    readonly namespace: string | undefined,
    readonly resource: Resource | undefined,
    readonly builtin: boolean,
    readonly labels: Readonly<Record<string, string>>,
    readonly aggregationSelectors: readonly LabelSelector[] | undefined,
    rawRules: readonly unknown[],
  ) {
    this.ownRules = rawRules.map((r, index) => ({ rule: normaliseRule(r), role: this, index, path: ['rules', index] }));
  }

  get platformDefault(): boolean {
    return this.builtin || isBootstrap(this.labels);
  }

  get rules(): readonly RuleRef[] {
    if (this.effective) return this.effective;
    if (!this.aggregated) return (this.effective = this.ownRules);
    // Transitive closure over aggregation edges; the visited set ends cycles.
    const out = [...this.ownRules];
    const seen = new Set<Role>([this]);
    const queue = [...this.aggregated];
    while (queue.length) {
      const r = queue.shift()!;
      if (seen.has(r)) continue;
      seen.add(r);
      out.push(...r.ownRules);
      if (r.aggregated) queue.push(...r.aggregated);
    }
    return (this.effective = out);
  }
}

export interface RbacGraph {
  readonly roles: readonly RoleNode[];
  readonly bindings: readonly BindingNode[];
  /** A Role (namespace given) or ClusterRole, from the inventory or the built-in catalogue. */
  role(kind: 'Role' | 'ClusterRole', namespace: string | undefined, name: string): RoleNode | undefined;
  /** Bindings whose roleRef resolves to this role. */
  bindingsOfRole(role: RoleNode): readonly BindingNode[];
  /** Every distinct subject named in a binding, in order of first appearance. */
  subjects(): readonly Subject[];
  /** Binding entries that apply to the subject, directly or through its implicit groups. */
  bindingsFor(subject: Subject): readonly SubjectBinding[];
  /** Every rule granted to the subject, with where it applies. */
  rulesFor(subject: Subject): readonly Grant[];
  /** The grants that allow the request. */
  grantsAllowing(subject: Subject, req: ResourceRequest): Grant[];
  /**
   * The subject's grants that satisfy `predicate`, answered per binding-subject key and
   * memoized under `queryId`, so that grants shared through groups (system:authenticated,
   * system:serviceaccounts) are tested once per scan. The predicate must depend on the
   * grant only, and `queryId` must identify it.
   */
  grantsMatching(subject: Subject, queryId: string, predicate: (g: Grant) => boolean): Grant[];
  can(subject: Subject, verb: string, group: string, resource: string, namespace?: string, name?: string): boolean;
  canNonResource(subject: Subject, verb: string, url: string): boolean;
}

class Graph implements RbacGraph {
  readonly roles: Role[] = [];
  readonly bindings: BindingNode[] = [];
  private readonly roleIndex = new Map<string, Role>();
  private readonly builtins = new Map<string, Role>();
  private readonly bySubjectKey = new Map<string, SubjectBinding[]>();
  private readonly byRole = new Map<RoleNode, BindingNode[]>();
  private readonly subjectList: Subject[] = [];
  private readonly grantCache = new Map<string, Grant[]>();
  /** Grants of one binding-subject key, and query answers per key: groups such as system:authenticated are shared by every subject. */
  private readonly keyGrants = new Map<string, Grant[]>();
  private readonly keyQueries = new Map<string, Map<string, Grant[]>>();
  /** Callers ask many questions about the same subject object. */
  private readonly subjectKeys = new WeakMap<Subject, readonly string[]>();

  constructor(inv: Inventory) {
    for (const r of inv.byKind('ClusterRole')) this.addRole('ClusterRole', r);
    for (const r of inv.byKind('Role')) this.addRole('Role', r);
    for (const d of DEFAULT_CLUSTER_ROLES) {
      if (this.roleIndex.has(roleKey('ClusterRole', undefined, d.name))) continue;
      const sel = d.aggregateFrom?.map((m) => ({ matchLabels: m }));
      this.builtins.set(d.name, new Role('ClusterRole', d.name, undefined, undefined, true, d.labels, sel, d.rules));
    }
    this.linkAggregation();
    for (const r of inv.byKind('ClusterRoleBinding')) this.addBinding('ClusterRoleBinding', r);
    for (const r of inv.byKind('RoleBinding')) this.addBinding('RoleBinding', r);
  }

  private addRole(kind: 'Role' | 'ClusterRole', r: Resource) {
    const o = r.object as Record<string, unknown>;
    const rules = Array.isArray(o.rules) ? o.rules : [];
    let selectors: LabelSelector[] | undefined;
    if (kind === 'ClusterRole' && o.aggregationRule && typeof o.aggregationRule === 'object') {
      const s = (o.aggregationRule as Record<string, unknown>).clusterRoleSelectors;
      selectors = Array.isArray(s) ? (s.filter((x) => x && typeof x === 'object') as LabelSelector[]) : [];
    }
    const key = roleKey(kind, r.namespace, r.name);
    if (this.roleIndex.has(key)) return; // duplicates: the first one wins, as in the inventory
    const role = new Role(kind, r.name, kind === 'Role' ? (r.namespace ?? UNSET_NAMESPACE) : undefined, r, false, r.labels, selectors, rules);
    this.roles.push(role);
    this.roleIndex.set(key, role);
  }

  private linkAggregation() {
    const clusterRoles = [...this.roles.filter((r) => r.kind === 'ClusterRole'), ...this.builtins.values()];
    for (const agg of clusterRoles) {
      if (!agg.aggregationSelectors) continue;
      const sels = agg.aggregationSelectors;
      agg.aggregated = clusterRoles.filter((c) => c !== agg && sels.some((s) => matchesSelector(s, c.labels)));
    }
  }

  private addBinding(kind: 'RoleBinding' | 'ClusterRoleBinding', r: Resource) {
    const o = r.object as Record<string, unknown>;
    const ref = (o.roleRef && typeof o.roleRef === 'object' ? o.roleRef : {}) as Record<string, unknown>;
    const roleRef = { kind: typeof ref.kind === 'string' ? ref.kind : '', name: typeof ref.name === 'string' ? ref.name : '' };
    const namespace = kind === 'RoleBinding' ? (r.namespace ?? UNSET_NAMESPACE) : undefined;
    let role: RoleNode | undefined;
    // A ClusterRoleBinding may only refer to a ClusterRole; a RoleBinding's Role is in its namespace.
    if (roleRef.kind === 'ClusterRole') role = this.role('ClusterRole', undefined, roleRef.name);
    else if (roleRef.kind === 'Role' && kind === 'RoleBinding') role = this.role('Role', namespace, roleRef.name);
    const rawSubjects = Array.isArray(o.subjects) ? o.subjects : [];
    const subjects: BindingSubject[] = rawSubjects.map((s, index) => ({ subject: parseSubject(s, namespace), index, path: ['subjects', index] }));
    const node: BindingNode = { resource: r, kind, name: r.name, namespace, roleRef, role, subjects, platformDefault: isBootstrap(r.labels) };
    this.bindings.push(node);
    if (node.role) {
      const list = this.byRole.get(node.role) ?? [];
      list.push(node);
      this.byRole.set(node.role, list);
    }
    for (const entry of subjects) {
      if (!entry.subject) continue;
      const k = subjectKey(entry.subject);
      let list = this.bySubjectKey.get(k);
      if (!list) {
        list = [];
        this.bySubjectKey.set(k, list);
        this.subjectList.push(entry.subject);
      }
      list.push({ binding: node, entry });
    }
  }

  role(kind: 'Role' | 'ClusterRole', namespace: string | undefined, name: string): RoleNode | undefined {
    const found = this.roleIndex.get(roleKey(kind, kind === 'Role' ? namespace : undefined, name));
    if (found || kind === 'Role') return found;
    return this.builtins.get(name);
  }

  bindingsOfRole(role: RoleNode): readonly BindingNode[] {
    return this.byRole.get(role) ?? [];
  }

  subjects(): readonly Subject[] {
    return this.subjectList;
  }

  bindingsFor(subject: Subject): readonly SubjectBinding[] {
    const out: SubjectBinding[] = [];
    for (const k of membershipKeys(subject)) {
      const list = this.bySubjectKey.get(k);
      if (list) out.push(...list);
    }
    return out;
  }

  private grantsOfKey(key: string): Grant[] {
    let grants = this.keyGrants.get(key);
    if (!grants) {
      grants = [];
      for (const sb of this.bySubjectKey.get(key) ?? []) {
        const role = sb.binding.role;
        if (!role) continue;
        for (const rule of role.rules) grants.push({ binding: sb.binding, entry: sb.entry, rule, namespace: sb.binding.namespace });
      }
      this.keyGrants.set(key, grants);
    }
    return grants;
  }

  rulesFor(subject: Subject): readonly Grant[] {
    const key = subjectKey(normalise(subject));
    let grants = this.grantCache.get(key);
    if (!grants) {
      grants = membershipKeys(subject).flatMap((k) => this.grantsOfKey(k));
      this.grantCache.set(key, grants);
    }
    return grants;
  }

  private keysOf(subject: Subject): readonly string[] {
    let keys = this.subjectKeys.get(subject);
    if (!keys) this.subjectKeys.set(subject, (keys = membershipKeys(subject)));
    return keys;
  }

  grantsMatching(subject: Subject, queryId: string, predicate: (g: Grant) => boolean): Grant[] {
    const out: Grant[] = [];
    for (const k of this.keysOf(subject)) {
      let answers = this.keyQueries.get(k);
      if (!answers) this.keyQueries.set(k, (answers = new Map()));
      let hit = answers.get(queryId);
      if (!hit) {
        hit = this.grantsOfKey(k).filter(predicate);
        answers.set(queryId, hit);
      }
      if (hit.length) out.push(...hit);
    }
    return out;
  }

  grantsAllowing(subject: Subject, req: ResourceRequest): Grant[] {
    const q = `allow\u0000${req.verb}\u0000${req.group}\u0000${req.resource}\u0000${req.namespace ?? '\u0001'}\u0000${req.name ?? '\u0001'}`;
    return this.grantsMatching(subject, q, (g) => scopeCovers(g.namespace, req.namespace) && ruleAllows(g.rule.rule, req));
  }

  can(subject: Subject, verb: string, group: string, resource: string, namespace?: string, name?: string): boolean {
    return this.grantsAllowing(subject, { verb, group, resource, namespace, name }).length > 0;
  }

  canNonResource(subject: Subject, verb: string, url: string): boolean {
    // Non-resource URLs are granted only through ClusterRoleBindings.
    return this.rulesFor(subject).some((g) => g.namespace === undefined && verbMatches(g.rule.rule, verb) && nonResourceURLMatches(g.rule.rule, url));
  }
}

function roleKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

const graphs = new WeakMap<Inventory, RbacGraph>();

/** The RBAC graph of an inventory, built once per inventory. */
export function rbacGraph(inv: Inventory): RbacGraph {
  let g = graphs.get(inv);
  if (!g) {
    g = new Graph(inv);
    graphs.set(inv, g);
  }
  return g;
}

/** Inventories up to this size are counted on every call; larger ones once. */
const COUNT_EACH_CALL = 32;
const rbacCounts = new WeakMap<Inventory, number>();

/** How many RBAC objects a scan holds: what RBAC controls judge (0: not evaluated). */
export function rbacObjectCount(inv: Inventory): number {
  // Every RBAC control asks, on every run: the webhook's inventory of one object (and a few
  // from its namespace) is counted faster than any index or cache is consulted, and without
  // allocating; a scan's is counted once.
  const resources = inv.resources;
  if (resources.length <= COUNT_EACH_CALL) return countRbacObjects(resources);
  let n = rbacCounts.get(inv);
  if (n === undefined) {
    n = countRbacObjects(resources);
    rbacCounts.set(inv, n);
  }
  return n;
}

function countRbacObjects(resources: readonly Resource[]): number {
  let n = 0;
  for (let i = 0; i < resources.length; i++) {
    const kind = resources[i]!.kind;
    if (kind === 'Role' || kind === 'ClusterRole' || kind === 'RoleBinding' || kind === 'ClusterRoleBinding') n++;
  }
  return n;
}
