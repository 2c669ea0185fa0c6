/**
 * Evaluates a ValidatingAdmissionPolicy and its bindings against one request, as the API
 * server's validating admission policy plugin does (policy/generic dispatcher, validating
 * dispatcher and validator of k8s.io/apiserver):
 *
 *  1. the policy's matchConstraints, then each binding's matchResources;
 *  2. the binding's params (one evaluation per param; none found → Allow skips, Deny fails);
 *  3. per evaluation: matchConditions (any false → skip; else any error → failurePolicy),
 *     then every validation (false → failure with message, messageExpression, reason; error →
 *     failurePolicy), then auditAnnotations;
 *  4. each failure goes through the binding's validationActions: Deny denies, Warn adds a
 *     warning, Audit adds the validation_failure audit annotation. Configuration errors
 *     (params) and audit annotation errors deny directly, when failurePolicy is Fail.
 *
 * Costs: every expression has its own budget (PER_CALL_BUDGET), and the validations of one
 * evaluation share RUNTIME_BUDGET; match conditions and audit annotations get their own.
 */
import { DEFAULT_COST_BUDGET, type CelError } from '../cel/index.js';
import type { K8sObject } from '../../core/resource.js';
import { EvaluationScope, type CompiledExpression, type Outcome } from '../palisade/expressions.js';
import { matchResources, type MatchEnvironment } from './match.js';
import { collectParams, NO_PARAMS, type ParamSource } from './params.js';
import { isVapBindingDocument, isVapDocument, parseValidatingAdmissionPolicy, parseValidatingAdmissionPolicyBinding } from './parse.js';
import { admissionAttributes, admissionRequest, type AdmissionAttributes, type AdmissionInput } from './request.js';
import { ResourceCatalog } from './resources.js';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding, ValidationAction } from './types.js';

/** Kubernetes' per-expression limit (celconfig.PerCallLimit), in our cost units. */
export const PER_CALL_BUDGET = DEFAULT_COST_BUDGET;
/** Kubernetes' budget of one policy evaluation (celconfig.RuntimeCELCostBudget). */
export const RUNTIME_BUDGET = 10 * DEFAULT_COST_BUDGET;
/** Longest messageExpression result kept (celconfig.MaxEvaluatedMessageExpressionSizeBytes). */
const MAX_MESSAGE_BYTES = 5 * 1024;
const MAX_AUDIT_VALUE = 10 * 1024;
export const VALIDATION_FAILURE_ANNOTATION = 'validation.policy.admission.k8s.io/validation_failure';

const REASON_CODES: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 };

export interface VapEnvironment {
  catalog?: ResourceCatalog;
  params?: ParamSource;
  /** The Namespace object of that name, when known (namespaceSelector, namespaceObject). */
  namespace?: (name: string) => K8sObject | undefined;
  /** Namespace of a namespaced object that names none (default "default"). */
  defaultNamespace?: string;
  perCallBudget?: number;
  runtimeBudget?: number;
}

export interface VapInput extends AdmissionInput {
  /** The request's Namespace object, overriding the environment's lookup. */
  namespaceObject?: K8sObject | null;
}

export type FailureKind = 'validation' | 'error' | 'configuration';

export interface VapFailure {
  kind: FailureKind;
  message: string;
  /** Index in spec.validations, for failures of one validation. */
  validation?: number;
  /** StatusReason of a failed validation (Invalid unless the validation says otherwise). */
  reason?: string;
  expression?: string;
  /** CEL error code for errors: PALISADE_CEL_RUNTIME, PALISADE_CEL_COST_EXCEEDED, … */
  errorCode?: string;
  /** Whether failurePolicy let it through (Ignore): then it is reported but not enforced. */
  ignored: boolean;
}

export interface ParamIdentity {
  namespace?: string;
  name: string;
}

/** One evaluation: the policy × one binding × one param (or no param). */
export interface VapDecision {
  policy: string;
  binding: string;
  param?: ParamIdentity;
  validationActions: ValidationAction[];
  /** fail: a failure is enforced; pass: the validations ran and held; skip: nothing was judged. */
  status: 'pass' | 'fail' | 'skip';
  /** False when a failure is enforced with Deny (or is a configuration/audit error). */
  allowed: boolean;
  /** The first denial, worded as the API server words it. */
  message?: string;
  reason?: string;
  failures: VapFailure[];
  warnings: string[];
  /** Audit annotations of this evaluation (key without the policy prefix). */
  auditAnnotations: Record<string, string>;
  notes: string[];
  /** CEL cost units this evaluation spent (match conditions, validations, messages, annotations). */
  cost: number;
}

export interface VapResult {
  policy: string;
  /** The policy's matchConstraints matched the request. */
  matched: boolean;
  allowed: boolean;
  /** The API server's message for the first denial. */
  message?: string;
  reason?: string;
  /** HTTP status code of the denial (from the reason). */
  code?: number;
  decisions: VapDecision[];
  warnings: string[];
  /** Audit annotations as published: "<policy>/<key>" and the validation_failure annotation. */
  auditAnnotations: Record<string, string>;
  notes: string[];
}

interface Denial {
  binding?: string;
  message: string;
  reason?: string;
}

function defaultMessage(p: ValidatingAdmissionPolicy, d: Denial): string {
  return d.binding !== undefined
    ? `ValidatingAdmissionPolicy '${p.name}' with binding '${d.binding}' denied request: ${d.message}`
    : `ValidatingAdmissionPolicy '${p.name}' denied request: ${d.message}`;
}

/** Exempt from admission policies so a bad policy cannot lock out its own repair. */
function isExemptConfiguration(a: AdmissionAttributes): boolean {
  return a.kind.group === 'admissionregistration.k8s.io' && /^(Validating|Mutating)(WebhookConfiguration|AdmissionPolicy|AdmissionPolicyBinding)$/.test(a.kind.kind);
}

/** Message of a CEL error as the API server words it (compile vs runtime vs cost). */
export function errorMessage(expr: CompiledExpression, error: CelError): string {
  if (expr.error) return `compilation error: ${error.message}`;
  if (error.code === 'PALISADE_CEL_COST_EXCEEDED') return `expression '${expr.source}' resulted in error: operation cancelled: actual cost limit exceeded`;
  return `expression '${expr.source}' resulted in error: ${error.message}`;
}

function namespaceObjectFor(ns: K8sObject): Record<string, unknown> {
  // Kubernetes exposes a typed Namespace without TypeMeta and with selected metadata only.
  const m = (ns.metadata ?? {}) as Record<string, unknown>;
  const meta: Record<string, unknown> = {};
  for (const k of ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'finalizers']) {
    if (m[k] !== undefined) meta[k] = m[k];
  }
  const out: Record<string, unknown> = { metadata: meta };
  if (ns.spec !== undefined) out.spec = ns.spec;
  if (ns.status !== undefined) out.status = ns.status;
  return out;
}

function paramIdentity(p: K8sObject): ParamIdentity {
  const m = (p.metadata ?? {}) as Record<string, unknown>;
  return { ...(typeof m.namespace === 'string' ? { namespace: m.namespace } : {}), name: typeof m.name === 'string' ? m.name : '' };
}

function labelsOf(o: K8sObject | undefined): Record<string, string> | undefined {
  if (!o) return undefined;
  const l = (o.metadata as { labels?: unknown } | undefined)?.labels;
  return l && typeof l === 'object' ? (l as Record<string, string>) : {};
}

/**
 * Evaluates `policy` with `bindings` (those naming other policies are ignored) for one
 * request. Raw objects are validated first: a policy or binding the API server would reject
 * has no effect (a note says why).
 */
export function evaluateVap(
  policyInput: ValidatingAdmissionPolicy | K8sObject,
  bindingInputs: readonly (ValidatingAdmissionPolicyBinding | K8sObject)[],
  input: VapInput,
  env: VapEnvironment = {},
): VapResult {
  const notes: string[] = [];
  const catalog = env.catalog ?? new ResourceCatalog();
  let policy: ValidatingAdmissionPolicy;
  if (isRawVap(policyInput)) {
    const parsed = parseValidatingAdmissionPolicy(policyInput);
    if (!parsed.value) {
      // The API server would not have stored it: it has no effect.
      const name = String(policyInput.metadata?.name ?? '');
      const detail = parsed.problems.filter((p) => p.level === 'error').map((p) => `${p.path.join('.')}: ${p.message}`).join('; ');
      return { policy: name, matched: false, allowed: true, decisions: [], warnings: [], auditAnnotations: {}, notes: [`the policy is invalid and has no effect: ${detail}`] };
    }
    policy = parsed.value;
  } else policy = policyInput;
  const bindings: ValidatingAdmissionPolicyBinding[] = [];
  for (const b of bindingInputs) {
    if (!isRawBinding(b)) bindings.push(b);
    else {
      const parsed = parseValidatingAdmissionPolicyBinding(b);
      if (parsed.value) bindings.push(parsed.value);
      else notes.push(`binding ${String(b.metadata?.name ?? '')} is invalid and ignored: ${parsed.problems.map((p) => p.message).join('; ')}`);
    }
  }

  const attrs = admissionAttributes(input, { catalog, defaultNamespace: env.defaultNamespace });
  const result: VapResult = { policy: policy.name, matched: false, allowed: true, decisions: [], warnings: [], auditAnnotations: {}, notes };
  if (isExemptConfiguration(attrs)) return result;
  if (attrs.scopeGuessed) notes.push(`the scope of ${attrs.kind.kind} is unknown (no CustomResourceDefinition); taken as ${attrs.namespace ? 'namespaced' : 'cluster-scoped'}`);

  const namespaceLookup = (name: string) => (input.namespaceObject && (input.namespaceObject.metadata as { name?: string } | undefined)?.name === name ? input.namespaceObject : env.namespace?.(name));
  const matchEnv: MatchEnvironment = { catalog, namespaceLabels: (name) => labelsOf(namespaceLookup(name)) };
  const pm = matchResources(policy.matchConstraints, attrs, matchEnv);
  notes.push(...pm.notes);
  if (!pm.matches) return result;
  result.matched = true;

  const request = admissionRequest(attrs, { resource: pm.resource!, kind: pm.kind! });
  // The Namespace object itself carries its own name as namespace; CEL gets no namespaceObject then.
  const isNamespaceRequest = attrs.kind.group === '' && attrs.kind.kind === 'Namespace';
  let namespaceObject: Record<string, unknown> | null = null;
  if (attrs.namespace && !isNamespaceRequest) {
    const ns = namespaceLookup(attrs.namespace);
    if (ns) namespaceObject = namespaceObjectFor(ns);
    else {
      namespaceObject = { metadata: { name: attrs.namespace } };
      if (!notes.some((n) => n.startsWith(`namespace ${attrs.namespace} `))) notes.push(`namespace ${attrs.namespace} is not among the scanned objects; namespaceObject has its name only`);
    }
  }

  const denials: Denial[] = [];
  // Configuration errors are reported after the denials of evaluated policies, as the API server does.
  const configDenials: Denial[] = [];
  const annotationValues = new Map<string, string[]>();
  for (const binding of bindings) {
    if (binding.policyName !== policy.name) continue;
    const base = { policy: policy.name, binding: binding.name, validationActions: binding.validationActions };
    if (binding.matchResources) {
      const bm = matchResources(binding.matchResources, attrs, matchEnv);
      if (!bm.matches) {
        result.decisions.push({ ...base, status: 'skip', allowed: true, failures: [], warnings: [], auditAnnotations: {}, notes: ['the binding does not match the request', ...bm.notes], cost: 0 });
        continue;
      }
      for (const n of bm.notes) if (!notes.includes(n)) notes.push(n);
    }
    const collected = collectParams(policy, binding, attrs.namespace, { catalog, source: env.params ?? NO_PARAMS, defaultNamespace: env.defaultNamespace });
    if (!collected.ok) {
      const message = `failed to configure binding: ${collected.error}`;
      const ignored = policy.failurePolicy === 'Ignore';
      const decision: VapDecision = {
        ...base,
        status: ignored ? 'skip' : 'fail',
        allowed: ignored,
        failures: [{ kind: 'configuration', message, ignored }],
        warnings: [],
        auditAnnotations: {},
        notes: ignored ? ['failurePolicy Ignore: the configuration error is ignored'] : [],
        cost: 0,
      };
      if (!ignored) {
        decision.message = defaultMessage(policy, { binding: binding.name, message });
        configDenials.push({ binding: binding.name, message });
      }
      result.decisions.push(decision);
      continue;
    }
    if (collected.params.length === 0) {
      result.decisions.push({ ...base, status: 'skip', allowed: true, failures: [], warnings: [], auditAnnotations: {}, notes: ['no params found; parameterNotFoundAction Allow skips the policy'], cost: 0 });
      continue;
    }
    for (const param of collected.params) {
      const decision = evaluateOnce(policy, binding, param, { object: attrs.object, oldObject: attrs.oldObject, request, namespaceObject }, env);
      result.decisions.push(decision);
      for (const f of decision.failures) {
        if (f.ignored) continue;
        if (f.kind === 'error' && f.validation === -1) {
          // Audit annotation errors deny regardless of the validation actions.
          denials.push({ binding: binding.name, message: f.message });
          continue;
        }
        const index = f.validation ?? 0;
        for (const action of binding.validationActions) {
          if (action === 'Deny') denials.push({ binding: binding.name, message: f.message, reason: f.reason });
          else if (action === 'Warn') {
            const w = `Validation failed for ValidatingAdmissionPolicy '${policy.name}' with binding '${binding.name}': ${f.message}`;
            decision.warnings.push(w);
            result.warnings.push(w);
          } else if (action === 'Audit' && result.auditAnnotations[VALIDATION_FAILURE_ANNOTATION] === undefined) {
            // The API server keeps the first value of an annotation key.
            result.auditAnnotations[VALIDATION_FAILURE_ANNOTATION] = JSON.stringify([
              { message: f.message, policy: policy.name, binding: binding.name, expressionIndex: index, validationActions: binding.validationActions },
            ]);
          }
        }
      }
      for (const [k, v] of Object.entries(decision.auditAnnotations)) {
        const values = annotationValues.get(k) ?? [];
        if (!values.includes(v)) values.push(v);
        annotationValues.set(k, values);
      }
    }
  }
  for (const [k, values] of annotationValues) result.auditAnnotations[`${policy.name}/${k}`] = values.join(', ');
  denials.push(...configDenials);
  if (denials.length) {
    const first = denials[0]!;
    result.allowed = false;
    result.message = defaultMessage(policy, first);
    result.reason = first.reason ?? 'Invalid';
    result.code = REASON_CODES[result.reason] ?? 422;
  }
  return result;
}

function isRawVap(p: ValidatingAdmissionPolicy | K8sObject): p is K8sObject {
  return 'apiVersion' in p && isVapDocument(p as K8sObject);
}

function isRawBinding(b: ValidatingAdmissionPolicyBinding | K8sObject): b is K8sObject {
  return 'apiVersion' in b && isVapBindingDocument(b as K8sObject);
}

interface Activation {
  object: K8sObject | null;
  oldObject: K8sObject | null;
  request: Record<string, unknown>;
  namespaceObject: Record<string, unknown> | null;
}

/** validator.Validate: one policy × binding × param. */
function evaluateOnce(
  policy: ValidatingAdmissionPolicy,
  binding: ValidatingAdmissionPolicyBinding,
  param: K8sObject | null,
  act: Activation,
  env: VapEnvironment,
): VapDecision {
  const perCall = env.perCallBudget ?? PER_CALL_BUDGET;
  const total = env.runtimeBudget ?? RUNTIME_BUDGET;
  const ignoreErrors = policy.failurePolicy === 'Ignore';
  const decision: VapDecision = {
    policy: policy.name,
    binding: binding.name,
    ...(param ? { param: paramIdentity(param) } : {}),
    validationActions: binding.validationActions,
    status: 'pass',
    allowed: true,
    failures: [],
    warnings: [],
    auditAnnotations: {},
    notes: [],
    cost: 0,
  };
  let params: unknown = null;
  if (param) {
    // The API server fills in TypeMeta from paramKind when the object lacks it.
    params = { ...param, apiVersion: param.apiVersion ?? policy.paramKind?.apiVersion, kind: param.kind ?? policy.paramKind?.kind };
  }
  const scope = new EvaluationScope(policy.variables, { object: act.object, oldObject: act.oldObject, request: act.request, params, namespaceObject: act.namespaceObject }, perCall);
  const error = (message: string, extra: Partial<VapFailure> = {}) => {
    decision.failures.push({ kind: 'error', message, ignored: ignoreErrors, ...extra });
    if (ignoreErrors) decision.notes.push(`failurePolicy Ignore: ${message}`);
  };

  // Match conditions: any false skips; otherwise errors go to failurePolicy.
  const conditionErrors: string[] = [];
  let conditionCost = 0;
  for (const mc of policy.matchConditions) {
    const r = scope.run(mc.expression);
    conditionCost += r.cost;
    decision.cost += r.cost;
    if (conditionCost > total) {
      conditionErrors.push('validation failed due to running out of cost budget, no further validation rules will be run');
      break;
    }
    if (!r.ok) conditionErrors.push(errorMessage(mc.expression, r.error));
    else if (r.value === false) {
      decision.status = 'skip';
      decision.notes.push(`match condition "${mc.name}" is false`);
      return decision;
    }
  }
  if (conditionErrors.length) {
    error(conditionErrors.length === 1 ? conditionErrors[0]! : `[${conditionErrors.join(', ')}]`);
    return finish(decision, policy, 0);
  }

  // Validations share one budget; running out of it fails the whole evaluation.
  const outcomes: Outcome[] = [];
  let spent = 0;
  for (const v of policy.validations) {
    const r = scope.run(v.expression);
    spent += r.cost;
    decision.cost += r.cost;
    if (spent > total) {
      error('validation failed due to running out of cost budget, no further validation rules will be run', { errorCode: 'PALISADE_CEL_COST_EXCEEDED' });
      return finish(decision, policy, 0);
    }
    outcomes.push(r);
  }
  let judged = 0;
  outcomes.forEach((r, i) => {
    const v = policy.validations[i]!;
    if (r.ok) judged++;
    if (!r.ok) {
      error(errorMessage(v.expression, r.error), { validation: i, expression: v.expression.source, errorCode: r.error.code });
      return;
    }
    if (r.value === true) return;
    let message = '';
    if (v.messageExpression) {
      const m = scope.run(v.messageExpression);
      decision.cost += m.cost;
      if (m.ok && typeof m.value === 'string') {
        message = m.value.trim();
        if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES || message.includes('\n')) message = '';
      } else if (!m.ok) decision.notes.push(`messageExpression of validation ${i} failed (${m.error.message}); the static message is used`);
    }
    if (!message && v.message) message = v.message.trim();
    if (!message) message = `failed expression: ${v.expression.source.trim()}`;
    decision.failures.push({ kind: 'validation', validation: i, message, reason: v.reason ?? 'Invalid', expression: v.expression.source, ignored: false });
  });

  // Audit annotations: a string is published (trimmed, if not empty), null is not, anything else is an error.
  let annotationCost = 0;
  for (const aa of policy.auditAnnotations) {
    const r = scope.run(aa.valueExpression);
    annotationCost += r.cost;
    decision.cost += r.cost;
    let problem: string | undefined;
    if (annotationCost > total) problem = 'validation failed due to running out of cost budget, no further validation rules will be run';
    else if (!r.ok) problem = errorMessage(aa.valueExpression, r.error);
    else if (typeof r.value === 'string') {
      const value = r.value.trim();
      if (value) decision.auditAnnotations[aa.key] = value.length > MAX_AUDIT_VALUE ? value.slice(0, MAX_AUDIT_VALUE) : value;
    } else if (r.value !== null) {
      problem = `valueExpression '${aa.valueExpression.source}' resulted in unsupported return type. Return type must be either string or null.`;
    }
    if (problem) error(problem, { validation: -1 });
    if (annotationCost > total) break;
  }
  return finish(decision, policy, judged);
}

/** Sets status, allowed and message from the failures; `judged` counts validations that produced a result. */
function finish(decision: VapDecision, policy: ValidatingAdmissionPolicy, judged = 0): VapDecision {
  const enforced = decision.failures.filter((f) => !f.ignored);
  if (enforced.length) {
    decision.status = 'fail';
    const denying = enforced.find((f) => f.validation === -1 || decision.validationActions.includes('Deny'));
    if (denying) {
      decision.allowed = false;
      decision.message = defaultMessage(policy, { binding: decision.binding, message: denying.message });
      decision.reason = denying.reason ?? 'Invalid';
    }
  } else if (decision.status === 'pass' && judged === 0 && policy.validations.length > 0) {
    // Every validation errored and failurePolicy Ignore let it through: nothing was judged.
    decision.status = 'skip';
  }
  return decision;
}
