/**
 * Kyverno policies as Palisade controls, so that `palisade scan` runs them like built-in
 * ones: one control per validate rule (its generated autogen-… rules report under it),
 * findings for failures (and warnings of policies marked not scored) with Kyverno's
 * message and the path of the failing field.
 *
 * Ids are stable and readable: KYV-<policy>/<rule> for a ClusterPolicy and
 * KYV-<namespace>/<policy>/<rule> for a namespaced Policy. Title, severity, category and
 * description come from the policies.kyverno.io/* annotations of the public policy
 * collections. Rule errors and rules that need a cluster surface as engine diagnostics
 * (the control "failed on this object"), never as silent passes; mutate, generate and
 * verifyImages rules produce no control and are listed in `skipped`.
 */
import { defineControl, type Control, type ControlContext, type Judged, type ReportDescriptor } from '../../core/control.js';
import type { K8sObject, Resource } from '../../core/resource.js';
import { getAt } from '../../core/path.js';
import { isSeverity, type Severity } from '../../core/severity.js';
import { compilePolicy, evaluatePolicy, type CompiledPolicy } from './engine.js';
import { matchKinds } from './match.js';
import type { EvaluateOptions, KyvernoPolicyDoc, RuleResult } from './types.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where a policy was read from. */
export type PolicyOrigin = string | { file: string; line?: number };

export interface ConvertedKyvernoPolicy {
  controls: Control[];
  /** Rules that became no control, and why. */
  skipped: { rule: string; reason: string }[];
}

export interface KyvernoControlOptions {
  /** Evaluation settings (namespace labels, request user info, values). */
  evaluate?: EvaluateOptions;
}

function slugify(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function kyvernoControlId(policy: CompiledPolicy, rule: string): string {
  return `KYV-${policy.namespace ? `${policy.namespace}/` : ''}${policy.name}/${rule}`;
}

function originText(origin: PolicyOrigin): string {
  if (typeof origin === 'string') return origin;
  return origin.line ? `${origin.file}:${origin.line}` : origin.file;
}

const SEVERITY_ALIASES: Record<string, Severity> = { informational: 'info', moderate: 'medium', warning: 'medium' };

function severityOf(annotation: unknown): Severity {
  if (typeof annotation !== 'string') return 'medium';
  const s = annotation.trim().toLowerCase();
  if (isSeverity(s)) return s;
  return SEVERITY_ALIASES[s] ?? 'medium';
}

/** Converts one policy; throws PolicyFormatError for documents that are not valid policies. */
export function convertKyvernoPolicy(policyDoc: KyvernoPolicyDoc, origin: PolicyOrigin, opts: KyvernoControlOptions = {}): ConvertedKyvernoPolicy {
  const policy = compilePolicy(policyDoc);
  const meta = isObj(policyDoc.metadata) ? policyDoc.metadata : {};
  const ann = isObj(meta.annotations) ? meta.annotations : {};
  const spec = isObj(policyDoc.spec) ? policyDoc.spec : {};
  const ownRules = (Array.isArray(spec.rules) ? spec.rules : []).filter(isObj);
  const title = typeof ann['policies.kyverno.io/title'] === 'string' ? (ann['policies.kyverno.io/title'] as string) : policy.name;
  const description = typeof ann['policies.kyverno.io/description'] === 'string' ? (ann['policies.kyverno.io/description'] as string).trim() : '';
  const category = typeof ann['policies.kyverno.io/category'] === 'string' ? (ann['policies.kyverno.io/category'] as string) : 'kyverno';
  const severity = severityOf(ann['policies.kyverno.io/severity']);
  const where = originText(origin);

  // One evaluation per resource, shared by the controls of this policy.
  const cache = new WeakMap<K8sObject, RuleResult[]>();
  const resultsFor = (obj: K8sObject): RuleResult[] => {
    let r = cache.get(obj);
    if (!r) {
      r = evaluatePolicy(policy, obj, opts.evaluate);
      cache.set(obj, r);
    }
    return r;
  };

  // Policies that read namespace labels see those of the Namespace objects among the scanned
  // ones (evaluate.namespaceLabels, when given, win). Their results also depend on those
  // labels, so a cached evaluation is reused only with the very same labels object: the
  // webhook keeps Namespaces across reviews and a relabelled one is a new object.
  const readsNamespaces = usesNamespaceLabels(policyDoc, opts.evaluate?.exceptions);
  const given = opts.evaluate?.namespaceLabels ?? {};
  const labelledCache = new WeakMap<K8sObject, { labels: Labels | undefined; results: RuleResult[] }>();
  const labelledResultsFor = (obj: K8sObject, ns: string, labels: Labels | undefined): RuleResult[] => {
    const hit = labelledCache.get(obj);
    if (hit && hit.labels === labels) return hit.results;
    const evaluate: EvaluateOptions = { ...opts.evaluate };
    if (labels) evaluate.namespaceLabels = { [ns]: labels };
    else delete evaluate.namespaceLabels;
    const results = evaluatePolicy(policy, obj, evaluate);
    labelledCache.set(obj, { labels, results });
    return results;
  };

  const controls: Control[] = [];
  const skipped: ConvertedKyvernoPolicy['skipped'] = [];
  for (const rule of ownRules) {
    const ruleName = String(rule.name);
    if (!isObj(rule.validate)) {
      const kind = isObj(rule.mutate) ? 'mutate' : isObj(rule.generate) ? 'generate' : Array.isArray(rule.verifyImages) ? 'verifyImages' : 'unknown';
      skipped.push({ rule: ruleName, reason: `${kind} rules are not evaluated by palisade scan (validate rules only)` });
      continue;
    }
    const v = rule.validate;
    const message = typeof v.message === 'string' ? v.message : '';
    const kinds = [...new Set(matchKinds(rule.match))];
    const generated = [...policy.autogen.origin.entries()].filter(([, o]) => o === ruleName).map(([g]) => g);
    if (generated.length && kinds.includes('Pod')) kinds.push(...policy.autogen.controllers.filter((c) => c !== 'none'));
    // Named so that a live scan also lists the Namespaces whose labels the policy reads.
    if (readsNamespaces && kinds.length && !kinds.includes('Namespace')) kinds.push('Namespace');
    const id = kyvernoControlId(policy, ruleName);
    const belongs = (r: RuleResult) => r.rule === ruleName || r.generatedFrom === ruleName;
    /** Reports the rule's results on one object; false when the rule does not apply to it. */
    const judge = (ctx: ControlContext, r: Resource, results: readonly RuleResult[], explicit: boolean): Judged => {
      const mine = results.filter(belongs);
      if (mine.length === 0) return false;
      let judged = false;
      for (const res of mine) {
        if (res.status === 'fail' || res.status === 'warn') {
          const path = res.path ?? [];
          const d: ReportDescriptor = { messageId: res.status, data: { message: res.message }, path, evidence: path.length ? getAt(r.object, path) : undefined };
          if (explicit) d.resource = r;
          ctx.report(d);
          judged = true;
        } else if (res.status === 'error') {
          throw new Error(`${res.rule}: ${res.message}`);
        } else if (res.status === 'pass') judged = true;
      }
      if (!judged) return false;
    };
    controls.push(
      defineControl({
        meta: {
          id,
          slug: slugify(`kyverno-${policy.namespace ? `${policy.namespace}-` : ''}${policy.name}-${ruleName}`),
          title: ownRules.length > 1 ? `${title} (${ruleName})` : title,
          severity,
          category,
          description: `${description || `Kyverno rule ${ruleName} of policy ${policy.id}.`} (Kyverno ${policy.kind} ${policy.id}, rule ${ruleName}, from ${where}.)`,
          rationale: description || `Required by Kyverno policy ${policy.id}.`,
          remediation: message ? `Change the resource so that: ${message}` : `Change the resource so that it satisfies Kyverno rule ${ruleName} of policy ${policy.id}.`,
          messages: { fail: '{{message}}', warn: '{{message}}' },
          appliesTo: kinds.length ? kinds : ['*'],
          maturity: 'beta',
        },
        check(ctx) {
          if (!readsNamespaces) {
            return {
              resource(r) {
                return judge(ctx, r, resultsFor(r.object), false);
              },
            };
          }
          // Labels of the namespaces seen so far. An object whose namespace is already known
          // (or that has none) is judged at once, like any other; the rest wait until every
          // object has been seen, since a Namespace may come after the objects in it.
          const known = new Map<string, Labels>(Object.entries(given));
          const waiting: Resource[] = [];
          return {
            resource(r) {
              if (r.kind === 'Namespace' && r.name && !known.has(r.name)) known.set(r.name, r.labels);
              const ns = namespaceOf(r.object);
              if (ns !== undefined && !known.has(ns)) {
                waiting.push(r);
                return false;
              }
              return judge(ctx, r, ns === undefined ? resultsFor(r.object) : labelledResultsFor(r.object, ns, known.get(ns)), false);
            },
            inventory() {
              let count = 0;
              const errors: string[] = [];
              for (const r of waiting) {
                const ns = namespaceOf(r.object)!;
                // A namespace that is not among the scanned objects has no labels.
                try {
                  if (judge(ctx, r, labelledResultsFor(r.object, ns, known.get(ns)), true) !== false) count++;
                } catch (e) {
                  errors.push(`${describeObject(r)}: ${(e as Error).message}`);
                }
              }
              waiting.length = 0;
              // The engine reports what an inventory visitor throws once, for the whole control.
              if (errors.length) throw new Error(errors.length === 1 ? errors[0]! : `${errors.slice(0, 3).join('; ')}${errors.length > 3 ? `; and ${errors.length - 3} more objects` : ''}`);
              return count;
            },
          };
        },
      }),
    );
  }
  return { controls, skipped };
}

type Labels = Readonly<Record<string, string>>;

/** The namespace a Kyverno rule sees for an object (metadata.namespace), if it names one. */
function namespaceOf(obj: K8sObject): string | undefined {
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  return typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : undefined;
}

function describeObject(r: Resource): string {
  const where = r.origin.type === 'manifest' ? ` in ${r.origin.file}` : '';
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}${where}`;
}

const MAX_WALK_DEPTH = 64;

/**
 * Whether evaluating the policy can read namespace labels: a namespaceSelector anywhere
 * (match, exclude, failure action overrides, PolicyExceptions) or CEL's namespaceObject.
 * Policies that do not are evaluated per object without them, exactly as before.
 */
function usesNamespaceLabels(policyDoc: KyvernoPolicyDoc, exceptions: readonly K8sObject[] | undefined): boolean {
  const walk = (v: unknown, depth: number): boolean => {
    if (depth > MAX_WALK_DEPTH) return false;
    if (typeof v === 'string') return v.includes('namespaceObject');
    if (Array.isArray(v)) return v.some((x) => walk(x, depth + 1));
    if (!isObj(v)) return false;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'namespaceSelector' && x !== null && x !== undefined) return true;
      if (walk(x, depth + 1)) return true;
    }
    return false;
  };
  return walk(policyDoc.spec, 0) || (exceptions ?? []).some((e) => walk(e.spec, 0));
}

/** The controls of one Kyverno policy (validate rules). */
export function kyvernoPolicyToControls(policyDoc: KyvernoPolicyDoc, origin: PolicyOrigin, opts: KyvernoControlOptions = {}): Control[] {
  return convertKyvernoPolicy(policyDoc, origin, opts).controls;
}
