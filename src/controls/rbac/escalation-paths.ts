/**
 * Which subjects of the RBAC graph can obtain cluster-admin-equivalent power, and how.
 *
 * A path is reported only when Kubernetes' own rules make it work without any further
 * permission or misconfiguration (escalation prevention is taken into account: creating
 * roles or bindings alone is not a path, since the API server refuses to grant more than
 * the requester holds unless it has `escalate` or `bind`). The paths:
 *
 * Direct (evaluated on the subject's own grants, group memberships included):
 * - fullAccess          `*` verbs on `*` resources of `*` groups through a ClusterRoleBinding.
 * - bindClusterAdmin    create clusterrolebindings + bind the cluster-admin ClusterRole
 *                       (cluster-wide), or the same with rolebindings in kube-system.
 * - escalateRoles       escalate + update/patch on clusterroles, for any name: rewrite a
 *                       ClusterRole bound to oneself to allow everything.
 * - impersonateUsers    impersonate any user (some user is an administrator).
 * - impersonateMasters  impersonate the group system:masters, plus some user or service
 *                       account to impersonate with it (the API requires one).
 * - impersonateSystemServiceAccounts  impersonate any service account of kube-system.
 * - workloadsKubeSystem create pods or pod controllers in kube-system: run as any of its
 *                       service accounts, and as root on a node since Pod Security is
 *                       normally not enforced there.
 * - secretsKubeSystem   list/watch Secrets of kube-system: bootstrap tokens and the token
 *                       Secrets of control-plane service accounts.
 * - nodesProxy          get/create on nodes/proxy: exec in any container of any node,
 *                       control-plane static pods included, through the kubelet API.
 * - csrApproval         create + approve CertificateSigningRequests for the
 *                       kube-apiserver-client signer: a client certificate for any
 *                       identity, system:masters included.
 *
 * Derived (repeated until nothing changes): a subject that can act as a ServiceAccount
 * already known to be privileged is privileged too, when it can
 * - create pods (or pod controllers) in that account's namespace (pods may name any
 *   service account of their namespace),
 * - create a token for it (serviceaccounts/token),
 * - impersonate it, or
 * - read its legacy token Secret (type kubernetes.io/service-account-token in the scan).
 */
import type { Inventory } from '../../core/inventory.js';
import {
  ANY_NAMESPACE,
  apiGroupMatches,
  isFullWildcard,
  rbacGraph,
  resourceMatches,
  scopeCovers,
  subjectKey,
  verbMatches,
  type Grant,
  type RbacGraph,
  type ResourceRequest,
  type Subject,
} from '../../inventory/rbac-graph.js';

export type PathId =
  | 'fullAccess'
  | 'bindClusterAdmin'
  | 'escalateRoles'
  | 'impersonateUsers'
  | 'impersonateMasters'
  | 'impersonateSystemServiceAccounts'
  | 'workloadsKubeSystem'
  | 'secretsKubeSystem'
  | 'nodesProxy'
  | 'csrApproval'
  | 'viaServiceAccount';

export interface EscalationPath {
  id: PathId;
  /** One clause saying how: "can create a ClusterRoleBinding to cluster-admin (…)". */
  explanation: string;
  /** The grants that make up the path; the bindings to report. */
  grants: readonly Grant[];
}

export interface PrivilegedSubject {
  subject: Subject;
  paths: EscalationPath[];
}

const RBAC = 'rbac.authorization.k8s.io';
const KUBE_SYSTEM = 'kube-system';
const POD_CREATORS: readonly [string, string][] = [
  ['', 'pods'],
  ['', 'replicationcontrollers'],
  ['apps', 'deployments'],
  ['apps', 'replicasets'],
  ['apps', 'statefulsets'],
  ['apps', 'daemonsets'],
  ['batch', 'jobs'],
  ['batch', 'cronjobs'],
];

class Finder {
  constructor(
    private readonly graph: RbacGraph,
    private readonly subject: Subject,
  ) {}

  allow(verb: string, group: string, resource: string, namespace?: string, name?: string): Grant[] {
    const req: ResourceRequest = { verb, group, resource, namespace, name };
    return this.graph.grantsAllowing(this.subject, req);
  }

  /** Grants allowing the verb for at least one name (resourceNames ignored). */
  allowSomeName(verb: string, group: string, resource: string, namespace?: string): Grant[] {
    return this.graph.grantsMatching(
      this.subject,
      `someName\u0000${verb}\u0000${group}\u0000${resource}\u0000${namespace ?? '\u0001'}`,
      (g) => scopeCovers(g.namespace, namespace) && verbMatches(g.rule.rule, verb) && apiGroupMatches(g.rule.rule, group) && resourceMatches(g.rule.rule, resource),
    );
  }

  fullAccess(): Grant[] {
    return this.graph.grantsMatching(this.subject, 'fullAccess', (g) => g.namespace === undefined && isFullWildcard(g.rule.rule));
  }

  createWorkloads(namespace: string): Grant[] {
    for (const [group, resource] of POD_CREATORS) {
      const g = this.allow('create', group, resource, namespace);
      if (g.length) return g;
    }
    return [];
  }
}

function firstOf(...lists: Grant[][]): Grant[] {
  return lists.find((l) => l.length > 0) ?? [];
}

function directPaths(graph: RbacGraph, s: Subject): EscalationPath[] {
  const f = new Finder(graph, s);
  const out: EscalationPath[] = [];
  const add = (id: PathId, explanation: string, grants: Grant[]) => {
    if (grants.length) out.push({ id, explanation, grants: [...new Set(grants)] });
  };

  add('fullAccess', 'holds every verb on every resource of every API group, cluster-wide', f.fullAccess());

  const crb = f.allow('create', RBAC, 'clusterrolebindings');
  const bindCA = f.allow('bind', RBAC, 'clusterroles', undefined, 'cluster-admin');
  if (crb.length && bindCA.length) {
    add('bindClusterAdmin', 'can create a ClusterRoleBinding to cluster-admin (create clusterrolebindings and bind on the cluster-admin ClusterRole)', [...crb, ...bindCA]);
  } else {
    const rb = f.allow('create', RBAC, 'rolebindings', KUBE_SYSTEM);
    const bindNs = f.allow('bind', RBAC, 'clusterroles', KUBE_SYSTEM, 'cluster-admin');
    if (rb.length && bindNs.length) {
      add('bindClusterAdmin', 'can bind cluster-admin in kube-system (create rolebindings there and bind on the cluster-admin ClusterRole)', [...rb, ...bindNs]);
    }
  }

  const escalate = f.allow('escalate', RBAC, 'clusterroles');
  const edit = firstOf(f.allow('update', RBAC, 'clusterroles'), f.allow('patch', RBAC, 'clusterroles'));
  if (escalate.length && edit.length) {
    add('escalateRoles', 'can rewrite any ClusterRole, including one bound to itself, to allow everything (escalate and update/patch on clusterroles)', [...escalate, ...edit]);
  }

  add('impersonateUsers', 'can impersonate any user, administrators included (impersonate on users)', f.allow('impersonate', '', 'users', undefined));
  if (!out.some((p) => p.id === 'impersonateUsers')) {
    const masters = f.allow('impersonate', '', 'groups', undefined, 'system:masters');
    const someone = firstOf(f.allowSomeName('impersonate', '', 'users'), f.allowSomeName('impersonate', '', 'serviceaccounts', ANY_NAMESPACE));
    if (masters.length && someone.length) {
      add('impersonateMasters', 'can impersonate the group system:masters, which the API server always allows everything (impersonate on groups and on a user or service account)', [...masters, ...someone]);
    }
  }
  add(
    'impersonateSystemServiceAccounts',
    'can impersonate any service account of kube-system, where control-plane components hold broad rights (impersonate on serviceaccounts)',
    f.allow('impersonate', '', 'serviceaccounts', KUBE_SYSTEM),
  );
  add(
    'workloadsKubeSystem',
    'can create pods in kube-system, which run as any of its service accounts and, as Pod Security is usually not enforced there, as root on a node',
    f.createWorkloads(KUBE_SYSTEM),
  );
  add(
    'secretsKubeSystem',
    'can read every Secret of kube-system, where bootstrap tokens and control-plane credentials are kept (list/watch on secrets)',
    firstOf(f.allow('list', '', 'secrets', KUBE_SYSTEM), f.allow('watch', '', 'secrets', KUBE_SYSTEM)),
  );
  add(
    'nodesProxy',
    'can run commands in any container of any node, control-plane pods included, through the kubelet API (nodes/proxy)',
    firstOf(f.allow('create', '', 'nodes/proxy'), f.allow('get', '', 'nodes/proxy')),
  );
  const csrCreate = f.allow('create', 'certificates.k8s.io', 'certificatesigningrequests');
  const csrApprove = f.allow('update', 'certificates.k8s.io', 'certificatesigningrequests/approval');
  const signer = firstOf(
    f.allow('approve', 'certificates.k8s.io', 'signers', undefined, 'kubernetes.io/kube-apiserver-client'),
    f.allow('approve', 'certificates.k8s.io', 'signers', undefined, 'kubernetes.io/*'),
  );
  if (csrCreate.length && csrApprove.length && signer.length) {
    add('csrApproval', 'can have a client certificate for any identity, system:masters included, issued (create and approve CertificateSigningRequests for kubernetes.io/kube-apiserver-client)', [
      ...csrCreate,
      ...csrApprove,
      ...signer,
    ]);
  }
  return out;
}

/** A ServiceAccount (or every one of a namespace, or of the cluster: name/namespace "*") known to be privileged. */
interface PrivilegedAccount {
  namespace: string;
  name: string;
  label: string;
  why: string;
}

/** Privileged accounts by namespace ("*" = every namespace), in order of discovery. */
function privilegedAccounts(privileged: ReadonlyMap<string, PrivilegedSubject>): Map<string, PrivilegedAccount[]> {
  const out = new Map<string, PrivilegedAccount[]>();
  const add = (a: PrivilegedAccount) => {
    const list = out.get(a.namespace);
    if (list) list.push(a);
    else out.set(a.namespace, [a]);
  };
  for (const p of privileged.values()) {
    const s = p.subject;
    const why = p.paths[0]!.explanation;
    if (s.kind === 'ServiceAccount') add({ namespace: s.namespace, name: s.name, label: `ServiceAccount ${s.namespace}/${s.name}`, why });
    else if (s.kind === 'Group' && s.name === 'system:serviceaccounts') add({ namespace: ANY_NAMESPACE, name: ANY_NAMESPACE, label: 'every service account (group system:serviceaccounts)', why });
    else if (s.kind === 'Group' && s.name.startsWith('system:serviceaccounts:')) {
      const ns = s.name.slice('system:serviceaccounts:'.length);
      add({ namespace: ns, name: ANY_NAMESPACE, label: `every service account of ${ns} (group ${s.name})`, why });
    }
  }
  return out;
}

/** Where a set of grants applies: everywhere (a ClusterRoleBinding) or in these namespaces. */
class Reach {
  readonly all: boolean;
  readonly namespaces: ReadonlySet<string>;
  constructor(readonly grants: readonly Grant[]) {
    this.all = grants.some((g) => g.namespace === undefined);
    this.namespaces = new Set(grants.flatMap((g) => (g.namespace === undefined ? [] : [g.namespace])));
  }
  get any(): boolean {
    return this.grants.length > 0;
  }
  /** Whether it applies in `ns` ("*": in some namespace), and the grants that make it so. */
  in(ns: string): Grant[] {
    if (ns === ANY_NAMESPACE) return [...this.grants];
    if (!this.all && !this.namespaces.has(ns)) return [];
    return this.grants.filter((g) => g.namespace === undefined || g.namespace === ns);
  }
  /** Grants applying in `ns` whose rule allows `name` (unrestricted or listed). */
  named(ns: string, name: string): Grant[] {
    return this.in(ns).filter((g) => g.rule.rule.resourceNames.length === 0 || g.rule.rule.resourceNames.includes(name));
  }
}

/** What a subject could use to act as a service account, and where. */
interface Capabilities {
  pods: Reach;
  token: Reach;
  impersonate: Reach;
  impersonateUser: Reach;
  listSecrets: Reach;
  getSecrets: Reach;
}

/** Computed once per subject; undefined when it has none of them (most subjects). */
function capabilities(graph: RbacGraph, s: Subject): Capabilities | undefined {
  const f = new Finder(graph, s);
  const c: Capabilities = {
    pods: new Reach(POD_CREATORS.flatMap(([group, resource]) => f.allow('create', group, resource, ANY_NAMESPACE))),
    token: new Reach(f.allowSomeName('create', '', 'serviceaccounts/token', ANY_NAMESPACE)),
    impersonate: new Reach(f.allowSomeName('impersonate', '', 'serviceaccounts', ANY_NAMESPACE)),
    impersonateUser: new Reach(f.allowSomeName('impersonate', '', 'users')),
    listSecrets: new Reach([...f.allow('list', '', 'secrets', ANY_NAMESPACE), ...f.allow('watch', '', 'secrets', ANY_NAMESPACE)]),
    getSecrets: new Reach(f.allowSomeName('get', '', 'secrets', ANY_NAMESPACE)),
  };
  return Object.values(c).some((r: Reach) => r.any) ? c : undefined;
}

function derivedPath(caps: Capabilities, tokens: ReadonlyMap<string, string[]>, s: Subject, accounts: ReadonlyMap<string, PrivilegedAccount[]>): EscalationPath | undefined {
  const { pods, token, impersonate, impersonateUser, listSecrets, getSecrets } = caps;

  const reaches = [pods, token, impersonate, listSecrets, getSecrets];
  // Visit only namespaces where some capability applies, unless one applies everywhere.
  let candidates: Iterable<string>;
  if (reaches.some((r) => r.all) || impersonateUser.any) candidates = accounts.keys();
  else {
    const set = new Set<string>(reaches.flatMap((r) => [...r.namespaces]).filter((ns) => accounts.has(ns)));
    if (accounts.has(ANY_NAMESPACE)) set.add(ANY_NAMESPACE);
    candidates = set;
  }
  const isSelf = (a: PrivilegedAccount) => s.kind === 'ServiceAccount' && a.namespace === s.namespace && a.name === s.name;
  const chain = (a: PrivilegedAccount) => `${a.label}, which ${a.why}`;
  for (const ns of candidates) {
    const list = accounts.get(ns)!;
    const first = list.find((a) => !isSelf(a));
    if (!first) continue;
    const where = ns === ANY_NAMESPACE ? 'a namespace' : ns;
    const viaPods = pods.in(ns);
    if (viaPods.length) return { id: 'viaServiceAccount', explanation: `can create pods in ${where} running as ${chain(first)}`, grants: viaPods };
    if (!token.any && !impersonate.any && !impersonateUser.any && !listSecrets.any && !getSecrets.any) continue;
    for (const a of list) {
      if (isSelf(a)) continue;
      // Every service account of a namespace: any name will do, so unrestricted rules only.
      const name = a.name === ANY_NAMESPACE ? undefined : a.name;
      const pick = (r: Reach) => (name === undefined ? r.in(ns).filter((g) => g.rule.rule.resourceNames.length === 0) : r.named(ns, name));
      const viaToken = pick(token);
      if (viaToken.length) return { id: 'viaServiceAccount', explanation: `can create a token for ${chain(a)}`, grants: viaToken };
      const viaImpersonation = [
        ...pick(impersonate),
        ...(name && ns !== ANY_NAMESPACE ? impersonateUser.named(ANY_NAMESPACE, `system:serviceaccount:${ns}:${name}`) : []),
      ];
      if (viaImpersonation.length) return { id: 'viaServiceAccount', explanation: `can impersonate ${chain(a)}`, grants: viaImpersonation };
      for (const secret of name ? (tokens.get(`${ns}/${name}`) ?? []) : []) {
        const read = [...listSecrets.in(ns), ...getSecrets.named(ns, secret)];
        if (read.length) return { id: 'viaServiceAccount', explanation: `can read Secret ${ns}/${secret}, the token of ${chain(a)}`, grants: read };
      }
    }
  }
  return undefined;
}

/** Names of legacy token Secrets by "<namespace>/<service account>". */
function tokenSecrets(inv: Inventory): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const secret of inv.byKind('Secret')) {
    if ((secret.object as { type?: unknown }).type !== 'kubernetes.io/service-account-token') continue;
    const sa = secret.annotations['kubernetes.io/service-account.name'];
    if (!sa || secret.namespace === undefined) continue;
    const key = `${secret.namespace}/${sa}`;
    out.set(key, [...(out.get(key) ?? []), secret.name]);
  }
  return out;
}

const analyses = new WeakMap<Inventory, ReadonlyMap<string, PrivilegedSubject>>();

/** Every subject named in a binding that can obtain cluster-admin power, keyed by subjectKey; built once per inventory. */
export function privilegedSubjects(inv: Inventory): ReadonlyMap<string, PrivilegedSubject> {
  const cached = analyses.get(inv);
  if (cached) return cached;
  const graph = rbacGraph(inv);
  const privileged = new Map<string, PrivilegedSubject>();
  const subjects = graph.subjects();
  for (const s of subjects) {
    const paths = directPaths(graph, s);
    if (paths.length) privileged.set(subjectKey(s), { subject: s, paths });
  }
  const tokens = tokenSecrets(inv);
  const caps = new Map<string, Capabilities | undefined>();
  // Each round can only add subjects, so this ends after at most |subjects| rounds.
  for (let changed = true; changed; ) {
    changed = false;
    const accounts = privilegedAccounts(privileged);
    if (!accounts.size) break;
    for (const s of subjects) {
      const key = subjectKey(s);
      if (privileged.has(key)) continue;
      if (!caps.has(key)) caps.set(key, capabilities(graph, s));
      const c = caps.get(key);
      const p = c && derivedPath(c, tokens, s, accounts);
      if (p) {
        privileged.set(key, { subject: s, paths: [p] });
        changed = true;
      }
    }
  }
  analyses.set(inv, privileged);
  return privileged;
}
