/**
 * `kyverno test` for Palisade: reads kyverno-test.yaml files (cli.kyverno.io/v1alpha1 Test,
 * and the older form without apiVersion), applies their policies to their resources with
 * the test's values, user info and exceptions, and compares every expected result with
 * the actual one the way the Kyverno CLI does:
 *
 *  - a result names a policy ("name" or "namespace/name"), a rule, a kind and resources
 *    ("name" or "namespace/name"; the deprecated `resource` and `namespace` still work);
 *  - a rule matches its generated variants too: autogen-<rule> and autogen-cronjob-<rule>;
 *  - a resource the rule does not apply to (not matched, excluded) counts as passed
 *    ("Excluded"), as in the CLI; a resource that is not in the test at all fails ("Not found");
 *  - expected `pass`, `fail`, `skip`, `warn` or `error` must equal the actual result.
 *
 * What Palisade cannot check offline (patchedResource, generatedResource,
 * cloneSourceResource, mutate/generate/verifyImages rules, `checks`) is reported as
 * `unsupported`, separately from passes and failures.
 */
import { dirname, isAbsolute, join, resolve, basename } from 'node:path';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { diagnostic, type Diagnostic } from '../../core/errors.js';
import type { K8sObject, Resource } from '../../core/resource.js';
import { toDotted } from '../../core/path.js';
import { compilePolicy, evaluatePolicy, PolicyFormatError, type CompiledPolicy } from './engine.js';
import { isPolicyException, isPolicyResource, loadObjects, loadYamlData } from './load.js';
import type { RequestInfo, SubresourceMapping } from './match.js';
import type { EvaluateOptions, RuleResult } from './types.js';

export const TEST_FILE_NAME = 'kyverno-test.yaml';

export type CaseOutcome = 'pass' | 'fail' | 'unsupported';

export interface KyvernoTestCase {
  policy: string;
  rule: string;
  kind: string;
  /** The resource as the test names it ("name" or "namespace/name"). */
  resource: string;
  expected: string;
  /** The actual result; "excluded" when the rule does not apply; undefined when not found. */
  actual?: string;
  outcome: CaseOutcome;
  /** "Ok", "Want fail, got pass", "Not found", "Excluded", or why it is unsupported. */
  reason: string;
  /** The rule that produced the result (may be autogen-…). */
  matchedRule?: string;
  message?: string;
  /** Dotted path of the failing field. */
  path?: string;
  /** file:line of the failing field (or the resource) in the resource file. */
  location?: string;
}

export interface KyvernoTestFileReport {
  file: string;
  name: string;
  cases: KyvernoTestCase[];
  counts: Record<CaseOutcome, number>;
  diagnostics: Diagnostic[];
  /** Things the file uses that Palisade ignores or cannot check. */
  notes: string[];
}

export interface KyvernoTestReport {
  files: KyvernoTestFileReport[];
  counts: Record<CaseOutcome, number>;
  /** No failed case and no error diagnostic. */
  ok: boolean;
  diagnostics: Diagnostic[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

/** Every kyverno-test.yaml under a directory (or the given file). */
export function findTestFiles(dirOrFile: string, fileName = TEST_FILE_NAME): string[] {
  if (!existsSync(dirOrFile)) return [dirOrFile];
  if (!statSync(dirOrFile).isDirectory()) return [dirOrFile];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === fileName) out.push(p);
    }
  };
  walk(dirOrFile);
  return out;
}

export interface RunTestOptions {
  /** Name of test files when a directory is given (default kyverno-test.yaml). */
  fileName?: string;
  /** Paths in reports are shown relative to this directory (default: the current one). */
  root?: string;
}

/** Runs every Kyverno CLI test suite under `dirOrFile`. */
export function runKyvernoTestSuite(dirOrFile: string, opts: RunTestOptions = {}): KyvernoTestReport {
  const root = opts.root ?? process.cwd();
  const files = findTestFiles(dirOrFile, opts.fileName);
  const reports = files.map((f) => runTestFile(f, root));
  const counts = { pass: 0, fail: 0, unsupported: 0 };
  const diagnostics: Diagnostic[] = [];
  for (const r of reports) {
    for (const k of Object.keys(counts) as CaseOutcome[]) counts[k] += r.counts[k];
    diagnostics.push(...r.diagnostics);
  }
  if (files.length === 0) diagnostics.push(diagnostic('PALISADE_SOURCE_NOT_FOUND', {}, { file: `${dirOrFile}/**/${opts.fileName ?? TEST_FILE_NAME}` }));
  return { files: reports, counts, ok: counts.fail === 0 && !diagnostics.some((d) => d.level === 'error'), diagnostics };
}

interface Values {
  global: Obj;
  rules: Map<string, Obj>;
  foreach: Map<string, Obj[]>;
  resources: Map<string, Obj>;
  namespaceLabels: Record<string, Record<string, string>>;
  subresources: SubresourceMapping[];
}

function parseValues(data: unknown): Values {
  const v: Values = { global: {}, rules: new Map(), foreach: new Map(), resources: new Map(), namespaceLabels: {}, subresources: [] };
  if (!isObj(data)) return v;
  if (isObj(data.globalValues)) v.global = data.globalValues;
  for (const p of Array.isArray(data.policies) ? data.policies.filter(isObj) : []) {
    const policy = String(p.name ?? '');
    for (const r of Array.isArray(p.rules) ? p.rules.filter(isObj) : []) {
      const key = `${policy}\u0000${String(r.name ?? '')}`;
      if (isObj(r.values)) v.rules.set(key, r.values);
      if (Array.isArray(r.foreachValues)) v.foreach.set(key, r.foreachValues.filter(isObj));
      else if (isObj(r.foreachValues)) v.foreach.set(key, [r.foreachValues]);
    }
    for (const r of Array.isArray(p.resources) ? p.resources.filter(isObj) : []) {
      if (isObj(r.values)) v.resources.set(`${policy}\u0000${String(r.name ?? '')}`, r.values);
    }
  }
  for (const ns of Array.isArray(data.namespaceSelector) ? data.namespaceSelector.filter(isObj) : []) {
    if (typeof ns.name === 'string' && isObj(ns.labels)) v.namespaceLabels[ns.name] = ns.labels as Record<string, string>;
  }
  for (const ns of Array.isArray(data.namespaces) ? data.namespaces.filter(isObj) : []) {
    const meta = isObj(ns.metadata) ? ns.metadata : {};
    if (typeof meta.name === 'string') v.namespaceLabels[meta.name] = isObj(meta.labels) ? (meta.labels as Record<string, string>) : {};
  }
  for (const s of Array.isArray(data.subresources) ? data.subresources.filter(isObj) : []) {
    if (isObj(s.subresource) && isObj(s.parentResource)) v.subresources.push(s as unknown as SubresourceMapping);
  }
  return v;
}

function parseUserInfo(data: unknown): RequestInfo | undefined {
  if (!isObj(data)) return undefined;
  const info: RequestInfo = { roles: strings(data.roles), clusterRoles: strings(data.clusterRoles) };
  if (isObj(data.userInfo)) {
    const u = data.userInfo;
    info.userInfo = {
      ...(typeof u.username === 'string' ? { username: u.username } : {}),
      ...(typeof u.uid === 'string' ? { uid: u.uid } : {}),
      groups: strings(u.groups),
    };
  }
  return info;
}

function resourceName(r: Resource): string {
  return r.namespace ? `${r.namespace}/${r.name}` : r.name;
}

function resolveIn(base: string, p: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

const OUTCOMES: readonly string[] = ['pass', 'fail', 'skip', 'warn', 'error'];

function ruleMatches(actual: string, expected: string): boolean {
  const trunc = (s: string) => (s.length > 63 ? s.slice(0, 63) : s);
  return actual === expected || actual === trunc(`autogen-${expected}`) || actual === trunc(`autogen-cronjob-${expected}`);
}

function runTestFile(file: string, root: string): KyvernoTestFileReport {
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  const cases: KyvernoTestCase[] = [];
  const dir = dirname(resolve(file));
  const loaded = loadYamlData(file, root, diagnostics);
  const shownFile = loaded?.file ?? file;
  const report = (name: string): KyvernoTestFileReport => {
    const counts = { pass: 0, fail: 0, unsupported: 0 };
    for (const c of cases) counts[c.outcome]++;
    return { file: shownFile, name, cases, counts, diagnostics, notes };
  };
  const test = loaded?.data;
  if (!isObj(test)) {
    if (loaded) diagnostics.push(diagnostic('PALISADE_SOURCE_BAD_OBJECT', { field: 'test', expected: 'a mapping (kind: Test)', found: typeof test }, { file: shownFile }));
    return report(basename(dirname(resolve(file))));
  }
  if (test.apiVersion !== undefined && (test.kind !== 'Test' || typeof test.apiVersion !== 'string' || !test.apiVersion.startsWith('cli.kyverno.io/'))) {
    diagnostics.push(diagnostic('PALISADE_SOURCE_BAD_OBJECT', { field: 'kind', expected: 'Test (apiVersion cli.kyverno.io/v1alpha1)', found: `${String(test.apiVersion)} ${String(test.kind)}` }, { file: shownFile }));
    return report(basename(dir));
  }
  const meta = isObj(test.metadata) ? test.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : typeof test.name === 'string' ? test.name : basename(dir);

  // Policies and exceptions.
  const policyObjects = loadObjects(strings(test.policies).map((p) => resolveIn(dir, p)), root);
  diagnostics.push(...policyObjects.diagnostics);
  const policies: CompiledPolicy[] = [];
  const exceptions: K8sObject[] = [];
  for (const r of policyObjects.resources) {
    if (isPolicyResource(r)) {
      try {
        policies.push(compilePolicy(r.object));
      } catch (e) {
        if (!(e instanceof PolicyFormatError)) throw e;
        const loc = r.origin.type === 'manifest' ? r.origin.locate(['spec']) : undefined;
        diagnostics.push(diagnostic('PALISADE_SOURCE_BAD_OBJECT', { field: 'policy', expected: 'a valid Kyverno policy', found: e.message }, { file: loc?.file, line: loc?.line, column: loc?.column }));
      }
    } else if (isPolicyException(r)) exceptions.push(r.object);
    else notes.push(`${r.kind} ${r.name} in the policies is not a Kyverno ClusterPolicy/Policy and is not evaluated by this runner`);
  }
  const exceptionObjects = loadObjects(strings(test.exceptions).map((p) => resolveIn(dir, p)), root);
  diagnostics.push(...exceptionObjects.diagnostics);
  exceptions.push(...exceptionObjects.resources.filter(isPolicyException).map((r) => r.object));

  // Resources.
  const resourceObjects = loadObjects(strings(test.resources).map((p) => resolveIn(dir, p)), root);
  diagnostics.push(...resourceObjects.diagnostics);
  const resources = resourceObjects.resources;

  // Values and user info.
  let values = parseValues(test.values);
  if (typeof test.variables === 'string' && test.variables) {
    const v = loadYamlData(resolveIn(dir, test.variables), root, diagnostics);
    if (v) values = mergeValues(values, parseValues(v.data));
  }
  for (const r of resources) if (r.kind === 'Namespace') values.namespaceLabels[r.name] ??= { ...r.labels };
  let request: RequestInfo | undefined;
  if (typeof test.userinfo === 'string' && test.userinfo) {
    const u = loadYamlData(resolveIn(dir, test.userinfo), root, diagnostics);
    request = parseUserInfo(u?.data);
  }
  if (Array.isArray(test.checks) && test.checks.length) notes.push(`${test.checks.length} "checks" assertion(s) are not evaluated by Palisade (unsupported)`);
  if (Array.isArray(test.targetResources) && test.targetResources.length) notes.push('targetResources (mutate existing) are not evaluated by Palisade (unsupported)');

  const operation = typeof values.global['request.operation'] === 'string' ? (values.global['request.operation'] as EvaluateOptions['operation']) : undefined;
  const evalOpts = (policy: CompiledPolicy): EvaluateOptions => ({
    ...(operation ? { operation } : {}),
    ...(request ? { request } : {}),
    namespaceLabels: values.namespaceLabels,
    globalValues: values.global,
    subresources: values.subresources,
    exceptions,
    ruleValues: (_p, rule, resName) => {
      const origin = policy.autogen.origin.get(rule);
      const forRule = values.rules.get(`${policy.name}\u0000${rule}`) ?? (origin ? values.rules.get(`${policy.name}\u0000${origin}`) : undefined);
      const forResource = values.resources.get(`${policy.name}\u0000${resName}`);
      return forRule || forResource ? { ...forResource, ...forRule } : undefined;
    },
    foreachValues: (_p, rule) => {
      const origin = policy.autogen.origin.get(rule);
      const fv = values.foreach.get(`${policy.name}\u0000${rule}`) ?? (origin ? values.foreach.get(`${policy.name}\u0000${origin}`) : undefined);
      return fv as Readonly<Record<string, readonly unknown[]>>[] | undefined;
    },
  });

  const cache = new Map<string, RuleResult[]>();
  const resultsFor = (policy: CompiledPolicy, r: Resource): RuleResult[] => {
    const key = `${policy.id}\u0000${r.key}\u0000${policies.indexOf(policy)}`;
    let res = cache.get(key);
    if (!res) {
      res = evaluatePolicy(policy, r.object, evalOpts(policy));
      cache.set(key, res);
    }
    return res;
  };

  const results = Array.isArray(test.results) ? test.results : [];
  if (results.length === 0) notes.push('the test declares no results');
  results.forEach((raw, i) => {
    if (!isObj(raw)) {
      diagnostics.push(diagnostic('PALISADE_SOURCE_BAD_OBJECT', { field: `results[${i}]`, expected: 'a mapping', found: typeof raw }, { file: shownFile }));
      return;
    }
    const policyName = String(raw.policy ?? '');
    const rule = String(raw.rule ?? '');
    const kind = String(raw.kind ?? '');
    const expected = String(raw.result ?? raw.status ?? '');
    const names = Array.isArray(raw.resources) ? strings(raw.resources) : strings(raw.resource);
    const nsFilter = typeof raw.namespace === 'string' ? raw.namespace : undefined;
    const base = { policy: policyName, rule, kind, expected };
    if (!OUTCOMES.includes(expected)) {
      diagnostics.push(diagnostic('PALISADE_SOURCE_BAD_OBJECT', { field: `results[${i}].result`, expected: 'pass, fail, skip, warn or error', found: JSON.stringify(expected) }, { file: shownFile }));
      return;
    }
    if (raw.isValidatingAdmissionPolicy || raw.isValidatingPolicy || raw.isMutatingPolicy || raw.isGeneratingPolicy || raw.isImageValidatingPolicy) {
      for (const n of names.length ? names : ['']) cases.push({ ...base, resource: n, outcome: 'unsupported', reason: 'results of ValidatingAdmissionPolicy and other CEL policy kinds are not checked by the Kyverno runner' });
      return;
    }
    const resourceChecks = ['patchedResource', 'patchedResources', 'generatedResource', 'cloneSourceResource'].filter((k) => typeof raw[k] === 'string' && raw[k] !== '');
    const matchingPolicies = policies.filter((p) => (policyName.includes('/') ? p.id === policyName : p.name === policyName));
    for (const n of names) {
      const [nsPart, namePart] = n.includes('/') ? (n.split('/', 2) as [string, string]) : [undefined, n];
      const matchingResources = resources.filter(
        (r) =>
          (kind === '' || r.kind === kind) &&
          (r.name === namePart || resourceName(r) === n) &&
          (nsPart === undefined || r.namespace === nsPart) &&
          (nsFilter === undefined || nsFilter === '' || r.namespace === nsFilter),
      );
      if (resourceChecks.length) {
        cases.push({ ...base, resource: n, outcome: 'unsupported', reason: `${resourceChecks.join(', ')}: comparing mutated or generated resources is not supported offline by Palisade` });
        continue;
      }
      if (matchingPolicies.length === 0 || matchingResources.length === 0) {
        cases.push({ ...base, resource: n, outcome: 'fail', reason: matchingPolicies.length === 0 ? `Not found: no policy named "${policyName}" in the test` : `Not found: no ${kind || 'resource'} named "${n}" in the test resources` });
        continue;
      }
      for (const policy of matchingPolicies) {
        for (const r of matchingResources) {
          const ruleResults = resultsFor(policy, r).filter((x) => ruleMatches(x.rule, rule));
          if (ruleResults.length === 0) {
            cases.push({
              ...base,
              resource: n,
              actual: 'excluded',
              outcome: 'pass',
              reason: expected === 'skip' ? 'Excluded' : `Excluded: the rule does not apply to this resource (kyverno test counts this as passed; expected ${expected})`,
            });
            continue;
          }
          for (const x of ruleResults) {
            const loc = x.path && r.origin.type === 'manifest' ? r.origin.locate(x.path) : r.origin.type === 'manifest' ? r.origin.locate([]) : undefined;
            const c: KyvernoTestCase = {
              ...base,
              resource: n,
              actual: x.status,
              matchedRule: x.rule,
              message: x.message,
              ...(x.path ? { path: toDotted(x.path) } : {}),
              ...(loc ? { location: `${loc.file}:${loc.line}` } : {}),
              outcome: x.status === expected ? 'pass' : 'fail',
              reason: x.status === expected ? 'Ok' : `Want ${expected}, got ${x.status}`,
            };
            if (x.unsupported) {
              c.outcome = 'unsupported';
              c.reason = `unsupported offline: ${x.unsupported}`;
            }
            cases.push(c);
          }
        }
      }
    }
  });
  return report(name);
}

function mergeValues(a: Values, b: Values): Values {
  return {
    global: { ...a.global, ...b.global },
    rules: new Map([...a.rules, ...b.rules]),
    foreach: new Map([...a.foreach, ...b.foreach]),
    resources: new Map([...a.resources, ...b.resources]),
    namespaceLabels: { ...a.namespaceLabels, ...b.namespaceLabels },
    subresources: [...a.subresources, ...b.subresources],
  };
}

/** A text report: one line per case, failures with the diff, then the summary. */
export function formatKyvernoTestReport(report: KyvernoTestReport, opts: { failOnly?: boolean } = {}): string {
  const lines: string[] = [];
  for (const f of report.files) {
    lines.push(`${f.file} (${f.name})`);
    for (const d of f.diagnostics) lines.push(`  ${d.level}: ${d.file ? `${d.file}${d.line ? `:${d.line}` : ''}: ` : ''}${d.message} [${d.code}]`);
    for (const n of f.notes) lines.push(`  note: ${n}`);
    for (const c of f.cases) {
      if (opts.failOnly && c.outcome === 'pass') continue;
      const mark = c.outcome === 'pass' ? 'PASS' : c.outcome === 'fail' ? 'FAIL' : 'UNSUPPORTED';
      const rule = c.matchedRule && c.matchedRule !== c.rule ? `${c.rule} (${c.matchedRule})` : c.rule;
      lines.push(`  ${mark.padEnd(11)} ${c.policy}/${rule}  ${c.kind}/${c.resource}  expected ${c.expected}${c.actual !== undefined ? `, got ${c.actual}` : ''} — ${c.reason}`);
      if (c.outcome !== 'pass' && c.message) lines.push(`              message: ${c.message}`);
      if (c.outcome !== 'pass' && c.path) lines.push(`              field: ${c.path}${c.location ? ` (${c.location})` : ''}`);
    }
  }
  const { pass, fail, unsupported } = report.counts;
  lines.push('', `Test Summary: ${pass} tests passed and ${fail} tests failed${unsupported ? `, ${unsupported} unsupported` : ''}`);
  return lines.join('\n');
}
