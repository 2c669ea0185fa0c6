import { isObject } from './istio.js';

/**
 * Istio AuthorizationPolicy rule semantics: a rule matches when every field it sets matches.
 * `from` and `to` are lists whose entries are alternatives; inside a source or operation the
 * fields must all match; `when` conditions must all hold. An unset or empty field constrains
 * nothing, so `{}` matches every request.
 */
function constrains(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.values(v).some(constrains);
  return true;
}

/** True when some entry of a from/to list places no constraint (or the list is empty). */
function someEntryUnconstrained(list: unknown, field: 'source' | 'operation'): boolean {
  if (!Array.isArray(list) || list.length === 0) return true;
  return list.some((entry) => !isObject(entry) || !constrains(entry[field]));
}

/** A rule that matches every request, e.g. `rules: [{}]`. */
export function matchesEverything(rule: unknown): boolean {
  if (!isObject(rule)) return rule === null || rule === undefined;
  return someEntryUnconstrained(rule.from, 'source') && someEntryUnconstrained(rule.to, 'operation') && !constrains(rule.when);
}

/** The action of an AuthorizationPolicy: ALLOW unless it says otherwise. */
export function actionOf(spec: Record<string, unknown>): string {
  return typeof spec.action === 'string' ? spec.action : 'ALLOW';
}
