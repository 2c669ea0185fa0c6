/**
 * Policy test suites in Palisade's own format: a PolicyTest names policy files (Palisade,
 * ValidatingAdmissionPolicy with bindings and params, Kyverno), resource files, and the
 * result each policy must give each resource (pass, fail or skip, optionally with messages).
 * The policies run through the same loader and engine as `palisade scan`.
 *
 *   apiVersion: palisade.dev/v1
 *   kind: PolicyTest
 *   metadata: {name: require-team-label}
 *   spec:
 *     policies: [require-team-label.yaml]
 *     resources: [resources.yaml]
 *     results:
 *       - policy: ACME-001
 *         resources: [shop/web, Deployment/shop/api]
 *         result: pass
 */
import { Ajv } from 'ajv';
import { dirname, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../../core/errors.js';
import type { Finding } from '../../core/finding.js';
import { displayName, type Resource } from '../../core/resource.js';
import { runControls } from '../../engine/engine.js';
import { buildInventory } from '../../inventory/inventory.js';
import { loadManifests } from '../../sources/manifests.js';
import { loadPolicies } from '../index.js';
import type { PolicyOutcome } from '../vap/control.js';
import { schemaProblems } from './policy.js';
import { fieldDiagnostic } from './yaml-source.js';

export type ExpectedResult = 'pass' | 'fail' | 'skip';

/** One expected result compared with the actual one. */
export interface SuiteRow {
  policy: string;
  resource: string;
  expected: string;
  /** undefined when the policy or resource was not found. */
  actual?: string;
  /** pass: as expected; fail: not; unsupported: cannot be checked offline (Kyverno). */
  outcome: 'pass' | 'fail' | 'unsupported';
  /** Why it failed: "expected fail, got pass", "message … not found", "no such resource". */
  detail?: string;
  /** Messages of the actual failures (shown when the row fails). */
  messages?: string[];
}

export interface SuiteReport {
  format: 'palisade' | 'kyverno';
  file: string;
  name: string;
  rows: SuiteRow[];
  diagnostics: Diagnostic[];
  notes: string[];
  /** The suite or a file it names could not be read: its rows are incomplete. */
  unreadable: boolean;
}

export const POLICY_TEST_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'palisade.dev/v1' },
    kind: { const: 'PolicyTest' },
    metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
    spec: {
      type: 'object',
      required: ['policies', 'resources', 'results'],
      additionalProperties: false,
      properties: {
        description: { type: 'string' },
        policies: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        resources: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        defaultNamespace: { type: 'string', minLength: 1 },
        results: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['policy', 'result'],
            additionalProperties: false,
            properties: {
              policy: { type: 'string', minLength: 1 },
              resource: { type: 'string', minLength: 1 },
              resources: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
              kind: { type: 'string', minLength: 1 },
              result: { enum: ['pass', 'fail', 'skip'] },
              messages: { type: 'array', items: { type: 'string', minLength: 1 } },
            },
          },
        },
      },
    },
  },
} as const;

const validateTest = new Ajv({ allErrors: true, strict: false }).compile(POLICY_TEST_SCHEMA);

interface ExpectedEntry {
  policy: string;
  resource?: string;
  resources?: string[];
  kind?: string;
  result: ExpectedResult;
  messages?: string[];
}

export function isPolicyTestDocument(o: { apiVersion: string; kind: string }): boolean {
  return o.kind === 'PolicyTest' && o.apiVersion.startsWith('palisade.dev/');
}

const shown = (root: string, abs: string) => {
  const rel = relative(root, abs);
  return (rel === '' || rel.startsWith('..') ? abs : rel).split(sep).join('/');
};

/** Runs the PolicyTest documents of one file (paths in it are relative to the file). */
export function runPolicyTestFile(file: string, root: string): SuiteReport[] {
  const rootDir = resolve(root);
  const abs = resolve(rootDir, file);
  const display = shown(rootDir, abs);
  const loaded = loadManifests([abs], { root: rootDir, render: false });
  const tests = loaded.resources.filter((r) => isPolicyTestDocument(r.object));
  const fileErrors = loaded.diagnostics.filter((d) => d.level === 'error');
  if (tests.length === 0 || fileErrors.length) {
    return [{ format: 'palisade', file: display, name: '', rows: [], diagnostics: loaded.diagnostics, notes: tests.length ? [] : ['no PolicyTest document in this file'], unreadable: true }];
  }
  return tests.map((t) => runPolicyTest(t, rootDir, dirname(abs), display));
}

function runPolicyTest(test: Resource, root: string, dir: string, file: string): SuiteReport {
  const report: SuiteReport = { format: 'palisade', file, name: test.name, rows: [], diagnostics: [], notes: [], unreadable: false };
  if (!validateTest(test.object)) {
    for (const p of schemaProblems(validateTest.errors ?? [])) report.diagnostics.push(fieldDiagnostic('PALISADE_TEST_INVALID', test, p.path, p.detail));
    report.unreadable = true;
    return report;
  }
  const spec = (test.object as unknown as { spec: { policies: string[]; resources: string[]; results: ExpectedEntry[]; defaultNamespace?: string } }).spec;
  const toRoot = (p: string) => shown(root, resolve(dir, p));
  const outcomes = new Map<string, Map<Resource, PolicyOutcome>>();
  const policies = loadPolicies(spec.policies.map(toRoot), root, {
    defaultNamespace: spec.defaultNamespace,
    onOutcome: (id, r, o) => {
      let m = outcomes.get(id);
      if (!m) outcomes.set(id, (m = new Map()));
      m.set(r, o);
    },
  });
  const resources = loadManifests(spec.resources.map(toRoot), { root, render: false });
  report.diagnostics.push(...policies.diagnostics, ...resources.diagnostics);
  if (report.diagnostics.some((d) => d.level === 'error')) report.unreadable = true;
  const inventory = buildInventory([...resources.resources, ...policies.resources]);
  const engine = runControls(inventory, { controls: policies.controls, settings: { allowedRegistries: [], pssVersion: 'latest' } });
  report.diagnostics.push(...engine.diagnostics);
  const findings = new Map<string, Finding[]>();
  for (const f of engine.findings) {
    const k = `${f.controlId}\u0000${f.resource.key}`;
    findings.set(k, [...(findings.get(k) ?? []), f]);
  }
  const ids = policies.controls.map((c) => c.meta.id);
  const slugs = new Map(policies.controls.map((c) => [c.meta.slug, c.meta.id]));

  spec.results.forEach((e, i) => {
    const controlIds = resolvePolicy(e.policy, ids, slugs);
    const refs = e.resources ?? (e.resource ? [e.resource] : []);
    if (refs.length === 0) {
      report.diagnostics.push(fieldDiagnostic('PALISADE_TEST_INVALID', test, ['spec', 'results', i], 'name the resources (resource or resources)'));
      report.unreadable = true;
      return;
    }
    for (const ref of refs) {
      const targets = findResources(inventory.resources, ref, e.kind);
      const label = e.kind && !ref.includes('/') ? `${e.kind}/${ref}` : ref;
      if (controlIds.length === 0) {
        report.rows.push({ policy: e.policy, resource: label, expected: e.result, outcome: 'fail', detail: `no policy ${e.policy} among ${ids.join(', ') || 'the loaded policies (none)'}` });
        continue;
      }
      if (targets.length === 0) {
        report.rows.push({ policy: e.policy, resource: label, expected: e.result, outcome: 'fail', detail: `no resource ${label} in the suite's resources` });
        continue;
      }
      for (const r of targets) {
        const results = controlIds.map((id) => outcomes.get(id)?.get(r) ?? fromFindings(findings.get(`${id}\u0000${r.key}`)));
        const actual = results.some((o) => o.status === 'fail') ? 'fail' : results.some((o) => o.status === 'pass') ? 'pass' : 'skip';
        const messages = [...new Set(results.flatMap((o) => o.messages))];
        const row: SuiteRow = { policy: e.policy, resource: displayName(r), expected: e.result, actual, outcome: 'pass' };
        if (actual !== e.result) {
          row.outcome = 'fail';
          row.detail = `expected ${e.result}, got ${actual}`;
          const notes = [...new Set(results.flatMap((o) => o.notes))];
          if (notes.length) row.detail += ` (${notes.join('; ')})`;
        } else {
          const missing = (e.messages ?? []).filter((m) => !messages.some((x) => x.includes(m)));
          if (missing.length) {
            row.outcome = 'fail';
            row.detail = `expected message${missing.length > 1 ? 's' : ''} ${missing.map((m) => JSON.stringify(m)).join(', ')} not found`;
          }
        }
        if (row.outcome === 'fail' && messages.length) row.messages = messages;
        report.rows.push(row);
      }
    }
  });
  return report;
}

/** A control's result for a resource from its findings (controls that do not report outcomes). */
function fromFindings(list: Finding[] | undefined): PolicyOutcome {
  const failed = (list ?? []).filter((f) => f.status === 'fail');
  return failed.length ? { status: 'fail', messages: failed.map((f) => f.message), notes: [] } : { status: 'pass', messages: [], notes: ['no finding (this policy kind does not tell pass from skip)'] };
}

/**
 * The controls a result's `policy` names: a control id; a Palisade policy's metadata.name;
 * a ValidatingAdmissionPolicy name (all its bindings); a Kyverno policy name (all its rules)
 * or "policy/rule".
 */
export function resolvePolicy(name: string, ids: readonly string[], slugs: ReadonlyMap<string, string>): string[] {
  if (ids.includes(name)) return [name];
  const bySlug = slugs.get(name);
  if (bySlug && !bySlug.startsWith('VAP-') && !bySlug.startsWith('KYV-')) return [bySlug];
  for (const prefix of ['VAP-', 'KYV-']) {
    if (ids.includes(`${prefix}${name}`)) return [`${prefix}${name}`];
    const all = ids.filter((id) => id.startsWith(`${prefix}${name}/`));
    if (all.length) return all;
  }
  return [];
}

/** Resources a result names: "name", "namespace/name", "Kind/name" or "Kind/namespace/name". */
export function findResources(resources: readonly Resource[], ref: string, kind?: string): Resource[] {
  const parts = ref.split('/');
  let k = kind;
  let ns: string | undefined;
  let name: string;
  if (parts.length >= 3) [k, ns, name] = [parts[0], parts[1], parts.slice(2).join('/')];
  else if (parts.length === 2) {
    if (/^[A-Z]/.test(parts[0]!)) [k, name] = [parts[0], parts[1]!];
    else [ns, name] = [parts[0], parts[1]!];
  } else name = parts[0]!;
  return resources.filter((r) => r.name === name && (k === undefined || r.kind === k) && (ns === undefined || (r.namespace ?? 'default') === ns));
}
