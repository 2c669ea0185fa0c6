/**
 * A ValidatingAdmissionPolicy × one of its bindings as a Palisade control: every scanned
 * object is judged as a CREATE of it would be at admission, and each failure the binding's
 * validationActions would act on (Deny, Warn or Audit) becomes a finding.
 */
import { defineControl, type Control } from '../../core/control.js';
import type { Inventory } from '../../core/inventory.js';
import type { K8sObject, Resource } from '../../core/resource.js';
import { isSeverity, type Severity } from '../../core/severity.js';
import { evaluateVap, type VapDecision, type VapEnvironment, type VapFailure } from './evaluate.js';
import { paramSourceOf, type ParamSource } from './params.js';
import { ResourceCatalog } from './resources.js';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './types.js';

/** What one policy control decided for one resource (the test runner's view). */
export interface PolicyOutcome {
  status: 'pass' | 'fail' | 'skip';
  /** Messages of the failures (and errors) found. */
  messages: string[];
  notes: string[];
}

export type OutcomeListener = (controlId: string, resource: Resource, outcome: PolicyOutcome) => void;

export interface VapControlOptions {
  /** Objects besides the scanned ones that may serve as params (from the policy files). */
  extraObjects?: readonly K8sObject[];
  /** Namespace of namespaced objects that name none (default "default"). */
  defaultNamespace?: string;
  onOutcome?: OutcomeListener;
}

export const VAP_DOCS = 'https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/';

export function vapControlId(policy: string, binding: string): string {
  return `VAP-${policy}/${binding}`;
}

/** A `palisade.dev/<name>` annotation: how a VAP carries Palisade metadata. */
export function annotation(o: K8sObject, name: string): string | undefined {
  const a = (o.metadata?.annotations ?? {}) as Record<string, unknown>;
  const v = a[`palisade.dev/${name}`];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function severityFor(policy: ValidatingAdmissionPolicy, binding: ValidatingAdmissionPolicyBinding): Severity {
  const s = annotation(binding.object, 'severity') ?? annotation(policy.object, 'severity');
  if (isSeverity(s)) return s;
  if (binding.validationActions.includes('Deny')) return 'high';
  return binding.validationActions.includes('Warn') ? 'medium' : 'low';
}

interface ScanEnvironment {
  catalog: ResourceCatalog;
  /** Param sources by the extra objects they include (the controls of one load share them). */
  params: WeakMap<readonly K8sObject[], ParamSource>;
}

const environments = new WeakMap<Inventory, ScanEnvironment>();
const NO_EXTRA: readonly K8sObject[] = [];

/** What every VAP control of one scan shares: the kind map and the param index. */
function scanEnvironment(inv: Inventory, extra: readonly K8sObject[]): { catalog: ResourceCatalog; params: ParamSource } {
  let e = environments.get(inv);
  if (!e) {
    e = { catalog: new ResourceCatalog([...inv.byKind('CustomResourceDefinition').map((r) => r.object), ...extra.filter((o) => o.kind === 'CustomResourceDefinition')]), params: new WeakMap() };
    environments.set(inv, e);
  }
  let params = e.params.get(extra);
  if (!params) {
    params = paramSourceOf([...inv.resources.map((r) => r.object), ...extra]);
    e.params.set(extra, params);
  }
  return { catalog: e.catalog, params };
}

function messageIdOf(f: VapFailure): string {
  if (f.kind === 'validation') return `validation-${f.validation}`;
  if (f.kind === 'configuration') return 'configuration';
  return f.errorCode === 'PALISADE_CEL_COST_EXCEEDED' ? 'costExceeded' : 'error';
}

/** The control of `policy` as bound by `binding`. */
export function vapControl(policy: ValidatingAdmissionPolicy, binding: ValidatingAdmissionPolicyBinding, opts: VapControlOptions = {}): Control {
  const id = vapControlId(policy.name, binding.name);
  const actions = binding.validationActions.join(', ');
  const messages: Record<string, string> = { error: '{{message}}', costExceeded: '{{message}}', configuration: '{{message}}' };
  policy.validations.forEach((_, i) => (messages[`validation-${i}`] = '{{message}}'));
  const appliesTo = [...new Set(policy.matchConstraints.resourceRules.flatMap((r) => r.resources.map((res) => (r.apiGroups.length === 1 && r.apiGroups[0] !== '' && r.apiGroups[0] !== '*' ? `${r.apiGroups[0]}/${res}` : res))))];
  return defineControl({
    meta: {
      id,
      slug: `vap-${policy.name}-${binding.name}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''),
      title: annotation(policy.object, 'title') ?? `ValidatingAdmissionPolicy ${policy.name} (binding ${binding.name})`,
      severity: severityFor(policy, binding),
      category: annotation(policy.object, 'category') ?? 'admission-policy',
      description:
        annotation(policy.object, 'description') ??
        `Judges objects as the API server would at admission with ValidatingAdmissionPolicy ${policy.name}, bound by ${binding.name} (validationActions: ${actions}).`,
      rationale:
        annotation(policy.object, 'rationale') ??
        `The API server applies this policy when the objects are created: a failure is ${binding.validationActions.includes('Deny') ? 'denied' : binding.validationActions.includes('Warn') ? 'reported as a warning' : 'recorded in the audit log'}. Finding it in the manifest comes before the failed deployment.`,
      remediation: annotation(policy.object, 'remediation') ?? 'Change the object so that it satisfies the validation named in the message, or change the policy or its binding if the object is right.',
      messages,
      appliesTo,
      references: [VAP_DOCS, ...(annotation(policy.object, 'references')?.split(/[\s,]+/).filter(Boolean) ?? [])],
      maturity: 'stable',
      requires: ['inventory'],
    },
    check(ctx) {
      return {
        inventory(inv) {
          const { catalog, params } = scanEnvironment(inv, opts.extraObjects ?? NO_EXTRA);
          const env: VapEnvironment = {
            catalog,
            params,
            namespace: (name) => inv.get('Namespace', undefined, name)?.object,
            defaultNamespace: opts.defaultNamespace,
          };
          let judged = 0;
          for (const r of inv.resources) {
            const result = evaluateVap(policy, [binding], { object: r.object, operation: 'CREATE' }, env);
            const decisions = result.decisions.filter((d) => d.binding === binding.name);
            const outcome = outcomeOf(decisions, result.matched, result.notes);
            if (outcome.status !== 'skip') judged++;
            opts.onOutcome?.(id, r, outcome);
            // One finding per message id and object: the failures of several params are merged.
            const byMessage = new Map<string, string[]>();
            for (const d of decisions) {
              for (const f of d.failures) {
                if (f.ignored) continue;
                const mid = messageIdOf(f);
                const text = d.param ? `${f.message} (params ${d.param.namespace ? `${d.param.namespace}/` : ''}${d.param.name})` : f.message;
                const list = byMessage.get(mid) ?? [];
                if (!list.includes(text)) list.push(text);
                byMessage.set(mid, list);
              }
            }
            for (const [messageId, texts] of byMessage) {
              ctx.report({ resource: r, messageId, path: [], data: { message: texts.join('; '), actions } });
            }
          }
          return judged;
        },
      };
    },
  });
}

function outcomeOf(decisions: readonly VapDecision[], matched: boolean, notes: string[]): PolicyOutcome {
  const all = decisions.flatMap((d) => d.notes);
  const messages = decisions.flatMap((d) => d.failures.filter((f) => !f.ignored).map((f) => f.message));
  if (!matched || decisions.length === 0) return { status: 'skip', messages: [], notes: [...notes, ...all, ...(matched ? [] : ['the policy does not match the object'])] };
  const status = decisions.some((d) => d.status === 'fail') ? 'fail' : decisions.some((d) => d.status === 'pass') ? 'pass' : 'skip';
  return { status, messages, notes: [...notes, ...all] };
}
