/**
 * Which requests a policy's matchConstraints (and a binding's matchResources) select, as
 * the API server's admission matcher decides it: namespaceSelector, then objectSelector,
 * then excludeResourceRules, then resourceRules — exactly first, and under
 * matchPolicy: Equivalent through the other versions (and groups) serving the same resource.
 */
import type { LabelSelector } from '../../core/inventory.js';
import { matchesSelector } from '../../core/selector.js';
import type { AdmissionAttributes } from './request.js';
import type { GroupVersionKind, GroupVersionResource, ResourceCatalog } from './resources.js';
import type { MatchPolicy, MatchResources, NamedRuleWithOperations } from './types.js';

export interface MatchEnvironment {
  catalog: ResourceCatalog;
  /** Labels of the namespace named `name`, or undefined when it is not known. */
  namespaceLabels(name: string): Readonly<Record<string, string>> | undefined;
}

export interface MatchResult {
  matches: boolean;
  /** The resource and kind the rules matched (an equivalent one under matchPolicy: Equivalent). */
  resource?: GroupVersionResource;
  kind?: GroupVersionKind;
  /** Things assumed because they are not known offline. */
  notes: string[];
}

const isNamespacesResource = (r: GroupVersionResource) => r.group === '' && r.version === 'v1' && r.resource === 'namespaces';

function isEmptySelector(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

function labelsOf(o: unknown): Readonly<Record<string, string>> {
  const l = (o as { metadata?: { labels?: unknown } } | null)?.metadata?.labels;
  return l && typeof l === 'object' && !Array.isArray(l) ? (l as Record<string, string>) : {};
}

function matchNamespaceSelector(selector: LabelSelector, a: AdmissionAttributes, env: MatchEnvironment, notes: string[]): boolean {
  // Cluster-scoped resources other than namespaces are never exempted by a namespaceSelector.
  if (a.namespace === '' && a.resource.resource !== 'namespaces') return true;
  if (isEmptySelector(selector)) return true;
  let labels: Readonly<Record<string, string>> | undefined;
  if (a.resource.resource === 'namespaces' && a.subResource === '' && (a.operation === 'CREATE' || a.operation === 'UPDATE')) {
    labels = labelsOf(a.object);
  } else {
    labels = env.namespaceLabels(a.namespace);
    if (labels === undefined) {
      notes.push(`namespace ${a.namespace} is not among the scanned objects; its labels are taken as empty for namespaceSelector`);
      labels = {};
    }
  }
  return matchesSelector(selector, labels);
}

function matchObjectSelector(selector: LabelSelector, a: AdmissionAttributes): boolean {
  if (isEmptySelector(selector)) return true;
  const test = (o: unknown) => o !== null && o !== undefined && matchesSelector(selector, labelsOf(o));
  return test(a.object) || test(a.oldObject);
}

const exactOrWildcard = (items: readonly string[], requested: string) => items.some((i) => i === '*' || i === requested);

function ruleMatches(rule: NamedRuleWithOperations, a: AdmissionAttributes, resource: GroupVersionResource): boolean {
  switch (rule.scope) {
    case 'Namespaced':
      if (isNamespacesResource(resource) || a.namespace === '') return false;
      break;
    case 'Cluster':
      if (!(isNamespacesResource(resource) || a.namespace === '')) return false;
      break;
  }
  if (!rule.operations.some((op) => op === '*' || op === a.operation)) return false;
  if (!exactOrWildcard(rule.apiGroups, resource.group)) return false;
  if (!exactOrWildcard(rule.apiVersions, resource.version)) return false;
  return rule.resources.some((rs) => {
    const slash = rs.indexOf('/');
    const res = slash < 0 ? rs : rs.slice(0, slash);
    const sub = slash < 0 ? '' : rs.slice(slash + 1);
    return (res === '*' || res === resource.resource) && (sub === '*' || sub === a.subResource);
  });
}

const namesMatch = (rule: NamedRuleWithOperations, a: AdmissionAttributes) => rule.resourceNames.length === 0 || rule.resourceNames.includes(a.name);

const sameResource = (x: GroupVersionResource, y: GroupVersionResource) => x.group === y.group && x.version === y.version && x.resource === y.resource;

function matchesResourceRules(
  rules: readonly NamedRuleWithOperations[],
  matchPolicy: MatchPolicy,
  a: AdmissionAttributes,
  catalog: ResourceCatalog,
): { matches: boolean; resource?: GroupVersionResource; kind?: GroupVersionKind } {
  for (const rule of rules) {
    if (ruleMatches(rule, a, a.resource) && namesMatch(rule, a)) return { matches: true, resource: a.resource, kind: a.kind };
  }
  if (matchPolicy === 'Exact') return { matches: false };
  let equivalents = catalog.equivalents(a.resource);
  if (equivalents.length === 0) {
    // A custom resource without its CRD: every version of its group and resource is taken as served.
    const versions = new Set(rules.flatMap((r) => r.apiVersions).filter((v) => v !== '*'));
    equivalents = [...versions].map((version) => ({ ...a.resource, version }));
  }
  for (const rule of rules) {
    for (const eq of equivalents) {
      if (sameResource(eq, a.resource)) continue;
      if (!ruleMatches(rule, a, eq) || !namesMatch(rule, a)) continue;
      const kind = catalog.kindFor(eq) ?? { group: eq.group, version: eq.version, kind: a.kind.kind };
      return { matches: true, resource: eq, kind };
    }
  }
  return { matches: false };
}

/** Whether the request matches `criteria` (a policy's matchConstraints or a binding's matchResources). */
export function matchResources(criteria: MatchResources, a: AdmissionAttributes, env: MatchEnvironment): MatchResult {
  const notes: string[] = [];
  if (!matchNamespaceSelector(criteria.namespaceSelector, a, env, notes)) return { matches: false, notes };
  if (!matchObjectSelector(criteria.objectSelector, a)) return { matches: false, notes };
  if (matchesResourceRules(criteria.excludeResourceRules, criteria.matchPolicy, a, env.catalog).matches) return { matches: false, notes };
  if (criteria.resourceRules.length === 0) return { matches: true, resource: a.resource, kind: a.kind, notes };
  const m = matchesResourceRules(criteria.resourceRules, criteria.matchPolicy, a, env.catalog);
  return { ...m, notes };
}
