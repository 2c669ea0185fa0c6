/**
 * Evaluates Kyverno ClusterPolicy / Policy rules against one resource, offline, the way the
 * Kyverno engine (and so `kyverno apply` / `kyverno test`) does:
 *
 *   rules (with autogen) → match/exclude → policy exceptions → context → preconditions →
 *   podSecurity | cel | deny | pattern/anyPattern | foreach → message
 *
 * Only validate rules are evaluated. mutate, generate and verifyImages rules, and context
 * entries that need a cluster or a registry (apiCall, configMap, imageRegistry,
 * globalReference) without a supplied value, give results marked `unsupported` with the
 * reason, never silent passes.
 */
import { POD_SPEC_PATHS } from '../../core/kinds.js';
import { getAt, type JsonPath } from '../../core/path.js';
import type { K8sObject } from '../../core/resource.js';
import { computeRules, type AutogenInfo, AUTOGEN_ANNOTATION } from './autogen.js';
import { compileCel, fromCelValue } from './cel.js';
import { ConditionError, evaluateConditions } from './conditions.js';
import { imageInfo } from './images.js';
import { ruleMatchMismatches, type MatchContext, type MatchTarget } from './match.js';
import { kyvernoPath, matchPattern, type PatternOutcome } from './pattern.js';
import { evaluatePodSecurity, type PodSecurityExclude } from './pod-security.js';
import type { EvaluateOptions, FailureAction, KyvernoPolicyDoc, ResourceRef, RuleResult, RuleStatus, RuleType } from './types.js';
import { forkContext, pathOfVariable, queryContext, setContextValue, substituteAll, SubstitutionError, type JsonContext } from './variables.js';
import { wildcardMatch } from './wildcard.js';
import { jmesSearch } from './jmespath.js';
import { matchesSelector } from '../../core/selector.js';

/** Elements one foreach may iterate over; more is an error, not a silent cut. */
export const MAX_FOREACH_ELEMENTS = 10_000;
/** Elements all (nested) foreach of one rule may visit together. */
export const MAX_FOREACH_TOTAL = 100_000;
const MAX_FOREACH_DEPTH = 10;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A policy ready to evaluate: its rules with the generated ones, and its settings. */
export interface CompiledPolicy {
  doc: KyvernoPolicyDoc;
  /** "name" or "namespace/name". */
  id: string;
  name: string;
  namespace?: string;
  kind: 'ClusterPolicy' | 'Policy';
  rules: Obj[];
  autogen: AutogenInfo;
  background: boolean;
  applyRules: 'All' | 'One';
  /** policies.kyverno.io/scored: "false" turns failures into warnings in reports. */
  scored: boolean;
}

export class PolicyFormatError extends Error {}

export function isKyvernoPolicy(doc: unknown): doc is KyvernoPolicyDoc {
  return isObj(doc) && typeof doc.apiVersion === 'string' && doc.apiVersion.startsWith('kyverno.io/') && (doc.kind === 'ClusterPolicy' || doc.kind === 'Policy');
}

export function compilePolicy(doc: KyvernoPolicyDoc): CompiledPolicy {
  if (!isKyvernoPolicy(doc)) throw new PolicyFormatError('not a Kyverno ClusterPolicy or Policy (apiVersion kyverno.io/v1 or v2beta1)');
  const meta = isObj(doc.metadata) ? doc.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (!name) throw new PolicyFormatError('metadata.name: a policy needs a name');
  const spec = isObj(doc.spec) ? doc.spec : undefined;
  if (!spec) throw new PolicyFormatError('spec: expected a mapping with rules');
  if (!Array.isArray(spec.rules) || spec.rules.length === 0) throw new PolicyFormatError('spec.rules: expected a non-empty list of rules');
  spec.rules.forEach((r, i) => {
    if (!isObj(r) || typeof r.name !== 'string' || r.name === '') throw new PolicyFormatError(`spec.rules[${i}].name: every rule needs a name`);
  });
  const namespace = doc.kind === 'Policy' ? (typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : 'default') : undefined;
  const { rules, autogen } = computeRules(doc as Obj);
  const annotations = isObj(meta.annotations) ? meta.annotations : {};
  return {
    doc,
    id: namespace ? `${namespace}/${name}` : name,
    name,
    ...(namespace ? { namespace } : {}),
    kind: doc.kind as 'ClusterPolicy' | 'Policy',
    rules,
    autogen,
    background: spec.background !== false,
    applyRules: spec.applyRules === 'One' ? 'One' : 'All',
    scored: annotations['policies.kyverno.io/scored'] !== 'false',
  };
}

function ruleTypeOf(rule: Obj): RuleType | undefined {
  if (rule.validate !== undefined && rule.validate !== null) return 'Validation';
  if (rule.mutate !== undefined && rule.mutate !== null) return 'Mutation';
  if (rule.generate !== undefined && rule.generate !== null) return 'Generation';
  if (Array.isArray(rule.verifyImages)) return 'ImageVerify';
  return undefined;
}

function resourceRef(obj: K8sObject): ResourceRef {
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? meta.generateName : '';
  const ref: ResourceRef = { apiVersion: String(obj.apiVersion ?? ''), kind: String(obj.kind ?? ''), name };
  if (typeof meta.namespace === 'string' && meta.namespace) ref.namespace = meta.namespace;
  return ref;
}

function stringMap(v: unknown): Record<string, string> {
  if (!isObj(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function matchTarget(obj: K8sObject): MatchTarget {
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const ref = resourceRef(obj);
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace, labels: stringMap(meta.labels), annotations: stringMap(meta.annotations) };
}

// --- the JSON context ---------------------------------------------------------------------

const SA_PREFIX = 'system:serviceaccount:';

function imagesOf(obj: K8sObject): Obj | undefined {
  const specPath = POD_SPEC_PATHS[obj.kind];
  if (!specPath) return undefined;
  const spec = getAt(obj, specPath);
  if (!isObj(spec)) return undefined;
  const out: Obj = {};
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    const byName: Obj = {};
    for (const c of containers) {
      if (!isObj(c) || typeof c.name !== 'string' || typeof c.image !== 'string') continue;
      const info = imageInfo(c.image);
      if (info) byName[c.name] = { ...info };
    }
    if (Object.keys(byName).length) out[list] = byName;
  }
  return Object.keys(out).length ? out : undefined;
}

export function baseContext(resource: K8sObject, opts: EvaluateOptions): JsonContext {
  const operation = opts.operation ?? 'CREATE';
  const ref = resourceRef(resource);
  const { group, version } = (() => {
    const i = ref.apiVersion.indexOf('/');
    return i < 0 ? { group: '', version: ref.apiVersion } : { group: ref.apiVersion.slice(0, i), version: ref.apiVersion.slice(i + 1) };
  })();
  const user = opts.request?.userInfo ?? {};
  const username = user.username ?? '';
  let saName = '';
  let saNamespace = '';
  if (username.startsWith(SA_PREFIX)) {
    const [ns, name] = username.slice(SA_PREFIX.length).split(':');
    saNamespace = ns ?? '';
    saName = name ?? '';
  }
  const isDelete = operation === 'DELETE';
  const ctx: JsonContext = {
    request: {
      operation,
      object: isDelete ? null : resource,
      oldObject: isDelete ? (opts.oldObject ?? resource) : (opts.oldObject ?? null),
      userInfo: { username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups ?? [], ...(user.extra ? { extra: user.extra } : {}) },
      roles: opts.request?.roles ?? [],
      clusterRoles: opts.request?.clusterRoles ?? [],
      namespace: ref.namespace ?? '',
      name: ref.name,
      kind: { group, version, kind: ref.kind },
      dryRun: false,
    },
    serviceAccountName: saName,
    serviceAccountNamespace: saNamespace,
  };
  const images = imagesOf(resource);
  if (images) ctx.images = images;
  for (const [k, v] of Object.entries(opts.globalValues ?? {})) setContextValue(ctx, k, v);
  return ctx;
}

// --- evaluation ---------------------------------------------------------------------------

/** The outcome of one validator run (a rule, or one foreach element). */
interface Outcome {
  status: Exclude<RuleStatus, 'warn'>;
  message: string;
  path?: JsonPath;
  unsupported?: string;
  podSecurityChecks?: RuleResult['podSecurityChecks'];
}

interface RuleRun {
  policy: CompiledPolicy;
  rule: Obj;
  ruleName: string;
  resource: K8sObject;
  opts: EvaluateOptions;
  /** Rule-level validate.message. */
  message: unknown;
  /** Context entries this rule needs from a cluster/registry that no value supplied. */
  missingExternal: string[];
  foreachBudget: { left: number };
  pathIndex?: WeakMap<object, JsonPath>;
}

const EXTERNAL_CONTEXT = ['apiCall', 'configMap', 'imageRegistry', 'globalReference'] as const;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isEvalError(e: unknown): boolean {
  return e instanceof SubstitutionError || e instanceof ConditionError || e instanceof EvalFailure;
}

class EvalFailure extends Error {}

/** Loads `context` entries into ctx (variables evaluate; external ones must come from values). */
function loadContext(run: RuleRun, entries: unknown, ctx: JsonContext): void {
  if (entries === undefined || entries === null) return;
  if (!Array.isArray(entries)) throw new EvalFailure('context must be a list of entries');
  for (const entry of entries) {
    if (!isObj(entry) || typeof entry.name !== 'string' || entry.name === '') throw new EvalFailure('every context entry needs a name');
    const name = entry.name;
    const external = EXTERNAL_CONTEXT.find((k) => entry[k] !== undefined && entry[k] !== null);
    if (external) {
      if (queryOptional(ctx, name) === undefined) run.missingExternal.push(`${external} context entry "${name}"`);
      continue;
    }
    if (!isObj(entry.variable)) throw new EvalFailure(`context entry "${name}": expected one of variable, ${EXTERNAL_CONTEXT.join(', ')}`);
    const v = entry.variable;
    let path = '';
    if (typeof v.jmesPath === 'string' && v.jmesPath !== '') path = String(substituteAll(v.jmesPath, ctx));
    const dflt = v.default !== undefined ? substituteAll(v.default, ctx) : undefined;
    let output: unknown = dflt;
    if (v.value !== undefined) {
      const value = substituteAll(v.value, ctx);
      if (path) {
        try {
          const r = jmesSearch(path, value);
          output = r ?? dflt;
        } catch (e) {
          if (dflt === undefined) throw new EvalFailure(`failed to apply jmespath ${path} to variable ${JSON.stringify(value)}: ${errorText(e)}`);
        }
      } else output = value;
    } else if (path) {
      try {
        const r = queryContext(ctx, path);
        output = r ?? dflt;
      } catch (e) {
        if (dflt === undefined) throw new EvalFailure(`failed to load context entry "${name}": ${errorText(e)}`);
      }
    }
    setContextValue(ctx, name, output ?? null);
  }
}

function queryOptional(ctx: JsonContext, dotted: string): unknown {
  let cur: unknown = ctx;
  for (const p of dotted.split('.')) {
    if (!isObj(cur) || !(p in cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function substituteMessage(run: RuleRun, ctx: JsonContext, msg: unknown): string | undefined {
  if (typeof msg !== 'string' || msg === '') return undefined;
  const r = substituteAll(msg, ctx);
  return typeof r === 'string' ? r : JSON.stringify(r);
}

/** Kyverno's buildErrorMessage for pattern failures. */
function patternFailureMessage(run: RuleRun, ctx: JsonContext, detail: string, path: string | undefined): string {
  let msg: string | undefined;
  try {
    msg = substituteMessage(run, ctx, run.message);
  } catch (e) {
    return `validation error: variables substitution error in rule ${run.ruleName} execution error: ${errorText(e)}`;
  }
  if (msg === undefined) {
    return path !== undefined ? `validation error: rule ${run.ruleName} failed at path ${path}` : `validation error: rule ${run.ruleName} execution error: ${detail}`;
  }
  if (!msg.endsWith('.')) msg += '.';
  return path !== undefined ? `validation error: ${msg} rule ${run.ruleName} failed at path ${path}` : `validation error: ${msg} rule ${run.ruleName} execution error: ${detail}`;
}

interface ValidatorSpec {
  context?: unknown;
  preconditions?: unknown;
  pattern?: unknown;
  anyPattern?: unknown;
  deny?: unknown;
  foreach?: unknown;
}

function pathIndex(run: RuleRun): WeakMap<object, JsonPath> {
  if (run.pathIndex) return run.pathIndex;
  const index = new WeakMap<object, JsonPath>();
  const stack: [unknown, JsonPath][] = [[run.resource, []]];
  let visited = 0;
  while (stack.length && visited < 200_000) {
    const [v, p] = stack.pop()!;
    visited++;
    if (v && typeof v === 'object') {
      if (!index.has(v)) index.set(v, p);
      if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, [...p, i]]));
      else for (const [k, x] of Object.entries(v)) stack.push([x, [...p, k]]);
    }
  }
  run.pathIndex = index;
  return index;
}

function runValidator(run: RuleRun, spec: ValidatorSpec, ctx: JsonContext, target: unknown, targetPath: JsonPath, nesting: number): Outcome | undefined {
  try {
    loadContext(run, spec.context, ctx);
  } catch (e) {
    if (!isEvalError(e)) throw e;
    return { status: 'error', message: `failed to load context: ${errorText(e)}` };
  }
  try {
    const pre = evaluateConditions(spec.preconditions, ctx);
    if (!pre.passed) return { status: 'skip', message: ['preconditions not met', ...pre.messages].join('; ') };
  } catch (e) {
    if (!isEvalError(e)) throw e;
    return { status: 'error', message: `failed to evaluate preconditions: ${errorText(e)}` };
  }
  if (spec.deny !== undefined && spec.deny !== null) return validateDeny(run, spec.deny, ctx, targetPath);
  if (spec.pattern !== undefined || spec.anyPattern !== undefined) {
    const outcome = validatePatterns(run, spec, ctx, target, targetPath);
    const oldObject = (ctx.request as Obj | undefined)?.oldObject;
    if ((run.opts.operation ?? 'CREATE') === 'UPDATE' && isObj(oldObject) && nesting === 0) {
      const oldCtx = forkContext(ctx);
      (oldCtx.request as Obj).object = oldObject;
      const prior = validatePatterns(run, spec, oldCtx, oldObject, []);
      if (prior.status === outcome.status && outcome.status !== 'pass') {
        return { status: 'skip', message: 'skipping modified resource as validation results have not changed' };
      }
    }
    return outcome;
  }
  if (spec.foreach !== undefined && spec.foreach !== null) return validateForeach(run, spec.foreach, ctx, nesting);
  return undefined;
}

function validateDeny(run: RuleRun, deny: unknown, ctx: JsonContext, targetPath: JsonPath): Outcome {
  const conditions = isObj(deny) ? deny.conditions : undefined;
  let result;
  try {
    result = evaluateConditions(conditions ?? null, ctx);
  } catch (e) {
    if (!isEvalError(e)) throw e;
    return { status: 'error', message: `failed to check deny conditions: ${errorText(e)}` };
  }
  if (!result.passed) return { status: 'pass', message: `validation rule '${run.ruleName}' passed.` };
  let message: string;
  const condMsg = result.messages.join('; ');
  if ((typeof run.message !== 'string' || run.message === '') && condMsg === '') message = `validation error: rule ${run.ruleName} failed`;
  else {
    try {
      const text = [typeof run.message === 'string' ? run.message : '', condMsg].filter(Boolean).join('; ');
      const r = substituteAll(text, ctx);
      message = typeof r === 'string' ? r : "the produced message didn't resolve to a string, check your policy definition.";
    } catch {
      message = condMsg;
    }
  }
  return { status: 'fail', message, path: denyPath(conditions, targetPath) };
}

/** The field a deny is about: the single request.object variable of its conditions, if any. */
function denyPath(conditions: unknown, targetPath: JsonPath): JsonPath | undefined {
  const list: unknown[] = Array.isArray(conditions) ? conditions : isObj(conditions) ? [...(Array.isArray(conditions.any) ? conditions.any : []), ...(Array.isArray(conditions.all) ? conditions.all : [])] : [];
  for (const c of list) {
    if (!isObj(c)) continue;
    const p = pathOfVariable(c.key) ?? pathOfVariable(c.value);
    if (p) return p;
  }
  return targetPath.length ? targetPath : undefined;
}

function validatePatterns(run: RuleRun, spec: ValidatorSpec, ctx: JsonContext, target: unknown, targetPath: JsonPath): Outcome {
  const deleteRequest = (run.opts.operation ?? 'CREATE') === 'DELETE';
  if (spec.pattern !== undefined && spec.pattern !== null) {
    let pattern: unknown;
    try {
      pattern = substituteAll(spec.pattern, ctx, { resourcePath: targetPath, deleteRequest });
    } catch (e) {
      if (!isEvalError(e)) throw e;
      return { status: 'error', message: `variable substitution failed: ${errorText(e)}` };
    }
    const r: PatternOutcome = matchPattern(target, pattern);
    switch (r.status) {
      case 'pass':
        return { status: 'pass', message: `validation rule '${run.ruleName}' passed.` };
      case 'skip':
        return { status: 'skip', message: r.message };
      case 'error':
        return { status: 'error', message: patternFailureMessage(run, ctx, r.message, undefined) };
      case 'fail':
        return { status: 'fail', message: patternFailureMessage(run, ctx, r.message, kyvernoPath(r.path)), path: [...targetPath, ...r.path] };
    }
  }
  const anyPattern = spec.anyPattern;
  if (!Array.isArray(anyPattern)) return { status: 'error', message: 'failed to deserialize anyPattern, expected type array' };
  let patterns: unknown[];
  try {
    patterns = substituteAll(anyPattern, ctx, { resourcePath: targetPath, deleteRequest }) as unknown[];
  } catch (e) {
    if (!isEvalError(e)) throw e;
    return { status: 'error', message: `variable substitution failed: ${errorText(e)}` };
  }
  const failed: string[] = [];
  const skipped: string[] = [];
  let firstFailPath: JsonPath | undefined;
  for (let i = 0; i < patterns.length; i++) {
    const r = matchPattern(target, patterns[i]);
    if (r.status === 'pass') return { status: 'pass', message: `validation rule '${run.ruleName}' anyPattern[${i}] passed.` };
    if (r.status === 'skip') skipped.push(`rule ${run.ruleName}[${i}] skipped: ${r.message}`);
    else if (r.status === 'fail') {
      failed.push(`rule ${run.ruleName}[${i}] failed at path ${kyvernoPath(r.path)}`);
      firstFailPath ??= [...targetPath, ...r.path];
    } else failed.push(`rule ${run.ruleName}[${i}] failed: ${r.message}`);
  }
  if (skipped.length && !failed.length) return { status: 'skip', message: skipped.join(' ') };
  let msg: string | undefined;
  try {
    msg = substituteMessage(run, ctx, run.message);
  } catch {
    msg = undefined;
  }
  const detail = failed.join(' ');
  const message = msg === undefined ? `validation error: ${detail}` : msg.endsWith('.') ? `validation error: ${msg} ${detail}` : `validation error: ${msg}. ${detail}`;
  return { status: 'fail', message, ...(firstFailPath ? { path: firstFailPath } : {}) };
}

function validateForeach(run: RuleRun, foreach: unknown, ctx: JsonContext, nesting: number): Outcome {
  if (!Array.isArray(foreach)) return { status: 'error', message: 'foreach must be a list' };
  if (nesting >= MAX_FOREACH_DEPTH) return { status: 'error', message: `foreach nested deeper than ${MAX_FOREACH_DEPTH} levels` };
  let applied = 0;
  for (let block = 0; block < foreach.length; block++) {
    const fe = foreach[block];
    if (!isObj(fe) || typeof fe.list !== 'string') return { status: 'error', message: 'every foreach needs a list (a JMESPath expression)' };
    let elements: unknown;
    try {
      elements = queryContext(ctx, String(substituteAll(fe.list, ctx)));
    } catch (e) {
      if (!isEvalError(e)) throw e;
      continue; // Kyverno skips a foreach whose list cannot be evaluated
    }
    const list = Array.isArray(elements) ? elements : [elements];
    if (list.length > MAX_FOREACH_ELEMENTS) return { status: 'error', message: `foreach list "${fe.list}" has ${list.length} elements, over the limit of ${MAX_FOREACH_ELEMENTS}` };
    const r = validateElements(run, fe, block, list, ctx, nesting);
    if (r.outcome.status !== 'pass') return r.outcome;
    applied += r.applied;
  }
  if (applied === 0) return { status: 'skip', message: 'rule skipped' };
  return { status: 'pass', message: 'rule passed' };
}

function validateElements(run: RuleRun, fe: Obj, block: number, elements: unknown[], ctx: JsonContext, nesting: number): { outcome: Outcome; applied: number } {
  let applied = 0;
  const values = nesting === 0 ? run.opts.foreachValues?.(run.policy.id, run.ruleName)?.[block] : undefined;
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i];
    if (element === null || element === undefined) continue;
    if (--run.foreachBudget.left < 0) {
      return { outcome: { status: 'error', message: `foreach visited more than ${MAX_FOREACH_TOTAL} elements in one rule` }, applied };
    }
    const ectx = forkContext(ctx);
    ectx.element = element;
    ectx.elementIndex = i;
    ectx[`element${nesting}`] = element;
    ectx[`elementIndex${nesting}`] = i;
    for (const [k, vs] of Object.entries(values ?? {})) if (i < vs.length) setContextValue(ectx, k, vs[i]);
    const isMap = isObj(element);
    let scoped = isMap;
    if (typeof fe.elementScope === 'boolean') {
      if (fe.elementScope && !isMap) {
        return {
          outcome: { status: 'error', message: `failed to process foreach: cannot use elementScope=true foreach rules for elements that are not maps, expected type=map got type=${Array.isArray(element) ? '[]interface {}' : typeof element}` },
          applied,
        };
      }
      scoped = fe.elementScope;
    }
    const elementPath = isMap || Array.isArray(element) ? pathIndex(run).get(element as object) : undefined;
    const target = scoped ? element : run.resource;
    const targetPath = scoped ? (elementPath ?? []) : [];
    const spec: ValidatorSpec = {
      context: fe.context,
      preconditions: fe.preconditions,
      pattern: fe.pattern,
      anyPattern: fe.anyPattern,
      deny: fe.deny,
      foreach: fe.foreach,
    };
    const r = runValidator(run, spec, ectx, target, targetPath, nesting + 1);
    if (!r || r.status === 'skip') continue;
    if (r.status === 'error') {
      if (i < elements.length - 1) continue;
      return { outcome: { ...r, message: `validation failure: ${r.message}` }, applied };
    }
    if (r.status !== 'pass') {
      return { outcome: { ...r, message: `validation failure: ${r.message}`, path: r.path ?? elementPath }, applied };
    }
    applied++;
  }
  return { outcome: { status: 'pass', message: '' }, applied };
}

function validatePodSecurity(run: RuleRun, ps: Obj): Outcome {
  const level = typeof ps.level === 'string' ? ps.level : 'baseline';
  const version = typeof ps.version === 'string' ? ps.version : 'latest';
  const exclude = (Array.isArray(ps.exclude) ? ps.exclude.filter(isObj) : []) as PodSecurityExclude[];
  let outcome;
  try {
    outcome = evaluatePodSecurity(run.resource, level, version, exclude);
  } catch (e) {
    return { status: 'error', message: `failed to evaluate PodSecurity: ${errorText(e)}` };
  }
  if (outcome.allowed) return { status: 'pass', message: `Validation rule '${run.ruleName}' passed.` };
  const reasons = [...new Set(outcome.violations.map((v) => v.controlName))].join(', ');
  const details = outcome.violations.map((v) => v.forbiddenDetail).join('; ');
  return {
    status: 'fail',
    message: `Validation rule '${run.ruleName}' failed. It violates PodSecurity "${level}:${version}": (Forbidden reason: ${reasons}, field error list: [${details}])`,
    path: outcome.violations[0]?.path,
    podSecurityChecks: outcome.violations,
  };
}

function namespaceObject(run: RuleRun): Obj | null {
  const ns = resourceRef(run.resource).namespace;
  if (!ns) return null;
  const labels = run.opts.namespaceLabels?.[ns];
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, ...(labels ? { labels: { ...labels } } : {}) } };
}

function celActivation(run: RuleRun, ctx: JsonContext): Record<string, unknown> {
  const req = (ctx.request ?? {}) as Obj;
  return {
    object: req.object ?? null,
    oldObject: req.oldObject ?? null,
    request: {
      operation: req.operation,
      userInfo: req.userInfo,
      namespace: req.namespace,
      name: req.name,
      kind: req.kind,
      dryRun: false,
    },
    namespaceObject: namespaceObject(run),
    params: null,
  };
}

function validateCel(run: RuleRun, cel: Obj, ctx: JsonContext): Outcome {
  if (cel.paramKind !== undefined || cel.paramRef !== undefined) {
    const what = 'validate.cel.paramKind/paramRef (parameter resources come from a cluster)';
    return { status: 'error', message: `unsupported offline: ${what}`, unsupported: what };
  }
  const activation = celActivation(run, ctx);
  const variables: Record<string, unknown> = {};
  activation.variables = variables;
  try {
    for (const v of Array.isArray(cel.variables) ? cel.variables.filter(isObj) : []) {
      if (typeof v.name !== 'string' || typeof v.expression !== 'string') throw new EvalFailure('every CEL variable needs a name and an expression');
      variables[v.name] = compileCel(v.expression).evaluate(activation);
    }
  } catch (e) {
    return { status: 'error', message: `failed to evaluate CEL variables: ${errorText(e)}` };
  }
  const expressions = Array.isArray(cel.expressions) ? cel.expressions.filter(isObj) : [];
  if (expressions.length === 0) return { status: 'error', message: 'validate.cel.expressions: expected at least one expression' };
  for (const ex of expressions) {
    if (typeof ex.expression !== 'string') return { status: 'error', message: 'every CEL expression needs an expression' };
    let r: unknown;
    try {
      r = compileCel(ex.expression).evaluate(activation);
    } catch (e) {
      return { status: 'error', message: `failed to evaluate CEL expression "${ex.expression}": ${errorText(e)}` };
    }
    if (typeof r !== 'boolean') return { status: 'error', message: `CEL expression "${ex.expression}" must evaluate to a bool, got ${typeof r}` };
    if (r) continue;
    let message = typeof ex.message === 'string' && ex.message ? ex.message : `failed expression: ${ex.expression}`;
    if (typeof ex.messageExpression === 'string' && ex.messageExpression) {
      try {
        const m = fromCelValue(compileCel(ex.messageExpression).evaluate(activation));
        if (typeof m === 'string' && m.trim() !== '') message = m;
      } catch {
        /* Kubernetes falls back to message when messageExpression fails */
      }
    }
    return { status: 'fail', message };
  }
  return { status: 'pass', message: 'success' };
}

function checkCelPreconditions(run: RuleRun, pre: unknown, ctx: JsonContext): Outcome | undefined {
  if (!Array.isArray(pre) || pre.length === 0) return undefined;
  const activation = celActivation(run, ctx);
  for (const c of pre.filter(isObj)) {
    if (typeof c.expression !== 'string') return { status: 'error', message: 'every celPreconditions entry needs an expression' };
    try {
      const r = compileCel(c.expression).evaluate(activation);
      if (r !== true) return { status: 'skip', message: `cel preconditions not met: ${typeof c.name === 'string' ? c.name : c.expression}` };
    } catch (e) {
      return { status: 'error', message: `failed to evaluate cel preconditions: ${errorText(e)}` };
    }
  }
  return undefined;
}

function validateRule(run: RuleRun, ctx: JsonContext): Outcome | undefined {
  const v = isObj(run.rule.validate) ? run.rule.validate : {};
  const celPre = checkCelPreconditions(run, run.rule.celPreconditions, ctx);
  if (celPre) return celPre;
  if (isObj(v.podSecurity) || isObj(v.cel)) {
    // These handlers still honour the rule's context and preconditions.
    try {
      loadContext(run, run.rule.context, ctx);
      const pre = evaluateConditions(run.rule.preconditions, ctx);
      if (!pre.passed) return { status: 'skip', message: ['preconditions not met', ...pre.messages].join('; ') };
    } catch (e) {
      if (!isEvalError(e)) throw e;
      return { status: 'error', message: `failed to evaluate preconditions: ${errorText(e)}` };
    }
    return isObj(v.podSecurity) ? validatePodSecurity(run, v.podSecurity) : validateCel(run, v.cel as Obj, ctx);
  }
  for (const [key, what] of [
    ['manifests', 'validate.manifests (manifest signature verification needs keys and signed manifests)'],
    ['assert', 'validate.assert (kyverno-json assertion trees are not evaluated by Palisade)'],
  ] as const) {
    if (v[key] !== undefined && v[key] !== null) return { status: 'skip', message: `unsupported offline: ${what}`, unsupported: what };
  }
  return runValidator(
    run,
    { context: run.rule.context, preconditions: run.rule.preconditions, pattern: v.pattern, anyPattern: v.anyPattern, deny: v.deny, foreach: v.foreach },
    ctx,
    run.resource,
    [],
    0,
  );
}

const UNSUPPORTED_TYPES: Record<Exclude<RuleType, 'Validation'>, string> = {
  Mutation: 'mutate rules (Palisade evaluates validate rules only; patches are not applied)',
  Generation: 'generate rules (they create resources in a cluster)',
  ImageVerify: 'verifyImages rules (image signatures and attestations need registry access)',
};

function normalizeAction(a: unknown): FailureAction | undefined {
  if (typeof a !== 'string') return undefined;
  const l = a.toLowerCase();
  return l === 'enforce' ? 'Enforce' : l === 'audit' ? 'Audit' : undefined;
}

/** validationFailureAction, per-rule failureAction and their overrides by namespace. */
export function failureActionFor(policy: CompiledPolicy, rule: Obj, namespace: string | undefined, nsLabels: EvaluateOptions['namespaceLabels']): FailureAction {
  const spec = (policy.doc.spec ?? {}) as Obj;
  const v = isObj(rule.validate) ? rule.validate : {};
  const overrides = Array.isArray(v.failureActionOverrides) ? v.failureActionOverrides : Array.isArray(spec.validationFailureActionOverrides) ? spec.validationFailureActionOverrides : [];
  for (const o of overrides) {
    if (!isObj(o)) continue;
    const action = normalizeAction(o.action);
    if (!action) continue;
    const nss = Array.isArray(o.namespaces) ? o.namespaces.filter((n): n is string => typeof n === 'string') : [];
    const nsOk = nss.length === 0 || (namespace !== undefined && nss.some((n) => wildcardMatch(n, namespace)));
    const selOk = !isObj(o.namespaceSelector) || (namespace !== undefined && matchesSelector(o.namespaceSelector as never, nsLabels?.[namespace] ?? {}));
    if ((nss.length || isObj(o.namespaceSelector)) && nsOk && selOk) return action;
  }
  return normalizeAction(v.failureAction) ?? normalizeAction(spec.validationFailureAction) ?? 'Audit';
}

function exceptionFor(policy: CompiledPolicy, ruleName: string, resource: K8sObject, mc: MatchContext, ctx: JsonContext, opts: EvaluateOptions): { name: string; podSecurity?: PodSecurityExclude[] } | undefined {
  for (const ex of opts.exceptions ?? []) {
    if (!isObj(ex) || ex.kind !== 'PolicyException' || !isObj(ex.spec)) continue;
    const spec = ex.spec;
    const entries = Array.isArray(spec.exceptions) ? spec.exceptions.filter(isObj) : [];
    const applies = entries.some((e) => {
      if (typeof e.policyName !== 'string' || !wildcardMatch(e.policyName, policy.id)) return false;
      const rules = Array.isArray(e.ruleNames) ? e.ruleNames.filter((r): r is string => typeof r === 'string') : [];
      return rules.some((r) => wildcardMatch(r, ruleName));
    });
    if (!applies) continue;
    if (ruleMatchMismatches({ match: spec.match }, matchTarget(resource), mc).length) continue;
    if (spec.conditions !== undefined) {
      try {
        if (!evaluateConditions(spec.conditions, forkContext(ctx)).passed) continue;
      } catch {
        continue;
      }
    }
    const meta = isObj(ex.metadata) ? ex.metadata : {};
    const name = `${typeof meta.namespace === 'string' && meta.namespace ? `${meta.namespace}/` : ''}${String(meta.name ?? '')}`;
    const podSecurity = Array.isArray(spec.podSecurity) ? (spec.podSecurity.filter(isObj) as PodSecurityExclude[]) : undefined;
    return { name, ...(podSecurity && podSecurity.length ? { podSecurity } : {}) };
  }
  return undefined;
}

/** Kyverno skips Pods and Jobs owned by controllers its generated rules already cover. */
function managedByController(policy: CompiledPolicy, resource: K8sObject): boolean {
  const meta = isObj(policy.doc.metadata) ? policy.doc.metadata : {};
  const ann = isObj(meta.annotations) ? meta.annotations[AUTOGEN_ANNOTATION] : undefined;
  if (typeof ann !== 'string' || ann.toLowerCase() === 'none') return false;
  if (resource.kind !== 'Pod' && resource.kind !== 'Job') return false;
  const rmeta = isObj(resource.metadata) ? resource.metadata : {};
  const owners = Array.isArray(rmeta.ownerReferences) ? rmeta.ownerReferences.filter(isObj) : [];
  if (owners.length === 0) return false;
  return owners.every((o) => o.kind === 'ReplicaSet' || ann.includes(String(o.kind)));
}

/** Evaluates every rule of a policy against one resource; rules that do not match give no result. */
export function evaluatePolicy(policy: CompiledPolicy, resource: K8sObject, opts: EvaluateOptions = {}): RuleResult[] {
  const ref = resourceRef(resource);
  if (policy.namespace !== undefined && ref.namespace !== policy.namespace) return [];
  if (managedByController(policy, resource)) return [];
  const target = matchTarget(resource);
  const mc: MatchContext = {
    operation: opts.operation ?? 'CREATE',
    ...(opts.request ? { request: opts.request } : {}),
    ...(opts.namespaceLabels ? { namespaceLabels: opts.namespaceLabels } : {}),
    ...(opts.subresource ? { subresource: opts.subresource } : {}),
    ...(opts.subresources ? { subresources: opts.subresources } : {}),
  };
  const base = baseContext(resource, opts);
  const results: RuleResult[] = [];
  for (const rule of policy.rules) {
    const ruleName = String(rule.name);
    const type = ruleTypeOf(rule);
    if (!type) continue;
    if (ruleMatchMismatches(rule, target, mc).length) continue;
    const generatedFrom = policy.autogen.origin.get(ruleName);
    const result = (status: Exclude<RuleStatus, 'warn'>, message: string, extra: Partial<RuleResult> = {}): RuleResult => {
      const r: RuleResult = { policy: policy.id, rule: ruleName, resource: ref, status, message, ruleType: type, ...extra };
      if (generatedFrom) r.generatedFrom = generatedFrom;
      if (type === 'Validation') r.failureAction = failureActionFor(policy, rule, ref.namespace, opts.namespaceLabels);
      if (r.status === 'fail' && !policy.scored) r.status = 'warn';
      return r;
    };
    const ctx = forkContext(base);
    for (const [k, v] of Object.entries(opts.ruleValues?.(policy.id, ruleName, ref.name) ?? {})) setContextValue(ctx, k, v);
    const exception = exceptionFor(policy, ruleName, resource, mc, ctx, opts);
    if (exception && !(exception.podSecurity && isObj(rule.validate) && isObj(rule.validate.podSecurity))) {
      results.push(result('skip', `rule skipped due to policy exception ${exception.name}`, { exception: exception.name }));
      if (policy.applyRules === 'One') break;
      continue;
    }
    if (type !== 'Validation') {
      const what = UNSUPPORTED_TYPES[type];
      results.push(result('skip', `unsupported offline: ${what}`, { unsupported: what }));
      if (policy.applyRules === 'One') break;
      continue;
    }
    const runRule: Obj =
      exception?.podSecurity && isObj(rule.validate) && isObj(rule.validate.podSecurity)
        ? {
            ...rule,
            validate: {
              ...rule.validate,
              podSecurity: {
                ...rule.validate.podSecurity,
                exclude: [...(Array.isArray(rule.validate.podSecurity.exclude) ? rule.validate.podSecurity.exclude : []), ...exception.podSecurity],
              },
            },
          }
        : rule;
    const run: RuleRun = {
      policy,
      rule: runRule,
      ruleName,
      resource,
      opts,
      message: isObj(runRule.validate) ? runRule.validate.message : undefined,
      missingExternal: [],
      foreachBudget: { left: MAX_FOREACH_TOTAL },
    };
    let outcome: Outcome | undefined;
    try {
      outcome = validateRule(run, ctx);
    } catch (e) {
      if (!isEvalError(e)) throw e;
      outcome = { status: 'error', message: errorText(e) };
    }
    if (!outcome) continue;
    if (outcome.status === 'error' && run.missingExternal.length) {
      const what = `${run.missingExternal.join(', ')} needs a cluster or registry; supply its value in the test values file`;
      outcome = { ...outcome, message: `unsupported offline: ${what} (${outcome.message})`, unsupported: what };
    }
    results.push(
      result(outcome.status, outcome.message, {
        ...(outcome.path ? { path: outcome.path } : {}),
        ...(outcome.unsupported ? { unsupported: outcome.unsupported } : {}),
        ...(outcome.podSecurityChecks ? { podSecurityChecks: outcome.podSecurityChecks } : {}),
        ...(exception ? { exception: exception.name } : {}),
      }),
    );
    if (policy.applyRules === 'One') break;
  }
  return results;
}
