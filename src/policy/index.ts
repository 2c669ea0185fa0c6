/**
 * Policies as controls. `loadPolicies` reads files and directories of policy documents —
 * Palisade policies (palisade.dev/v1 Policy), ValidatingAdmissionPolicies with their
 * bindings, and Kyverno ClusterPolicy/Policy — and turns each into controls of the same
 * shape as the built-in ones, with the framework requirements they evidence. A bad
 * document is reported (file, line, field) and skipped; the others still load.
 */
import { resolve } from 'node:path';
import type { Control } from '../core/control.js';
import type { Diagnostic } from '../core/errors.js';
import type { K8sObject, Resource } from '../core/resource.js';
import type { Framework } from '../frameworks/loader.js';
import type { RequirementRef } from '../frameworks/mapping.js';
import { loadManifests, type LoadLimits } from '../sources/manifests.js';
import { kyvernoPolicyToControls, PolicyFormatError, type KyvernoPolicyDoc } from './kyverno/index.js';
import { policyDiagnostic } from './palisade/diagnostics.js';
import { palisadeControl } from './palisade/control.js';
import { isPalisadePolicyDocument, parsePalisadePolicy } from './palisade/policy.js';
import { celDiagnostic, fieldDiagnostic, SourceFiles } from './palisade/yaml-source.js';
import { annotation, vapControl, vapControlId, type OutcomeListener } from './vap/control.js';
import { isVapBindingDocument, isVapDocument, parseValidatingAdmissionPolicy, parseValidatingAdmissionPolicyBinding, type Problem } from './vap/parse.js';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './vap/types.js';

export type { OutcomeListener, PolicyOutcome } from './vap/control.js';
export { evaluateVap, type VapDecision, type VapEnvironment, type VapInput, type VapResult } from './vap/index.js';

export interface LoadPoliciesOptions {
  /** Control ids that are taken (the built-in controls); a policy reusing one is rejected. */
  reservedIds?: ReadonlySet<string>;
  /** Namespace of namespaced objects that name none (default "default"). */
  defaultNamespace?: string;
  /** Called with each policy control's decision for each object (palisade test). */
  onOutcome?: OutcomeListener;
  ignore?: readonly string[];
  limits?: Partial<LoadLimits>;
}

export interface LoadedPolicies {
  controls: Control[];
  /** Framework requirements each policy control evidences, by control id. */
  frameworkRefs: Map<string, RequirementRef[]>;
  diagnostics: Diagnostic[];
  /** Objects of the policy files that are not policies: params, namespaces, CRDs. */
  resources: Resource[];
  /** What was found, for summaries. */
  counts: { files: number; palisade: number; vap: number; vapBindings: number; kyverno: number };
}

/** Documents that belong to test suites, not to policies. */
function isTestDocument(o: K8sObject): boolean {
  return (o.apiVersion.startsWith('palisade.dev/') && o.kind === 'PolicyTest') || o.apiVersion.startsWith('cli.kyverno.io/');
}

function isKyvernoPolicy(o: K8sObject): boolean {
  return (o.kind === 'ClusterPolicy' || o.kind === 'Policy') && o.apiVersion.startsWith('kyverno.io/');
}

/**
 * Framework requirements from a `palisade.dev/frameworks` annotation: JSON
 * (`{"soc2": ["CC8.1"]}`) or `framework:requirement` pairs separated by commas or spaces.
 */
export function parseFrameworkAnnotation(text: string | undefined): RequirementRef[] | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.entries(v as Record<string, unknown>).flatMap(([framework, reqs]) => (Array.isArray(reqs) ? reqs.map((r) => ({ framework, requirement: String(r) })) : []));
    }
  } catch {
    // not JSON: pairs
  }
  const out: RequirementRef[] = [];
  for (const token of text.split(/[\s,;]+/).filter(Boolean)) {
    const m = /^([a-z0-9][a-z0-9-]*)[:=](.+)$/.exec(token);
    if (!m) return undefined;
    out.push({ framework: m[1]!, requirement: m[2]! });
  }
  return out;
}

function problemDiagnostic(p: Problem, r: Resource, sources: SourceFiles): Diagnostic {
  if (p.cel) return celDiagnostic(p.cel, r, p.path, sources, p.level);
  return fieldDiagnostic('PALISADE_POLICY_INVALID', r, p.path, p.message, p.level);
}

function where(r: Resource): string {
  return r.origin.type === 'manifest' ? `${r.origin.file}:${r.origin.locate([]).line}` : r.name;
}

/** Reads policy files and directories (recursively); paths are shown relative to `root`. */
export function loadPolicies(paths: readonly string[], root: string, options: LoadPoliciesOptions = {}): LoadedPolicies {
  const rootDir = resolve(root);
  const loaded = loadManifests(paths, { root: rootDir, render: false, ignore: ['kyverno-test.yaml', 'kyverno-test.yml', ...(options.ignore ?? [])], limits: options.limits });
  const out: LoadedPolicies = { controls: [], frameworkRefs: new Map(), diagnostics: [...loaded.diagnostics], resources: [], counts: { files: loaded.files, palisade: 0, vap: 0, vapBindings: 0, kyverno: 0 } };
  const sources = new SourceFiles((file) => resolve(rootDir, file));
  const taken = new Map<string, string>();
  const claim = (id: string, r: Resource, path: (string | number)[]): boolean => {
    const other = options.reservedIds?.has(id) ? 'a built-in control' : taken.get(id);
    if (other !== undefined) {
      const loc = r.origin.type === 'manifest' ? r.origin.locate(path) : undefined;
      out.diagnostics.push(
        policyDiagnostic('PALISADE_POLICY_DUPLICATE_ID', { id, other }, { file: r.origin.type === 'manifest' ? r.origin.file : undefined, line: loc?.line, column: loc?.column, field: path.join('.') }),
      );
      return false;
    }
    taken.set(id, where(r));
    return true;
  };

  const vaps: { policy: ValidatingAdmissionPolicy; resource: Resource }[] = [];
  const bindings: { binding: ValidatingAdmissionPolicyBinding; resource: Resource }[] = [];
  const kyverno: Resource[] = [];
  for (const r of loaded.resources) {
    const o = r.object;
    if (isPalisadePolicyDocument(o)) {
      const parsed = parsePalisadePolicy(r, sources);
      out.diagnostics.push(...parsed.diagnostics);
      if (!parsed.policy || !claim(parsed.policy.id, r, ['spec', 'id'])) continue;
      out.counts.palisade++;
      out.controls.push(palisadeControl(parsed.policy, { defaultNamespace: options.defaultNamespace, onOutcome: options.onOutcome }));
      const refs = Object.entries(parsed.policy.frameworks).flatMap(([framework, reqs]) => reqs.map((requirement) => ({ framework, requirement })));
      if (refs.length) out.frameworkRefs.set(parsed.policy.id, refs);
    } else if (isVapDocument(o)) {
      const parsed = parseValidatingAdmissionPolicy(o);
      out.diagnostics.push(...parsed.problems.map((p) => problemDiagnostic(p, r, sources)));
      if (!parsed.value) continue;
      if (vaps.some((v) => v.policy.name === parsed.value!.name)) {
        out.diagnostics.push(policyDiagnostic('PALISADE_POLICY_DUPLICATE_ID', { id: `ValidatingAdmissionPolicy ${parsed.value.name}`, other: where(vaps.find((v) => v.policy.name === parsed.value!.name)!.resource) }, { file: r.origin.type === 'manifest' ? r.origin.file : undefined }));
        continue;
      }
      vaps.push({ policy: parsed.value, resource: r });
    } else if (isVapBindingDocument(o)) {
      const parsed = parseValidatingAdmissionPolicyBinding(o);
      out.diagnostics.push(...parsed.problems.map((p) => problemDiagnostic(p, r, sources)));
      if (parsed.value) bindings.push({ binding: parsed.value, resource: r });
    } else if (isKyvernoPolicy(o)) {
      kyverno.push(r);
    } else if (!isTestDocument(o)) {
      out.resources.push(r);
    }
  }

  const extraObjects = out.resources.map((r) => r.object);
  out.counts.vap = vaps.length;
  for (const { policy, resource } of vaps) {
    const own = bindings.filter((b) => b.binding.policyName === policy.name);
    if (own.length === 0) {
      const loc = resource.origin.type === 'manifest' ? resource.origin.locate(['metadata', 'name']) : undefined;
      out.diagnostics.push(policyDiagnostic('PALISADE_POLICY_UNBOUND', { policy: policy.name }, { level: 'note', file: resource.origin.type === 'manifest' ? resource.origin.file : undefined, line: loc?.line, column: loc?.column }));
      continue;
    }
    const refs = parseFrameworkAnnotation(annotation(policy.object, 'frameworks'));
    if (annotation(policy.object, 'frameworks') && !refs) {
      out.diagnostics.push(fieldDiagnostic('PALISADE_POLICY_INVALID', resource, ['metadata', 'annotations', 'palisade.dev/frameworks'], 'expected JSON ({"soc2": ["CC8.1"]}) or framework:requirement pairs', 'warning'));
    }
    for (const { binding, resource: br } of own) {
      const id = vapControlId(policy.name, binding.name);
      if (!claim(id, br, ['metadata', 'name'])) continue;
      out.counts.vapBindings++;
      out.controls.push(vapControl(policy, binding, { extraObjects, defaultNamespace: options.defaultNamespace, onOutcome: options.onOutcome }));
      if (refs?.length) out.frameworkRefs.set(id, refs);
    }
  }
  for (const { binding, resource } of bindings) {
    if (vaps.some((v) => v.policy.name === binding.policyName)) continue;
    const loc = resource.origin.type === 'manifest' ? resource.origin.locate(['spec', 'policyName']) : undefined;
    out.diagnostics.push(
      policyDiagnostic('PALISADE_POLICY_NO_SUCH_POLICY', { binding: binding.name, policy: binding.policyName }, { level: 'warning', file: resource.origin.type === 'manifest' ? resource.origin.file : undefined, line: loc?.line, column: loc?.column, field: 'spec.policyName' }),
    );
  }

  for (const r of kyverno) {
    let controls: Control[];
    try {
      const origin = r.origin.type === 'manifest' ? { file: r.origin.file, line: r.origin.locate([]).line } : r.name;
      controls = kyvernoPolicyToControls(r.object as KyvernoPolicyDoc, origin);
    } catch (e) {
      if (!(e instanceof PolicyFormatError)) throw e;
      out.diagnostics.push(fieldDiagnostic('PALISADE_POLICY_INVALID', r, [], e.message));
      continue;
    }
    const refs = parseFrameworkAnnotation(annotation(r.object, 'frameworks'));
    for (const c of controls) {
      if (!claim(c.meta.id, r, ['metadata', 'name'])) continue;
      out.controls.push(c);
      if (refs?.length) out.frameworkRefs.set(c.meta.id, refs);
    }
    out.counts.kyverno++;
  }
  if (out.controls.length === 0 && vaps.length === 0 && !out.diagnostics.some((d) => d.level === 'error')) {
    out.diagnostics.push(policyDiagnostic('PALISADE_POLICY_NONE', { path: paths.join(', ') }, { level: 'warning' }));
  }
  return out;
}

/** Frameworks with the policy controls added to the requirements they evidence. */
export function withPolicyMappings(frameworks: ReadonlyMap<string, Framework>, refs: ReadonlyMap<string, readonly RequirementRef[]>): { frameworks: Map<string, Framework>; unknown: (RequirementRef & { control: string })[] } {
  const out = new Map<string, Framework>();
  const unknown: (RequirementRef & { control: string })[] = [];
  for (const [id, fw] of frameworks) out.set(id, { ...fw, requirements: fw.requirements.map((r) => ({ ...r, controls: [...r.controls] })) });
  for (const [control, list] of refs) {
    for (const ref of list) {
      const req = out.get(ref.framework)?.requirements.find((r) => r.id === ref.requirement);
      if (!req) unknown.push({ ...ref, control });
      else if (!req.controls.includes(control)) req.controls.push(control);
    }
  }
  return { frameworks: out, unknown };
}
