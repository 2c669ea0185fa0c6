/**
 * Kyverno `match` / `exclude` blocks. A block is either `any: [filter…]`, `all: [filter…]` or
 * the legacy single filter (`resources` + `subjects`/`roles`/`clusterRoles`). Within a
 * filter every given attribute must hold (AND), and within a list attribute one entry is
 * enough (OR). User-info criteria (subjects, roles, clusterRoles) are ignored by `match`
 * when the request carries no user information, as Kyverno does for background scans.
 *
 * kinds accept "Pod", "v1/Pod", "apps/v1/Deployment", "apps/*\/Deployment", wildcards
 * ("*", "*Ingress") and subresources ("Pod/status", "Deployment/scale"), which only match
 * a request for that subresource (or, as `kyverno test` does, a resource whose kind is
 * mapped to the parent's subresource in the values file).
 */
import { matchesSelector } from '../../core/selector.js';
import type { LabelSelector } from '../../core/inventory.js';
import { wildcardMatch, hasWildcard } from './wildcard.js';

export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** Who makes the (simulated) admission request. */
export interface RequestInfo {
  userInfo?: UserInfo;
  roles?: string[];
  clusterRoles?: string[];
}

/** Subresource → parent mapping (kyverno test values `subresources`). */
export interface SubresourceMapping {
  subresource: { name: string; kind: string; group?: string; version?: string };
  parentResource: { name: string; kind: string; group?: string; version?: string };
}

export interface MatchContext {
  operation: string;
  request?: RequestInfo;
  /** Labels of namespaces by name, for namespaceSelector. */
  namespaceLabels?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The subresource the request is for ("status", "scale", …), if any. */
  subresource?: string;
  subresources?: readonly SubresourceMapping[];
}

export interface MatchTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

const VERSION = /^v\d+((alpha|beta)\d+)?$/;

/** Splits a kinds entry into group/version pattern, kind and subresource. */
export function parseKindEntry(entry: string): { gv: string; kind: string; subresource: string } {
  const parts = entry.split('/');
  let gv = '';
  let rest: string[];
  if (parts.length === 1) rest = parts;
  else if (parts.length === 2) {
    if (VERSION.test(parts[0]!) || parts[0] === '*') {
      gv = parts[0]!;
      rest = [parts[1]!];
    } else rest = parts; // Kind/subresource
  } else if (parts.length === 3) {
    if (VERSION.test(parts[0]!) || parts[0] === '*') {
      gv = parts[0]!;
      rest = parts.slice(1); // version/Kind/subresource
    } else {
      gv = `${parts[0]}/${parts[1]}`;
      rest = [parts[2]!];
    }
  } else {
    gv = `${parts[0]}/${parts[1]}`;
    rest = parts.slice(2);
  }
  return { gv, kind: rest[0] ?? '', subresource: rest.slice(1).join('/') };
}

function groupVersionMatches(gv: string, group: string, version: string): boolean {
  if (gv === '' || gv === '*') return true;
  const i = gv.indexOf('/');
  if (i < 0) return group === '' ? wildcardMatch(gv, version) : false;
  return wildcardMatch(gv.slice(0, i), group) && wildcardMatch(gv.slice(i + 1), version);
}

export function kindMatches(kinds: readonly string[], target: MatchTarget, mc: MatchContext): boolean {
  const { group, version } = splitApiVersion(target.apiVersion);
  for (const entry of kinds) {
    if (entry === '*') return true;
    const k = parseKindEntry(entry);
    if (k.subresource) {
      // Either the request is for that subresource of this kind…
      if (mc.subresource === k.subresource && wildcardMatch(k.kind, target.kind) && groupVersionMatches(k.gv, group, version)) return true;
      // …or the resource is the subresource object (Scale, …) mapped to this parent in the values file.
      for (const m of mc.subresources ?? []) {
        const [parentPlural, sub] = m.subresource.name.split('/');
        if (sub !== k.subresource || m.parentResource.kind !== k.kind) continue;
        if (parentPlural !== undefined && m.parentResource.name !== parentPlural) continue;
        if (m.subresource.kind === target.kind && (m.subresource.group ?? '') === group) return true;
      }
      continue;
    }
    if (!wildcardMatch(k.kind, target.kind)) continue;
    // Objects of a subresource request only match entries that name the subresource
    // (ephemeralcontainers is the exception Kyverno keeps for compatibility).
    if (mc.subresource && mc.subresource !== 'ephemeralcontainers') continue;
    if (groupVersionMatches(k.gv, group, version)) return true;
  }
  return false;
}

function selectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isObj(selector)) return false;
  const matchLabels = isObj(selector.matchLabels) ? (selector.matchLabels as Record<string, string>) : {};
  // Wildcards in matchLabels keys or values stand for the resource labels they match.
  const plain: Record<string, string> = {};
  for (const [k, v] of Object.entries(matchLabels)) {
    const value = String(v);
    if (hasWildcard(k) || hasWildcard(value)) {
      if (!Object.entries(labels).some(([lk, lv]) => wildcardMatch(k, lk) && wildcardMatch(value, lv))) return false;
    } else plain[k] = value;
  }
  const exprs = Array.isArray(selector.matchExpressions) ? (selector.matchExpressions as LabelSelector['matchExpressions']) : [];
  return matchesSelector({ matchLabels: plain, matchExpressions: exprs }, labels);
}

function annotationsMatch(want: unknown, have: Readonly<Record<string, string>>): boolean {
  if (!isObj(want)) return true;
  return Object.entries(want).every(([k, v]) => Object.entries(have).some(([hk, hv]) => wildcardMatch(k, hk) && wildcardMatch(String(v), hv)));
}

const SA_PREFIX = 'system:serviceaccount:';

function subjectsMatch(subjects: unknown, user: UserInfo): boolean {
  if (!Array.isArray(subjects)) return false;
  const username = user.username ?? '';
  const userGroups = [...(user.groups ?? []), username];
  for (const s of subjects) {
    if (!isObj(s)) continue;
    if (s.kind === 'ServiceAccount') {
      if (username.length <= SA_PREFIX.length) continue;
      if (username.slice(SA_PREFIX.length) === `${String(s.namespace ?? '')}:${String(s.name ?? '')}`) return true;
    } else if (s.kind === 'User' || s.kind === 'Group') {
      if (userGroups.includes(String(s.name ?? ''))) return true;
    }
  }
  return false;
}

function hasAny(required: string[], have: readonly string[] | undefined): boolean {
  return (have ?? []).some((h) => required.includes(h));
}

/** Why a filter does not match, or [] when it matches. */
function filterMismatches(filter: Obj, target: MatchTarget, mc: MatchContext, useUserInfo: boolean): string[] {
  const errs: string[] = [];
  const rd = isObj(filter.resources) ? filter.resources : {};
  const kinds = strings(rd.kinds);
  if (kinds.length && !kindMatches(kinds, target, mc)) errs.push(`kind does not match ${JSON.stringify(kinds)}`);
  if (typeof rd.name === 'string' && rd.name !== '' && !wildcardMatch(rd.name, target.name)) errs.push('name does not match');
  const names = strings(rd.names);
  if (names.length && !names.some((n) => wildcardMatch(n, target.name))) errs.push('none of the names match');
  const namespaces = strings(rd.namespaces);
  if (namespaces.length) {
    const ns = target.kind === 'Namespace' ? target.name : (target.namespace ?? '');
    if (!namespaces.some((n) => wildcardMatch(n, ns))) errs.push('namespace does not match');
  }
  if (isObj(rd.annotations) && Object.keys(rd.annotations).length && !annotationsMatch(rd.annotations, target.annotations)) errs.push('annotations does not match');
  if (rd.selector !== undefined && rd.selector !== null && !selectorMatches(rd.selector, target.labels)) errs.push('selector does not match');
  if (rd.namespaceSelector !== undefined && rd.namespaceSelector !== null && target.kind !== 'Namespace') {
    const nsLabels = mc.namespaceLabels?.[target.namespace ?? ''] ?? {};
    if (!selectorMatches(rd.namespaceSelector, nsLabels)) errs.push('namespace selector does not match');
  }
  const operations = strings(rd.operations);
  if (operations.length && !operations.includes(mc.operation)) errs.push('operation does not match');
  if (useUserInfo) {
    const req = mc.request ?? {};
    const roles = strings(filter.roles);
    if (roles.length && !hasAny(roles, req.roles)) errs.push('user info does not match roles for the given conditionBlock');
    const clusterRoles = strings(filter.clusterRoles);
    if (clusterRoles.length && !hasAny(clusterRoles, req.clusterRoles)) errs.push('user info does not match clustersRoles for the given conditionBlock');
    if (Array.isArray(filter.subjects) && filter.subjects.length && !subjectsMatch(filter.subjects, req.userInfo ?? {})) {
      errs.push('user info does not match subject for the given conditionBlock');
    }
  }
  return errs;
}

function isEmptyFilter(f: Obj): boolean {
  const rd = isObj(f.resources) ? f.resources : {};
  const anyRd = Object.values(rd).some((v) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== '');
  const anyUser = ['subjects', 'roles', 'clusterRoles'].some((k) => Array.isArray(f[k]) && (f[k] as unknown[]).length > 0);
  return !anyRd && !anyUser;
}

function hasRequestInfo(mc: MatchContext): boolean {
  const r = mc.request;
  if (!r) return false;
  const u = r.userInfo ?? {};
  return !!(u.username || u.uid || (u.groups && u.groups.length) || (r.roles && r.roles.length) || (r.clusterRoles && r.clusterRoles.length));
}

function legacyFilter(block: Obj): Obj {
  return { resources: block.resources, subjects: block.subjects, roles: block.roles, clusterRoles: block.clusterRoles };
}

/** Reasons the resource is not selected by the rule (empty = the rule applies). */
export function ruleMatchMismatches(rule: Obj, target: MatchTarget, mc: MatchContext): string[] {
  const reasons: string[] = [];
  const match = isObj(rule.match) ? rule.match : {};
  const useUser = hasRequestInfo(mc);
  const stripUser = (f: Obj): Obj => (useUser ? f : { ...f, subjects: undefined, roles: undefined, clusterRoles: undefined });
  const anyF = Array.isArray(match.any) ? match.any.filter(isObj) : [];
  const allF = Array.isArray(match.all) ? match.all.filter(isObj) : [];
  if (anyF.length) {
    const ok = anyF.some((f) => {
      const g = stripUser(f);
      return !isEmptyFilter(g) && filterMismatches(g, target, mc, useUser).length === 0;
    });
    if (!ok) reasons.push('no resource matched');
  } else if (allF.length) {
    for (const f of allF) {
      const g = stripUser(f);
      if (isEmptyFilter(g)) reasons.push('match cannot be empty');
      else reasons.push(...filterMismatches(g, target, mc, useUser));
    }
  } else {
    const g = stripUser(legacyFilter(match));
    if (isEmptyFilter(g)) reasons.push('match cannot be empty');
    else reasons.push(...filterMismatches(g, target, mc, useUser));
  }
  const exclude = isObj(rule.exclude) ? rule.exclude : undefined;
  if (exclude) {
    const exAny = Array.isArray(exclude.any) ? exclude.any.filter(isObj) : [];
    const exAll = Array.isArray(exclude.all) ? exclude.all.filter(isObj) : [];
    const excludes = (f: Obj) => !isEmptyFilter(f) && filterMismatches(f, target, mc, true).length === 0;
    if (exAny.length) {
      if (exAny.some(excludes)) reasons.push('resource excluded since one of the criteria excluded it');
    } else if (exAll.length) {
      if (exAll.every(excludes)) reasons.push('resource excluded since the combination of all criteria exclude it');
    } else if (excludes(legacyFilter(exclude))) {
      reasons.push('resource excluded since one of the criteria excluded it');
    }
  }
  return reasons;
}

/** Kinds named anywhere in a match block (resources, any, all). */
export function matchKinds(block: unknown): string[] {
  if (!isObj(block)) return [];
  const out: string[] = [];
  if (isObj(block.resources)) out.push(...strings(block.resources.kinds));
  for (const key of ['any', 'all']) {
    const list = block[key];
    if (Array.isArray(list)) for (const f of list) if (isObj(f) && isObj(f.resources)) out.push(...strings(f.resources.kinds));
  }
  return out;
}
