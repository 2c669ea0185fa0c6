/**
 * Reads ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects the way the
 * API server admits them: the API's validation rules (a document it would reject comes back
 * with problems and no value), its defaults (failurePolicy Fail, matchPolicy Equivalent,
 * scope "*", empty selectors), and every CEL expression compiled with the type its field
 * demands. Compile errors are problems too, but do not reject the policy: at evaluation they
 * are handled by failurePolicy, as the API server does for expressions that stop compiling.
 */
import type { CelError } from '../cel/index.js';
import type { LabelSelector } from '../../core/inventory.js';
import type { JsonPath } from '../../core/path.js';
import type { K8sObject } from '../../core/resource.js';
import { compileExpression, type ResultType, type VariableDefinition } from '../palisade/expressions.js';
import type {
  AuditAnnotation,
  FailurePolicy,
  MatchCondition,
  MatchResources,
  NamedRuleWithOperations,
  ParamRef,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  Validation,
  ValidationAction,
} from './types.js';

export const VAP_API_GROUP = 'admissionregistration.k8s.io';
export const VAP_VERSIONS = ['v1', 'v1beta1', 'v1alpha1'] as const;

export interface Problem {
  path: JsonPath;
  message: string;
  /** error: the API server would reject the object; warning: it is accepted but suspicious. */
  level: 'error' | 'warning';
  /** Set for CEL compile errors (the position is inside the expression). */
  cel?: CelError;
}

export type Parsed<T> = { value?: T; problems: Problem[] };

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isVapDocument(o: K8sObject): boolean {
  return o.kind === 'ValidatingAdmissionPolicy' && o.apiVersion.startsWith(`${VAP_API_GROUP}/`);
}

export function isVapBindingDocument(o: K8sObject): boolean {
  return o.kind === 'ValidatingAdmissionPolicyBinding' && o.apiVersion.startsWith(`${VAP_API_GROUP}/`);
}

const OPERATIONS = ['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
const REASONS = ['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge'];
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const CEL_IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

class Reader {
  readonly problems: Problem[] = [];

  error(path: JsonPath, message: string): void {
    this.problems.push({ path, message, level: 'error' });
  }

  warn(path: JsonPath, message: string): void {
    this.problems.push({ path, message, level: 'warning' });
  }

  get failed(): boolean {
    return this.problems.some((p) => p.level === 'error' && !p.cel);
  }

  optionalString(v: unknown, path: JsonPath): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      this.error(path, `expected a string, found ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  requiredString(v: unknown, path: JsonPath): string {
    const s = this.optionalString(v, path);
    if (s === undefined || s === '') {
      if (v === undefined || v === null || v === '') this.error(path, 'required');
      return '';
    }
    return s;
  }

  list(v: unknown, path: JsonPath): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.error(path, `expected a list, found ${describe(v)}`);
      return [];
    }
    return v;
  }

  stringList(v: unknown, path: JsonPath): string[] {
    return this.list(v, path).flatMap((s, i) => {
      if (typeof s !== 'string') {
        this.error([...path, i], `expected a string, found ${describe(s)}`);
        return [];
      }
      return [s];
    });
  }

  map(v: unknown, path: JsonPath): Obj | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) {
      this.error(path, `expected a mapping, found ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  expression(v: unknown, path: JsonPath, expect: ResultType, knownVariables?: readonly string[]) {
    const source = this.requiredString(v, path);
    const compiled = compileExpression(source, expect, { knownVariables });
    if (compiled.error && source !== '') this.problems.push({ path, message: compiled.error.message, level: 'error', cel: compiled.error });
    return compiled;
  }

  selector(v: unknown, path: JsonPath): LabelSelector {
    const m = this.map(v, path);
    if (!m) return {};
    const out: LabelSelector = {};
    const ml = this.map(m.matchLabels, [...path, 'matchLabels']);
    if (ml) {
      out.matchLabels = {};
      for (const [k, val] of Object.entries(ml)) {
        if (typeof val !== 'string') this.error([...path, 'matchLabels', k], `expected a string, found ${describe(val)}`);
        else out.matchLabels[k] = val;
      }
    }
    const exprs = this.list(m.matchExpressions, [...path, 'matchExpressions']);
    if (exprs.length) out.matchExpressions = [];
    exprs.forEach((e, i) => {
      const p = [...path, 'matchExpressions', i];
      const em = this.map(e, p);
      if (!em) return;
      const keyName = this.requiredString(em.key, [...p, 'key']);
      const operator = this.requiredString(em.operator, [...p, 'operator']);
      const values = this.stringList(em.values, [...p, 'values']);
      if (operator === 'In' || operator === 'NotIn') {
        if (values.length === 0) this.error([...p, 'values'], `must be specified when operator is ${operator}`);
      } else if (operator === 'Exists' || operator === 'DoesNotExist') {
        if (values.length > 0) this.error([...p, 'values'], `may not be specified when operator is ${operator}`);
      } else if (operator !== '') this.error([...p, 'operator'], `not a valid selector operator "${operator}"; expected In, NotIn, Exists or DoesNotExist`);
      out.matchExpressions!.push({ key: keyName, operator, values });
    });
    return out;
  }

  rule(v: unknown, path: JsonPath): NamedRuleWithOperations | undefined {
    const m = this.map(v, path);
    if (!m) return undefined;
    const oneWildcard = (list: string[], field: string) => {
      if (list.includes('*') && list.length > 1) this.error([...path, field], `if '*' is present, it must be the only entry`);
    };
    const operations = this.stringList(m.operations, [...path, 'operations']);
    if (operations.length === 0) this.error([...path, 'operations'], 'required');
    operations.forEach((op, i) => {
      if (!OPERATIONS.includes(op)) this.error([...path, 'operations', i], `unsupported value "${op}"; expected one of ${OPERATIONS.join(', ')}`);
    });
    oneWildcard(operations, 'operations');
    const apiGroups = this.stringList(m.apiGroups, [...path, 'apiGroups']);
    if (m.apiGroups === undefined || m.apiGroups === null || apiGroups.length === 0) this.error([...path, 'apiGroups'], 'required');
    oneWildcard(apiGroups, 'apiGroups');
    const apiVersions = this.stringList(m.apiVersions, [...path, 'apiVersions']);
    if (apiVersions.length === 0) this.error([...path, 'apiVersions'], 'required');
    apiVersions.forEach((ver, i) => {
      if (ver === '') this.error([...path, 'apiVersions', i], 'must not be empty');
    });
    oneWildcard(apiVersions, 'apiVersions');
    const resources = this.stringList(m.resources, [...path, 'resources']);
    if (resources.length === 0) this.error([...path, 'resources'], 'required');
    this.checkResources(resources, [...path, 'resources']);
    const scope = this.optionalString(m.scope, [...path, 'scope']) ?? '*';
    if (!['*', 'Cluster', 'Namespaced'].includes(scope)) this.error([...path, 'scope'], `unsupported value "${scope}"; expected *, Cluster or Namespaced`);
    const resourceNames = this.stringList(m.resourceNames, [...path, 'resourceNames']);
    return { apiGroups, apiVersions, resources, operations, scope: scope as NamedRuleWithOperations['scope'], resourceNames };
  }

  /** The API server's rules for `resources` (wildcards may not overlap other entries). */
  private checkResources(resources: string[], path: JsonPath): void {
    const wildcardSub = new Set<string>();
    const wildcardRes = new Set<string>();
    let doubleWildcard = false;
    let singleWildcard = false;
    let plain = false;
    resources.forEach((rs, i) => {
      if (rs === '') return this.error([...path, i], 'must not be empty');
      if (rs === '*/*') doubleWildcard = true;
      if (rs === '*') singleWildcard = true;
      const slash = rs.indexOf('/');
      if (slash < 0) {
        if (rs !== '*') plain = true;
        return;
      }
      const res = rs.slice(0, slash);
      const sub = rs.slice(slash + 1);
      if (wildcardSub.has(res)) this.error([...path, i], `if '${res}/*' is present, must not specify ${rs}`);
      if (wildcardRes.has(sub)) this.error([...path, i], `if '*/${sub}' is present, must not specify ${rs}`);
      if (sub === '*') wildcardSub.add(res);
      if (res === '*') wildcardRes.add(sub);
    });
    if (resources.length > 1 && doubleWildcard) this.error(path, `if '*/*' is present, must not specify other resources`);
    if (singleWildcard && plain) this.error(path, `if '*' is present, must not specify other resources without subresources`);
  }

  matchResources(v: unknown, path: JsonPath, isPolicy: boolean): MatchResources | undefined {
    const m = this.map(v, path);
    if (!m) {
      if (isPolicy) this.error(path, 'required');
      return undefined;
    }
    const rules = (field: string) =>
      this.list(m[field], [...path, field]).flatMap((r, i) => {
        const rule = this.rule(r, [...path, field, i]);
        return rule ? [rule] : [];
      });
    const resourceRules = rules('resourceRules');
    if (isPolicy && resourceRules.length === 0) this.error([...path, 'resourceRules'], 'required: a policy must match at least one resource rule');
    const matchPolicy = this.optionalString(m.matchPolicy, [...path, 'matchPolicy']) ?? 'Equivalent';
    if (matchPolicy !== 'Exact' && matchPolicy !== 'Equivalent') this.error([...path, 'matchPolicy'], `unsupported value "${matchPolicy}"; expected Exact or Equivalent`);
    return {
      namespaceSelector: this.selector(m.namespaceSelector, [...path, 'namespaceSelector']),
      objectSelector: this.selector(m.objectSelector, [...path, 'objectSelector']),
      resourceRules,
      excludeResourceRules: rules('excludeResourceRules'),
      matchPolicy: matchPolicy as MatchResources['matchPolicy'],
    };
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function version(o: K8sObject): string {
  return o.apiVersion.slice(o.apiVersion.indexOf('/') + 1);
}

/** Validates, defaults and compiles a ValidatingAdmissionPolicy. */
export function parseValidatingAdmissionPolicy(o: K8sObject): Parsed<ValidatingAdmissionPolicy> {
  const r = new Reader();
  if (!(VAP_VERSIONS as readonly string[]).includes(version(o))) r.warn(['apiVersion'], `unknown version ${o.apiVersion}; read as ${VAP_API_GROUP}/v1`);
  const name = r.requiredString(o.metadata?.name, ['metadata', 'name']);
  const spec = r.map(o.spec, ['spec']) ?? (r.error(['spec'], 'required'), {});
  const failurePolicy = (r.optionalString(spec.failurePolicy, ['spec', 'failurePolicy']) ?? 'Fail') as FailurePolicy;
  if (failurePolicy !== 'Fail' && failurePolicy !== 'Ignore') r.error(['spec', 'failurePolicy'], `unsupported value "${failurePolicy}"; expected Fail or Ignore`);

  let paramKind: ValidatingAdmissionPolicy['paramKind'];
  const pk = r.map(spec.paramKind, ['spec', 'paramKind']);
  if (pk) {
    // v1alpha1 examples in the wild also write group/version/kind; accept them.
    const apiVersion = typeof pk.apiVersion === 'string' ? pk.apiVersion : typeof pk.version === 'string' ? (typeof pk.group === 'string' && pk.group ? `${pk.group}/${pk.version}` : pk.version) : undefined;
    if (!apiVersion) r.error(['spec', 'paramKind', 'apiVersion'], 'required');
    else if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion)) r.error(['spec', 'paramKind', 'apiVersion'], `"${apiVersion}" is not a group/version such as rules.example.com/v1`);
    const kind = r.requiredString(pk.kind, ['spec', 'paramKind', 'kind']);
    if (apiVersion) paramKind = { apiVersion, kind };
  }

  const matchConstraints = r.matchResources(spec.matchConstraints, ['spec', 'matchConstraints'], true);

  const variables: VariableDefinition[] = [];
  const seenVariables = new Set<string>();
  r.list(spec.variables, ['spec', 'variables']).forEach((v, i) => {
    const p = ['spec', 'variables', i];
    const m = r.map(v, p);
    if (!m) return;
    const vname = r.requiredString(m.name, [...p, 'name']);
    if (vname && (!CEL_IDENTIFIER.test(vname) || CEL_RESERVED.has(vname))) r.error([...p, 'name'], `"${vname}" is not a valid CEL identifier`);
    if (seenVariables.has(vname)) r.error([...p, 'name'], `duplicate variable name "${vname}"`);
    const expression = r.expression(m.expression, [...p, 'expression'], 'any', variables.map((d) => d.name));
    seenVariables.add(vname);
    variables.push({ name: vname, expression });
  });
  const varNames = variables.map((d) => d.name);

  const matchConditions: MatchCondition[] = [];
  const conditionNames = new Set<string>();
  const mcs = r.list(spec.matchConditions, ['spec', 'matchConditions']);
  if (mcs.length > 64) r.error(['spec', 'matchConditions'], `must have at most 64 items, has ${mcs.length}`);
  mcs.forEach((v, i) => {
    const p = ['spec', 'matchConditions', i];
    const m = r.map(v, p);
    if (!m) return;
    const cname = r.requiredString(m.name, [...p, 'name']);
    if (cname && (cname.length > 63 || !QUALIFIED_NAME.test(cname))) r.error([...p, 'name'], `"${cname}" is not a valid name (letters, digits, '-', '_' or '.', starting and ending with a letter or digit, at most 63 characters)`);
    if (conditionNames.has(cname)) r.error([...p, 'name'], `duplicate match condition name "${cname}"`);
    conditionNames.add(cname);
    matchConditions.push({ name: cname, expression: r.expression(m.expression, [...p, 'expression'], 'bool', varNames) });
  });

  const validations: Validation[] = [];
  r.list(spec.validations, ['spec', 'validations']).forEach((v, i) => {
    const p = ['spec', 'validations', i];
    const m = r.map(v, p);
    if (!m) return;
    const expression = r.expression(m.expression, [...p, 'expression'], 'bool', varNames);
    const message = r.optionalString(m.message, [...p, 'message']);
    if (message && /[\r\n]/.test(message)) r.error([...p, 'message'], 'must not contain line breaks');
    const me = r.optionalString(m.messageExpression, [...p, 'messageExpression']);
    const messageExpression = me !== undefined ? r.expression(me, [...p, 'messageExpression'], 'string', varNames) : undefined;
    const reason = r.optionalString(m.reason, [...p, 'reason']);
    if (reason !== undefined && !REASONS.includes(reason)) r.error([...p, 'reason'], `unsupported value "${reason}"; expected one of ${REASONS.join(', ')}`);
    validations.push({ expression, message, messageExpression, reason, path: p });
  });

  const auditAnnotations: AuditAnnotation[] = [];
  const keys = new Set<string>();
  r.list(spec.auditAnnotations, ['spec', 'auditAnnotations']).forEach((v, i) => {
    const p = ['spec', 'auditAnnotations', i];
    const m = r.map(v, p);
    if (!m) return;
    const k = r.requiredString(m.key, [...p, 'key']);
    if (k && (k.length > 63 || !QUALIFIED_NAME.test(k))) r.error([...p, 'key'], `"${k}" is not a valid annotation key part (letters, digits, '-', '_' or '.', at most 63 characters)`);
    if (keys.has(k)) r.error([...p, 'key'], `duplicate audit annotation key "${k}"`);
    keys.add(k);
    auditAnnotations.push({ key: k, valueExpression: r.expression(m.valueExpression, [...p, 'valueExpression'], 'string-or-null', varNames) });
  });
  if (validations.length === 0 && auditAnnotations.length === 0 && !r.failed) {
    r.error(['spec', 'validations'], 'required: a policy needs at least one validation or audit annotation');
  }

  if (r.failed || !matchConstraints) return { problems: r.problems };
  return {
    value: { name, object: o, failurePolicy, paramKind, matchConstraints, matchConditions, variables, validations, auditAnnotations },
    problems: r.problems,
  };
}

/** Validates and defaults a ValidatingAdmissionPolicyBinding. */
export function parseValidatingAdmissionPolicyBinding(o: K8sObject): Parsed<ValidatingAdmissionPolicyBinding> {
  const r = new Reader();
  if (!(VAP_VERSIONS as readonly string[]).includes(version(o))) r.warn(['apiVersion'], `unknown version ${o.apiVersion}; read as ${VAP_API_GROUP}/v1`);
  const name = r.requiredString(o.metadata?.name, ['metadata', 'name']);
  const spec = r.map(o.spec, ['spec']) ?? (r.error(['spec'], 'required'), {});
  const policyName = r.requiredString(spec.policyName, ['spec', 'policyName']);

  const actions = r.stringList(spec.validationActions, ['spec', 'validationActions']);
  // v1alpha1 had no validationActions: every failure denied.
  const validationActions = (actions.length === 0 && version(o) === 'v1alpha1' ? ['Deny'] : actions) as ValidationAction[];
  if (validationActions.length === 0) r.error(['spec', 'validationActions'], 'required: one or more of Deny, Warn, Audit');
  const seen = new Set<string>();
  validationActions.forEach((a, i) => {
    if (!['Deny', 'Warn', 'Audit'].includes(a)) r.error(['spec', 'validationActions', i], `unsupported value "${a}"; expected Deny, Warn or Audit`);
    if (seen.has(a)) r.error(['spec', 'validationActions', i], `duplicate value "${a}"`);
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    r.error(['spec', 'validationActions'], 'Deny and Warn may not be used together (the failure would be reported twice); use [Deny] or [Deny, Audit]');
  }

  let paramRef: ParamRef | undefined;
  const pr = r.map(spec.paramRef, ['spec', 'paramRef']);
  if (pr) {
    const p = ['spec', 'paramRef'];
    paramRef = {};
    const prName = r.optionalString(pr.name, [...p, 'name']);
    if (prName) paramRef.name = prName;
    const ns = r.optionalString(pr.namespace, [...p, 'namespace']);
    if (ns) paramRef.namespace = ns;
    if (pr.selector !== undefined && pr.selector !== null) paramRef.selector = r.selector(pr.selector, [...p, 'selector']);
    if (paramRef.name && paramRef.selector) r.error(p, 'name and selector are mutually exclusive');
    if (!paramRef.name && !paramRef.selector) r.error(p, 'one of name or selector must be set');
    const action = r.optionalString(pr.parameterNotFoundAction, [...p, 'parameterNotFoundAction']);
    if (action === undefined) {
      // v1alpha1 defaults it to Deny; v1beta1 and v1 require it. Read as Deny (fail closed).
      if (version(o) !== 'v1alpha1') r.warn([...p, 'parameterNotFoundAction'], 'required by the API server (Allow or Deny); taken as Deny');
      paramRef.parameterNotFoundAction = 'Deny';
    } else if (action !== 'Allow' && action !== 'Deny') r.error([...p, 'parameterNotFoundAction'], `unsupported value "${action}"; expected Allow or Deny`);
    else paramRef.parameterNotFoundAction = action;
  }

  const matchResources = spec.matchResources === undefined || spec.matchResources === null ? undefined : r.matchResources(spec.matchResources, ['spec', 'matchResources'], false);

  if (r.failed) return { problems: r.problems };
  return { value: { name, object: o, policyName, paramRef, matchResources, validationActions }, problems: r.problems };
}
