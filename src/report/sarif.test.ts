import { frameworkStatus } from '../frameworks/scoring.js';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { toDotted } from '../core/path.js';
import { allControls } from '../controls/registry.js';
import type { ScanResult } from '../engine/scan-result.js';
import { scanManifests } from '../engine/scan.js';
import {
  BROKEN_YAML,
  crashingControl,
  DEPLOYMENT_YAML,
  exceptApiAndAgent,
  lineOf,
  missingLabelControl,
  MULTI_DOC_YAML,
  NOT_K8S_YAML,
  POD_JSON,
  privilegedControl,
  scanSources,
  untaggedImageControl,
} from './__fixtures__/scans.js';
import { artifactLocation, encodeRelativePath, pascalCase, sarifFormatter, type SarifLog } from './sarif.js';
import sarifSchema from './schemas/sarif-2.1.0.json' with { type: 'json' };

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = addFormatsModule.default;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(sarifSchema);

function render(result: ScanResult): SarifLog {
  const text = sarifFormatter.render(result, { color: false });
  const log = JSON.parse(text) as SarifLog;
  assertValid(log);
  return log;
}

function assertValid(log: unknown): void {
  if (!validateSarif(log)) assert.fail(`SARIF does not validate against the 2.1.0 schema:\n${ajv.errorsText(validateSarif.errors, { separator: '\n' })}`);
}

type Result = SarifLog['runs'][0]['results'][number];
const uriOf = (r: Result) => r.locations[0]!.physicalLocation?.artifactLocation.uri;
const lineOfResult = (r: Result) => r.locations[0]!.physicalLocation?.region?.startLine;

describe('SARIF schema', () => {
  it('is the complete OASIS SARIF 2.1.0 JSON schema (draft-07)', () => {
    assert.equal(sarifSchema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.match(sarifSchema.title, /SARIF\) Version 2\.1\.0/);
    for (const def of ['run', 'result', 'reportingDescriptor', 'suppression', 'notification', 'webResponse']) {
      assert.ok(def in sarifSchema.definitions, `definition ${def}`);
    }
    assert.equal(Object.keys(sarifSchema.definitions).length, 52);
  });

  it('rejects logs that break the spec, so validation can fail', () => {
    const log = render(scanSources([DEPLOYMENT_YAML])) as unknown as { runs: { results: { locations: { physicalLocation: { region: { startLine: number }; artifactLocation: { uri: string } } }[] }[] }[] };
    const region = log.runs[0]!.results[0]!.locations[0]!.physicalLocation.region;
    region.startLine = 0;
    assert.equal(validateSarif(log), false);
    region.startLine = 3;
    log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri = 'manifests/web deployment.yaml';
    assert.equal(validateSarif(log), false, 'an unencoded space is not a URI reference');
    assert.equal(validateSarif({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false, 'driver.name is required');
  });
});

describe('sarifFormatter', () => {
  it('renders findings on YAML, JSON and multi-document files with GitHub-ready locations', () => {
    const files = [DEPLOYMENT_YAML, POD_JSON, MULTI_DOC_YAML];
    const result = scanSources(files);
    const log = render(result);
    const run = log.runs[0];

    assert.equal(log.version, '2.1.0');
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(run.tool.driver.name, 'Palisade');
    assert.equal(run.tool.driver.semanticVersion, '1.2.3');
    assert.deepEqual(run.originalUriBaseIds, { '%SRCROOT%': { uri: 'file:///home/ci/my%20repo/' } });

    // One result per failing finding, in the scan's order.
    assert.equal(run.results.length, result.findings.length);
    assert.deepEqual(
      run.results.map((r) => [decodeURIComponent(uriOf(r)!), lineOfResult(r)]),
      [
        ['manifests/web deployment.yaml', lineOf(DEPLOYMENT_YAML.text, 'privileged: true')],
        ['manifests/pod.json', lineOf(POD_JSON.text, '"privileged": true')],
        ['manifests/multi.yaml', lineOf(MULTI_DOC_YAML.text, 'privileged: true', 0)],
        ['manifests/multi.yaml', lineOf(MULTI_DOC_YAML.text, 'privileged: true', 1)],
      ],
    );

    result.findings.forEach((f, i) => {
      const r = run.results[i]!;
      const loc = r.locations[0]!;
      assert.equal(r.ruleId, 'PAL-POD-001');
      assert.equal(run.tool.driver.rules[r.ruleIndex]!.id, r.ruleId, 'ruleIndex points at the rule');
      assert.equal(r.level, 'error');
      // Relative to %SRCROOT%, percent-encoded, and exactly the finding's line and column.
      assert.equal(loc.physicalLocation!.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.doesNotMatch(uriOf(r)!, /^[a-z][a-z0-9+.-]*:|^\//i, 'uri is relative');
      assert.equal(decodeURIComponent(uriOf(r)!), f.location!.file);
      assert.equal(lineOfResult(r), f.location!.line);
      assert.equal(loc.physicalLocation!.region!.startColumn, f.location!.column);
      const ns = f.resource.namespace;
      assert.deepEqual(loc.logicalLocations, [{ name: f.resource.name, fullyQualifiedName: `${f.resource.kind}/${ns}/${f.resource.name}`, kind: 'resource' }]);
      assert.ok(r.message.text.includes(`${f.resource.kind} ${ns}/${f.resource.name}`), r.message.text);
      assert.ok(r.message.text.includes(f.message));
      assert.deepEqual(r.partialFingerprints, { 'palisade/v1': f.fingerprint });
      assert.equal(r.properties.path, toDotted(f.path));
      assert.equal(r.properties.evidence, true);
      assert.deepEqual(r.properties.fix, f.fix);
      assert.equal(r.suppressions, undefined);
    });
    assert.equal(uriOf(run.results[0]!), 'manifests/web%20deployment.yaml');
    assert.equal(run.results[0]!.properties.path, 'spec.template.spec.containers[1].securityContext.privileged');
    assert.equal(run.results[2]!.properties.path, 'spec.initContainers[0].securityContext.privileged');
  });

  it('describes each control that ran as a rule GitHub can grade', () => {
    const result = scanSources([DEPLOYMENT_YAML, MULTI_DOC_YAML], { controls: [missingLabelControl, untaggedImageControl, privilegedControl()] });
    const { rules } = render(result).runs[0].tool.driver;
    assert.deepEqual(rules.map((r) => r.id), ['PAL-POD-001', 'PAL-TEST-010', 'PAL-TEST-020'], 'sorted by id');

    const [pod, image, owner] = rules as [(typeof rules)[0], (typeof rules)[0], (typeof rules)[0]];
    assert.equal(pod.name, 'PrivilegedContainer');
    assert.equal(pod.shortDescription!.text, 'Containers must not run privileged');
    assert.equal(pod.fullDescription!.text, privilegedControl().meta.description);
    assert.equal(pod.helpUri, privilegedControl().meta.references![0]);
    assert.ok(pod.help!.text.includes(privilegedControl().meta.rationale));
    assert.ok(pod.help!.text.includes(privilegedControl().meta.remediation));
    assert.ok(pod.help!.markdown!.includes('[T1611](https://attack.mitre.org/techniques/T1611/)'));
    assert.deepEqual(pod.defaultConfiguration, { level: 'error' });
    assert.deepEqual(pod.properties!.tags, ['workload', 'security', 'T1611', 'T1610']);
    assert.equal(pod.properties!['security-severity'], '9.5');
    assert.equal(pod.properties!.precision, 'high');

    assert.equal(image.name, 'UntaggedImage');
    assert.deepEqual(image.defaultConfiguration, { level: 'warning' });
    assert.equal(image.properties!['security-severity'], '5.5');
    assert.equal(image.helpUri, undefined, 'no references, no helpUri');

    assert.deepEqual(owner.defaultConfiguration, { level: 'note' });
    assert.equal(owner.properties!['security-severity'], '3.0');
    assert.equal(owner.helpUri, 'https://example.com/owners', 'the first absolute reference');
    assert.ok(owner.help!.markdown!.includes('(https://attack.mitre.org/techniques/T1053/007/)'));
    for (const r of rules) assert.match(String(r.properties!['security-severity']), /^\d+\.\d$/);

    // Results of every severity point at their rule and carry its level.
    const results = render(result).runs[0].results;
    for (const r of results) assert.equal(r.level, rules[r.ruleIndex]!.defaultConfiguration!.level);
    const ownerResult = results.find((r) => r.ruleId === 'PAL-TEST-020')!;
    assert.equal(ownerResult.properties.path, 'metadata.labels.owner');
    assert.equal(ownerResult.properties.locatedPath, 'metadata', 'the label does not exist; its nearest parent is located');
    assert.equal(results.find((r) => r.ruleId === 'PAL-TEST-010')!.properties.evidence, 'busybox');
  });

  it('maps info severity to note with security-severity 0.0 and reports control crashes as notifications', () => {
    const result = scanSources([MULTI_DOC_YAML], { controls: [crashingControl] });
    const run = render(result).runs[0];
    assert.deepEqual(run.tool.driver.rules[0]!.defaultConfiguration, { level: 'note' });
    assert.equal(run.tool.driver.rules[0]!.properties!['security-severity'], '0.0');
    const notes = run.invocations[0]!.toolExecutionNotifications;
    assert.equal(notes.length, 1);
    assert.equal(notes[0]!.level, 'warning');
    assert.equal(notes[0]!.descriptor.id, 'PALISADE_ENGINE_CONTROL_FAILED');
    assert.equal(run.invocations[0]!.executionSuccessful, true, 'warnings do not fail the run');
  });

  it('reports input diagnostics as tool execution notifications with file and line', () => {
    const result = scanSources([BROKEN_YAML, NOT_K8S_YAML, DEPLOYMENT_YAML]);
    assert.ok(result.diagnostics.length >= 2);
    const run = render(result).runs[0];
    const inv = run.invocations[0]!;
    assert.equal(inv.executionSuccessful, false, 'an input error means part of the input was not judged');
    assert.equal(inv.startTimeUtc, '2024-05-01T10:00:00.000Z');
    assert.equal(inv.endTimeUtc, '2024-05-01T10:00:01.234Z');
    assert.equal(inv.toolExecutionNotifications.length, result.diagnostics.length);
    result.diagnostics.forEach((d, i) => {
      const n = inv.toolExecutionNotifications[i]!;
      assert.equal(n.level, d.level);
      assert.equal(n.message.text, d.message);
      assert.equal(n.descriptor.id, d.code);
      const pl = n.locations![0]!.physicalLocation!;
      assert.equal(decodeURIComponent(pl.artifactLocation.uri), d.file);
      assert.equal(pl.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.equal(pl.region?.startLine, d.line);
    });
    const syntax = inv.toolExecutionNotifications.find((n) => n.descriptor.id === 'PALISADE_SOURCE_YAML_SYNTAX')!;
    assert.equal(syntax.level, 'error');
    assert.equal(syntax.locations![0]!.physicalLocation!.artifactLocation.uri, 'broken/bad.yaml');
    assert.equal(inv.toolExecutionNotifications.find((n) => n.descriptor.id === 'PALISADE_SOURCE_NOT_K8S')!.level, 'note');
    // The good file is still reported.
    assert.equal(run.results.length, 1);
  });

  it('keeps excepted findings as results with an accepted suppression', () => {
    const result = scanSources([MULTI_DOC_YAML, POD_JSON], { exceptionFor: exceptApiAndAgent });
    assert.deepEqual(result.findings.map((f) => f.status), ['excepted', 'fail', 'excepted']);
    const run = render(result).runs[0];
    assert.equal(run.results.length, 3);
    const [api, daemon, agent] = run.results as [Result, Result, Result];
    assert.deepEqual(api.suppressions, [
      { kind: 'external', state: 'accepted', justification: 'setup needs host access once', properties: { exceptionId: 'EXC-7', owner: 'team-ops', expires: '2030-01-31' } },
    ]);
    assert.equal(api.level, 'error', 'the severity stays visible');
    assert.equal(daemon.suppressions, undefined);
    assert.deepEqual(agent.suppressions, [{ kind: 'inSource', state: 'accepted', justification: 'agent is the node monitor', properties: { exceptionId: 'annotation' } }]);
  });

  it('renders an empty scan as a valid log with the rules and no results', () => {
    const none = render(scanSources([]));
    assert.deepEqual(none.runs[0].results, []);
    assert.deepEqual(none.runs[0].tool.driver.rules.map((r) => r.id), ['PAL-POD-001']);
    assert.equal(none.runs[0].invocations[0]!.executionSuccessful, true);
    assert.deepEqual(none.runs[0].invocations[0]!.toolExecutionNotifications, []);

    const bare = render(scanSources([], { controls: [] }));
    assert.deepEqual(bare.runs[0].tool.driver.rules, []);
  });

  it('is deterministic and independent of the order controls ran in', () => {
    const controls = [untaggedImageControl, privilegedControl(), missingLabelControl];
    const a = sarifFormatter.render(scanSources([DEPLOYMENT_YAML, MULTI_DOC_YAML], { controls }), { color: false });
    const b = sarifFormatter.render(scanSources([DEPLOYMENT_YAML, MULTI_DOC_YAML], { controls: [...controls].reverse() }), { color: false });
    assert.equal(a, sarifFormatter.render(scanSources([DEPLOYMENT_YAML, MULTI_DOC_YAML], { controls }), { color: false }));
    const rulesOf = (s: string) => (JSON.parse(s) as SarifLog).runs[0].tool.driver.rules;
    assert.deepEqual(rulesOf(a), rulesOf(b));
    assert.ok(a.endsWith('}\n'));
  });

  it('points at files outside the root by absolute file URI and keeps stdin out of artifacts', () => {
    const result = scanSources([
      { file: '/srv/other place/pod.yaml', text: DEPLOYMENT_YAML.text },
      { file: '<stdin>', text: DEPLOYMENT_YAML.text },
    ]);
    const [outside, stdin] = render(result).runs[0].results as [Result, Result];
    assert.deepEqual(outside.locations[0]!.physicalLocation!.artifactLocation, { uri: 'file:///srv/other%20place/pod.yaml' });
    assert.equal(stdin.locations[0]!.physicalLocation, undefined);
    assert.deepEqual(stdin.properties.location, { file: '<stdin>', line: lineOf(DEPLOYMENT_YAML.text, 'privileged: true'), column: 13 });
    assert.equal(stdin.locations[0]!.logicalLocations![0]!.fullyQualifiedName, 'Deployment/shop/web');
  });

  it('validates with every registered control', () => {
    render(scanSources([DEPLOYMENT_YAML, POD_JSON, MULTI_DOC_YAML, BROKEN_YAML], { controls: allControls(), exceptionFor: exceptApiAndAgent }));
  });

  it('resolves result locations to the offending line of the real file (scan of a directory)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-sarif-'));
    try {
      for (const f of [DEPLOYMENT_YAML, POD_JSON, MULTI_DOC_YAML, { file: 'manifests/ünïcode #1.yaml', text: POD_JSON.text.replace('"agent"', '"agent2"') }]) {
        mkdirSync(join(dir, 'manifests'), { recursive: true });
        writeFileSync(join(dir, f.file), f.text);
      }
      const result = await scanManifests({ inputs: ['.'], root: dir, controls: [privilegedControl()], settings: { allowedRegistries: [], pssVersion: 'latest' } });
      const run = render(result).runs[0];
      assert.equal(run.results.length, 5);
      const base = run.originalUriBaseIds['%SRCROOT%']!.uri;
      assert.ok(base.endsWith('/'));
      for (const r of run.results) {
        const file = fileURLToPath(new URL(uriOf(r)!, base));
        const line = readFileSync(file, 'utf8').split('\n')[lineOfResult(r)! - 1]!;
        assert.match(line, /privileged"?: true/, `${file}:${lineOfResult(r)}`);
      }
      assert.ok(run.results.some((r) => uriOf(r) === 'manifests/%C3%BCn%C3%AFcode%20%231.yaml'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SARIF helpers', () => {
  it('encodes each path segment of a relative path', () => {
    assert.equal(encodeRelativePath('a b/c#d?e%f.yaml'), 'a%20b/c%23d%3Fe%25f.yaml');
    assert.equal(encodeRelativePath('./k8s\\app.yaml'), 'k8s/app.yaml');
    assert.equal(encodeRelativePath('c:odd.yaml'), 'c%3Aodd.yaml', 'a colon in the first segment would read as a scheme');
  });

  it('knows which files are artifacts', () => {
    assert.deepEqual(artifactLocation('x/y.yaml'), { uri: 'x/y.yaml', uriBaseId: '%SRCROOT%' });
    assert.equal(artifactLocation('<stdin>'), undefined);
    assert.deepEqual(artifactLocation('/abs/p.yaml'), { uri: 'file:///abs/p.yaml' });
  });

  it('turns slugs into PascalCase rule names', () => {
    assert.equal(pascalCase('privileged-container'), 'PrivilegedContainer');
    assert.equal(pascalCase('host-pid-ns'), 'HostPidNs');
    assert.equal(pascalCase('rbac-wildcard_verbs'), 'RbacWildcardVerbs');
  });
});

describe('SARIF compliance summary', () => {
  it('carries per-framework status in run.properties and requirement ids on rules, and still validates', () => {
    const result = scanSources([DEPLOYMENT_YAML]);
    const fw = {
      id: 'demo',
      title: 'Demo framework',
      version: '1',
      publisher: 'tests',
      description: 'd',
      file: 'demo.yaml',
      requirements: [
        { id: 'R1', title: 'No privileged containers', assessment: 'automated' as const, controls: [result.controls[0]!.meta.id] },
        { id: 'R2', title: 'Written policy', assessment: 'manual' as const, controls: [] },
      ],
    };
    result.frameworks = [frameworkStatus(fw, result.controls)];
    const log = render(result);
    const props = log.runs[0].properties as { frameworks: { id: string; score: number | null; counts: Record<string, number>; failing: { id: string }[] }[] };
    assert.equal(props.frameworks[0]!.id, 'demo');
    assert.equal(props.frameworks[0]!.counts.manual, 1);
    assert.deepEqual(props.frameworks[0]!.failing.map((r) => r.id), result.controls[0]!.failed > 0 ? ['R1'] : []);
    assert.equal(props.frameworks[0]!.score, result.controls[0]!.failed > 0 ? 0 : 100);
    const rule = log.runs[0].tool.driver.rules.find((r) => r.id === result.controls[0]!.meta.id)!;
    assert.deepEqual((rule.properties as { compliance: string[] }).compliance, ['demo R1']);
  });
});
