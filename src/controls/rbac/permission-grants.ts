/**
 * Shared by the RBAC controls that look for one dangerous permission (read Secrets,
 * exec into pods, …). Where a finding goes, so that each grant is reported once, at the
 * object a person would change:
 *
 * - a rule of a Role or ClusterRole the scan contains → on that rule, at the matching
 *   `resources` (or `verbs`) item;
 * - a binding to a role of the platform's bootstrap policy (`edit`, `admin`, … — built
 *   in, or labelled kubernetes.io/bootstrapping=rbac-defaults) → on the binding's
 *   `roleRef.name`, since nobody edits those roles;
 * - not repeated: rules granting `*` on `*.*` (PAL-RBAC-002 reports them), bindings to a
 *   role holding such a rule (PAL-RBAC-001), ClusterRoles with an aggregationRule (their
 *   rules are copies of the aggregated roles, which are reported themselves), and the
 *   platform's own bindings.
 */
import type { ControlContext } from '../../core/control.js';
import type { Inventory } from '../../core/inventory.js';
import { displayName } from '../../core/resource.js';
import {
  apiGroupMatches,
  displayNamespace,
  displaySubject,
  isFullWildcard,
  rbacGraph,
  resourceMatches,
  verbMatches,
  type BindingNode,
  type PolicyRule,
  type RbacGraph,
  type RoleNode,
} from '../../inventory/rbac-graph.js';

export interface Target {
  group: string;
  /** With its subresource when it is one: "pods/exec". */
  resource: string;
}

export interface PermissionSpec {
  verbs: readonly string[];
  targets: readonly Target[];
  /** The resources are cluster-scoped: a Role, or a ClusterRole through a RoleBinding, cannot grant them. */
  clusterScoped?: boolean;
  /** Also count rules narrowed by resourceNames (default: no, that is the least-privilege form). */
  includeNamed?: boolean;
}

export interface RuleMatch {
  verbs: string[];
  resources: string[];
  /** First item of rule.resources that grants a matched resource. */
  resourceIndex: number;
  /** First item of rule.verbs that grants a matched verb. */
  verbIndex: number;
}

/** What part of the permission a rule grants, or undefined. A rule grants the product of its lists. */
export function matchRule(rule: PolicyRule, spec: PermissionSpec): RuleMatch | undefined {
  if (!spec.includeNamed && rule.resourceNames.length > 0) return undefined;
  const verbs = spec.verbs.filter((v) => verbMatches(rule, v));
  if (!verbs.length) return undefined;
  const targets = spec.targets.filter((t) => apiGroupMatches(rule, t.group) && resourceMatches(rule, t.resource));
  if (!targets.length) return undefined;
  const resources = [...new Set(targets.map((t) => t.resource))];
  const resourceIndex = rule.resources.findIndex((item) => resources.some((r) => itemCovers(item, r)));
  const verbIndex = rule.verbs.findIndex((v) => v === '*' || verbs.includes(v));
  return { verbs, resources, resourceIndex, verbIndex };
}

function itemCovers(item: string, resource: string): boolean {
  if (item === '*' || item === resource) return true;
  const slash = resource.indexOf('/');
  return slash >= 0 && item === `*/${resource.slice(slash + 1)}`;
}

/** Where a role's rules take effect, from the bindings that refer to it. */
export interface RoleScope {
  clusterWide: boolean;
  /** Namespaces of RoleBindings (for a Role: its own namespace). */
  namespaces: string[];
  /** No binding in the scan refers to it. */
  unbound: boolean;
  text: string;
}

export function roleScope(graph: RbacGraph, role: RoleNode): RoleScope {
  const bindings = graph.bindingsOfRole(role);
  if (role.kind === 'Role') {
    const ns = displayNamespace(role.namespace);
    return { clusterWide: false, namespaces: [role.namespace ?? ''], unbound: bindings.length === 0, text: `in namespace ${ns}` };
  }
  const crbs = bindings.filter((b) => b.kind === 'ClusterRoleBinding');
  const namespaces = [...new Set(bindings.filter((b) => b.kind === 'RoleBinding').map((b) => b.namespace ?? ''))];
  if (crbs.length) return { clusterWide: true, namespaces, unbound: false, text: `cluster-wide through ${list(crbs.map((b) => `ClusterRoleBinding ${b.name}`))}` };
  if (namespaces.length) return { clusterWide: false, namespaces, unbound: false, text: `in namespace ${list(namespaces.map(displayNamespace))}` };
  return { clusterWide: false, namespaces: [], unbound: true, text: 'wherever it gets bound (no binding in this scan)' };
}

export function bindingScopeText(b: BindingNode): string {
  return b.namespace === undefined ? 'cluster-wide' : `in namespace ${displayNamespace(b.namespace)}`;
}

export function roleDisplay(role: RoleNode): string {
  return role.resource ? displayName(role.resource) : `${role.kind} ${role.name}`;
}

export function subjectsDisplay(b: BindingNode): string {
  const names = b.subjects.flatMap((s) => (s.subject ? [displaySubject(s.subject)] : []));
  if (!names.length) return 'no subject';
  return list(names);
}

/** "a", "a and b", "a, b and c", "a, b, c and 4 more". */
export function list(items: readonly string[], max = 3): string {
  if (items.length <= 1) return items[0] ?? '';
  if (items.length > max) return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export interface PermissionReporting {
  spec: PermissionSpec;
  /** Message for a rule of a role in the scan; data: role, verbs, resources, scope. */
  ruleMessageId: string;
  /** Message for a binding to a platform role; data: binding, subjects, role, verbs, resources, scope. */
  bindingMessageId: string;
  /** Which list of the rule the finding points into. */
  pointAt: 'resources' | 'verbs';
  /** Return true to leave out grants that take effect only there (e.g. namespaces enforcing Pod Security). */
  harmlessIn?: (scope: { clusterWide: boolean; namespaces: readonly string[] }) => boolean;
}

/** Reports every grant of the permission, once, following the policy at the top of this file. */
export function reportPermission(ctx: ControlContext, inv: Inventory, how: PermissionReporting): void {
  const graph = rbacGraph(inv);
  const { spec } = how;
  for (const role of graph.roles) {
    if (role.platformDefault || role.aggregationSelectors || !role.resource) continue;
    if (spec.clusterScoped && role.kind === 'Role') continue;
    let scope: RoleScope | undefined;
    for (const ref of role.ownRules) {
      if (isFullWildcard(ref.rule)) continue;
      const m = matchRule(ref.rule, spec);
      if (!m) continue;
      scope ??= roleScope(graph, role);
      // A ClusterRole bound only through RoleBindings cannot grant cluster-scoped resources.
      if (spec.clusterScoped && !scope.clusterWide && !scope.unbound) break;
      // A Role's namespace is known even when nothing binds it yet.
      if (how.harmlessIn && (role.kind === 'Role' || !scope.unbound) && how.harmlessIn(scope)) break;
      const index = how.pointAt === 'resources' ? m.resourceIndex : m.verbIndex;
      ctx.report({
        resource: role.resource,
        messageId: how.ruleMessageId,
        path: [...ref.path, how.pointAt, index],
        data: { role: roleDisplay(role), verbs: m.verbs.join(', '), resources: m.resources.join(', '), scope: scope.text },
        evidence: how.pointAt === 'resources' ? ref.rule.resources[index] : ref.rule.verbs[index],
      });
    }
  }
  for (const b of graph.bindings) {
    const role = b.role;
    if (b.platformDefault || !role || !role.platformDefault) continue;
    if (spec.clusterScoped && b.namespace !== undefined) continue;
    if (role.rules.some((r) => isFullWildcard(r.rule))) continue;
    const verbs = new Set<string>();
    const resources = new Set<string>();
    for (const ref of role.rules) {
      const m = matchRule(ref.rule, spec);
      if (!m) continue;
      m.verbs.forEach((v) => verbs.add(v));
      m.resources.forEach((r) => resources.add(r));
    }
    if (!verbs.size) continue;
    if (how.harmlessIn && how.harmlessIn({ clusterWide: b.namespace === undefined, namespaces: b.namespace === undefined ? [] : [b.namespace] })) continue;
    ctx.report({
      resource: b.resource,
      messageId: how.bindingMessageId,
      path: ['roleRef', 'name'],
      data: {
        binding: displayName(b.resource),
        subjects: subjectsDisplay(b),
        role: roleDisplay(role),
        verbs: [...verbs].join(', '),
        resources: [...resources].join(', '),
        scope: bindingScopeText(b),
      },
      evidence: role.name,
    });
  }
}
