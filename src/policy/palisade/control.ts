/**
 * A Palisade policy as a control: the engine calls it once per scan (inventory visitor),
 * it judges every object its `match` selects and reports one finding per failed validation
 * at the validation's `path`. Evaluation errors (runtime errors, a spent cost budget,
 * expressions that did not compile) fail closed as findings `error` / `costExceeded`, or are
 * ignored with `failurePolicy: Ignore`.
 */
import { defineControl, type Control } from '../../core/control.js';
import type { Inventory, PodSpecView } from '../../core/inventory.js';
import { getAt, type JsonPath } from '../../core/path.js';
import type { K8sObject, Resource } from '../../core/resource.js';
import { matchesSelector } from '../../core/selector.js';
import { admissionAttributes, admissionRequest } from '../vap/request.js';
import { ResourceCatalog } from '../vap/resources.js';
import type { OutcomeListener, PolicyOutcome } from '../vap/control.js';
import { EvaluationScope, type CompiledExpression } from './expressions.js';
import type { KindSelector, PalisadePolicy, PolicyMatch } from './policy.js';

export interface PalisadeControlOptions {
  /** Namespace of namespaced objects that name none (default "default"). */
  defaultNamespace?: string;
  onOutcome?: OutcomeListener;
}

interface ScanContext {
  catalog: ResourceCatalog;
  podSpecs: Map<Resource, PodSpecView>;
}

const contexts = new WeakMap<Inventory, ScanContext>();

function scanContext(inv: Inventory): ScanContext {
  let c = contexts.get(inv);
  if (!c) {
    c = { catalog: new ResourceCatalog(inv.byKind('CustomResourceDefinition').map((r) => r.object)), podSpecs: new Map(inv.podSpecs.map((ps) => [ps.resource, ps])) };
    contexts.set(inv, c);
  }
  return c;
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

const anyGlob = (patterns: readonly string[], value: string) => patterns.some((p) => glob(p).test(value));

function kindMatches(sel: KindSelector, r: Resource): boolean {
  if (sel.kind !== '*' && !glob(sel.kind).test(r.kind)) return false;
  if (sel.group !== undefined && sel.group !== '*' && sel.group !== r.group) return false;
  if (sel.version !== undefined && sel.version !== '*') {
    const version = r.apiVersion.slice(r.apiVersion.indexOf('/') + 1);
    if (sel.version !== version) return false;
  }
  return true;
}

/** The static part of `match` (everything but conditions). */
export function staticMatch(m: PolicyMatch, r: Resource, namespace: string): boolean {
  if (!m.kinds.some((k) => kindMatches(k, r))) return false;
  if (m.apiGroups && !m.apiGroups.some((g) => g === '*' || g === r.group)) return false;
  if (m.namespaces && (namespace === '' || !anyGlob(m.namespaces, namespace))) return false;
  if (m.excludeNamespaces && namespace !== '' && anyGlob(m.excludeNamespaces, namespace)) return false;
  if (m.names && !anyGlob(m.names, r.name)) return false;
  if (m.labelSelector && !matchesSelector(m.labelSelector, r.labels)) return false;
  return true;
}

/** Objects that configure policies are not judged by them. */
function isPolicyConfiguration(r: Resource): boolean {
  return r.group === 'palisade.dev' || (r.group === 'admissionregistration.k8s.io' && /AdmissionPolicy/.test(r.kind));
}

function namespaceObjectOf(inv: Inventory, name: string): Record<string, unknown> | null {
  if (!name) return null;
  const ns = inv.get('Namespace', undefined, name)?.object;
  if (!ns) return { metadata: { name } };
  const m = (ns.metadata ?? {}) as Record<string, unknown>;
  return { metadata: { ...m }, ...(ns.spec !== undefined ? { spec: ns.spec } : {}), ...(ns.status !== undefined ? { status: ns.status } : {}) };
}

export function palisadeControl(policy: PalisadePolicy, opts: PalisadeControlOptions = {}): Control {
  const messages: Record<string, string> = { error: '{{message}}', costExceeded: '{{message}}' };
  for (const v of policy.validations) messages[v.id] = '{{message}}';
  const kinds = policy.match.kinds.map((k) => (k.group ? `${k.group}/${k.kind}` : k.kind));
  return defineControl({
    meta: {
      id: policy.id,
      slug: policy.name,
      title: policy.title,
      severity: policy.severity,
      category: policy.category,
      description: policy.description,
      rationale: policy.rationale,
      remediation: policy.remediation,
      messages,
      appliesTo: kinds.includes('*') ? ['every object'] : kinds,
      references: policy.references,
      mitre: policy.mitre,
      maturity: policy.maturity,
      requires: ['inventory'],
    },
    check(ctx) {
      return {
        inventory(inv) {
          const sc = scanContext(inv);
          let judged = 0;
          for (const r of inv.resources) {
            if (isPolicyConfiguration(r)) continue;
            const outcome = judge(policy, r, inv, sc, opts, (messageId, message, path, evidence) =>
              ctx.report({ resource: r, messageId, path, data: { message }, ...(evidence !== undefined ? { evidence } : {}) }),
            );
            if (outcome.status !== 'skip') judged++;
            opts.onOutcome?.(policy.id, r, outcome);
          }
          return judged;
        },
      };
    },
  });
}

type Report = (messageId: string, message: string, path: JsonPath, evidence?: unknown) => void;

function judge(policy: PalisadePolicy, r: Resource, inv: Inventory, sc: ScanContext, opts: PalisadeControlOptions, report: Report): PolicyOutcome {
  const attrs = admissionAttributes({ object: r.object as K8sObject, operation: 'CREATE' }, { catalog: sc.catalog, defaultNamespace: opts.defaultNamespace });
  const isNamespace = r.group === '' && r.kind === 'Namespace';
  const namespace = isNamespace ? '' : attrs.namespace;
  if (!staticMatch(policy.match, r, namespace)) return { status: 'skip', messages: [], notes: ['the policy does not match the object'] };
  const ps = sc.podSpecs.get(r);
  const scope = new EvaluationScope(policy.variables, {
    object: r.object,
    oldObject: null,
    request: admissionRequest(attrs, { resource: attrs.resource, kind: attrs.kind }),
    params: null,
    namespaceObject: namespaceObjectOf(inv, namespace),
    podSpec: ps?.spec ?? null,
    podMetadata: ps?.podMetadata ?? null,
  });
  const errors: EvaluationError[] = [];
  const failed = (what: string, expr: CompiledExpression, error: { code: string; message: string }) =>
    errors.push({
      messageId: error.code === 'PALISADE_CEL_COST_EXCEEDED' ? 'costExceeded' : 'error',
      message: `${policy.id} ${what} could not be evaluated: ${expr.error ? `it does not compile (${error.message})` : error.message}`,
    });

  for (const c of policy.match.conditions) {
    const out = scope.run(c.expression);
    if (!out.ok) failed(`match condition "${c.name}"`, c.expression, out.error);
    else if (out.value !== true) return { status: 'skip', messages: [], notes: [`match condition "${c.name}" is false`] };
  }
  if (errors.length) return reportErrors(policy, errors, report) ?? { status: 'fail', messages: errors.map((e) => e.message), notes: [] };

  const messages: string[] = [];
  let judged = 0;
  for (const v of policy.validations) {
    const out = scope.run(v.expression);
    if (!out.ok) {
      failed(`validation ${v.id}`, v.expression, out.error);
      continue;
    }
    judged++;
    if (out.value === true) continue;
    let message = '';
    if (v.messageExpression) {
      const m = scope.run(v.messageExpression);
      if (m.ok && typeof m.value === 'string') message = m.value.trim().split('\n')[0]!;
    }
    if (!message && v.message) message = v.message;
    if (!message) message = `failed expression: ${v.expression.source.trim()}`;
    const path: JsonPath = v.pathFromPodSpec ? (ps ? [...ps.path, ...v.path] : []) : v.path;
    report(v.id, message, path, path.length ? getAt(r.object, path) : undefined);
    messages.push(message);
  }
  const ignored = errors.length ? reportErrors(policy, errors, report) : undefined;
  if (!ignored) messages.push(...errors.map((e) => e.message));
  if (messages.length) return { status: 'fail', messages, notes: ignored?.notes ?? [] };
  return judged > 0 ? { status: 'pass', messages, notes: ignored?.notes ?? [] } : (ignored ?? { status: 'skip', messages, notes: [] });
}

interface EvaluationError {
  messageId: 'error' | 'costExceeded';
  message: string;
}

/**
 * Fail closed: one finding per kind of error (several validations failing the same way are
 * one problem of the policy, not of the object). With failurePolicy Ignore: nothing is
 * reported, and the returned outcome says the object was not checked.
 */
function reportErrors(policy: PalisadePolicy, errors: readonly EvaluationError[], report: Report): PolicyOutcome | undefined {
  if (policy.failurePolicy === 'Ignore') return { status: 'skip', messages: [], notes: errors.map((e) => `failurePolicy Ignore: ${e.message}`) };
  for (const id of ['costExceeded', 'error'] as const) {
    const list = errors.filter((e) => e.messageId === id).map((e) => e.message);
    if (list.length) report(id, list.join('; '), []);
  }
  return undefined;
}
