import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { examplesScan } from './__fixtures__/examples.js';
import { BROKEN_YAML, DEPLOYMENT_YAML, exceptApiAndAgent, MULTI_DOC_YAML, POD_JSON, scanSources } from './__fixtures__/scans.js';
import { openReportsFormatter } from './openreports.js';
import { MAX_RESULTS_PER_REPORT, policyReportFormatter, type PolicyReportDoc } from './policyreport.js';

function docs(text: string): PolicyReportDoc[] {
  assert.doesNotMatch(text, /(^|\s)[&*]a\d+(\s|$)/, 'no YAML anchors or aliases: every result is written out');
  const parsed = parseAllDocuments(text);
  for (const d of parsed as { errors: unknown[] }[]) assert.deepEqual(d.errors, []);
  return (parsed as { toJS(): unknown }[]).map((d) => d.toJS() as PolicyReportDoc);
}

const RESULTS = ['pass', 'fail', 'warn', 'error', 'skip'];
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

// Fields the CRDs declare (wgpolicyk8s.io/v1alpha2 PolicyReport, openreports.io/v1alpha1 Report): the API server
// prunes anything else without a word, so a misspelt field would silently vanish.
const REPORT_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'scope', 'scopeSelector', 'summary', 'results']);
const OPENREPORTS_FIELDS = new Set([...REPORT_FIELDS, 'source', 'configuration']);
const RESULT_FIELDS = new Set(['source', 'policy', 'rule', 'category', 'severity', 'timestamp', 'result', 'scored', 'resources', 'resourceSelector', 'message', 'properties']);
const REF_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'name', 'uid', 'resourceVersion', 'fieldPath']);

/** The fields and enums the wgpolicyk8s.io/v1alpha2 and openreports.io/v1alpha1 CRDs declare. */
function assertWellFormed(d: PolicyReportDoc) {
  const fields = d.apiVersion === 'openreports.io/v1alpha1' ? OPENREPORTS_FIELDS : REPORT_FIELDS;
  for (const k of Object.keys(d)) assert.ok(fields.has(k), `${d.apiVersion} has no field ${k}`);
  for (const r of d.results) {
    for (const k of Object.keys(r)) assert.ok(RESULT_FIELDS.has(k), `results[] has no field ${k}`);
    for (const ref of r.resources ?? []) for (const k of Object.keys(ref)) assert.ok(REF_FIELDS.has(k), `ObjectReference has no field ${k}`);
    assert.deepEqual(Object.keys(r.timestamp).sort(), ['nanos', 'seconds']);
  }
  assert.ok(d.metadata.name.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(d.metadata.name), d.metadata.name);
  assert.deepEqual(Object.keys(d.summary).sort(), ['error', 'fail', 'pass', 'skip', 'warn']);
  for (const r of d.results) {
    assert.equal(typeof r.policy, 'string');
    assert.ok(RESULTS.includes(r.result), r.result);
    if (r.severity !== undefined) assert.ok(SEVERITIES.includes(r.severity), r.severity);
    assert.ok(Number.isInteger(r.timestamp.seconds) && Number.isInteger(r.timestamp.nanos) && r.timestamp.nanos < 1e9);
    for (const v of Object.values(r.properties ?? {})) assert.equal(typeof v, 'string', 'properties are map[string]string');
    for (const ref of r.resources ?? []) assert.ok(ref.kind && ref.name && ref.apiVersion);
  }
}

describe('policyReportFormatter', () => {
  it('writes a PolicyReport per namespace and a ClusterPolicyReport, with summaries that count the results', async () => {
    const result = await examplesScan();
    const all = docs(policyReportFormatter.render(result, { color: false }));
    for (const d of all) assertWellFormed(d);
    const namespaced = all.filter((d) => d.kind === 'PolicyReport');
    const cluster = all.filter((d) => d.kind === 'ClusterPolicyReport');
    assert.equal(cluster.length, 1);
    assert.equal(cluster[0]!.metadata.namespace, undefined);
    for (const d of all) assert.equal(d.apiVersion, 'wgpolicyk8s.io/v1alpha2');

    const reported = result.findings.filter((f) => f.status === 'fail' || f.status === 'excepted');
    const namespaces = [...new Set(reported.map((f) => f.resource.namespace).filter(Boolean))].sort();
    assert.deepEqual(namespaced.map((d) => d.metadata.namespace), namespaces);
    for (const d of namespaced) {
      assert.equal(d.metadata.name, `palisade-${d.metadata.namespace}`);
      for (const r of d.results) assert.equal(r.resources![0]!.namespace, d.metadata.namespace);
    }
    for (const d of all) {
      const counted = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
      for (const r of d.results) counted[r.result]++;
      assert.deepEqual(d.summary, counted);
    }

    // Every failing finding is a fail result; every excepted one a skip with its exception.
    const results = all.flatMap((d) => d.results);
    assert.equal(results.filter((r) => r.result === 'fail').length, reported.filter((f) => f.status === 'fail').length);
    const excepted = reported.find((f) => f.status === 'excepted')!;
    const skip = results.find((r) => r.properties?.fingerprint === excepted.fingerprint)!;
    assert.equal(skip.result, 'skip');
    assert.equal(skip.policy, excepted.controlId);
    assert.equal(skip.rule, excepted.messageId);
    assert.equal(skip.properties!.exceptionId, excepted.exception!.id);
    assert.equal(skip.timestamp.seconds, Date.parse(result.startedAt) / 1000);

    // Controls that examined resources and found nothing pass at the cluster scope.
    const clean = result.controls.filter((c) => c.evaluated > 0 && c.failed + c.excepted === 0);
    assert.ok(clean.length > 0);
    assert.deepEqual(cluster[0]!.results.filter((r) => r.result === 'pass').map((r) => r.policy), clean.map((c) => c.meta.id).sort());
    for (const r of cluster[0]!.results.filter((x) => x.result === 'pass')) assert.equal(r.resources, undefined);
  });

  it('locates findings and keeps the millisecond part of the scan time in nanos', () => {
    const result = scanSources([DEPLOYMENT_YAML, MULTI_DOC_YAML, POD_JSON], { exceptionFor: exceptApiAndAgent });
    result.startedAt = '2024-05-01T10:00:00.250Z';
    const all = docs(policyReportFormatter.render(result, { color: false }));
    const shop = all.find((d) => d.metadata.namespace === 'shop')!;
    const r = shop.results[0]!;
    const f = result.findings.find((x) => x.resource.namespace === 'shop')!;
    assert.deepEqual(r.resources, [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' }]);
    assert.equal(r.properties!.file, 'manifests/web deployment.yaml');
    assert.equal(r.properties!.line, String(f.location!.line));
    assert.equal(r.properties!.path, 'spec.template.spec.containers[1].securityContext.privileged');
    assert.equal(r.severity, 'critical');
    assert.equal(r.category, 'workload');
    assert.equal(r.scored, true);
    assert.deepEqual(r.timestamp, { seconds: 1714557600, nanos: 250_000_000 });
  });

  it('reports input errors as error results in the cluster report', () => {
    const all = docs(policyReportFormatter.render(scanSources([BROKEN_YAML, DEPLOYMENT_YAML]), { color: false }));
    const cluster = all.find((d) => d.kind === 'ClusterPolicyReport')!;
    const err = cluster.results.find((r) => r.result === 'error')!;
    assert.equal(err.policy, 'PALISADE_SOURCE_YAML_SYNTAX');
    assert.equal(err.properties!.file, 'broken/bad.yaml');
    assert.equal(cluster.summary.error, 1);
  });

  it('caps the results of one report and says so, keeping the counts', () => {
    const result = scanSources([DEPLOYMENT_YAML]);
    const f = result.findings[0]!;
    result.findings = Array.from({ length: MAX_RESULTS_PER_REPORT + 5 }, (_, i) => ({ ...f, fingerprint: `fp${i}` }));
    const shop = docs(policyReportFormatter.render(result, { color: false })).find((d) => d.metadata.namespace === 'shop')!;
    assert.equal(shop.results.length, MAX_RESULTS_PER_REPORT);
    assert.equal(shop.summary.fail, MAX_RESULTS_PER_REPORT + 5);
    assert.match(shop.metadata.annotations!['palisade.dev/results-truncated']!, /^5 of 2005/);
  });
});

describe('openReportsFormatter', () => {
  it('writes openreports.io Reports and a ClusterReport with the source on the report', async () => {
    const result = await examplesScan();
    const all = docs(openReportsFormatter.render(result, { color: false }));
    for (const d of all) {
      assertWellFormed(d);
      assert.equal(d.apiVersion, 'openreports.io/v1alpha1');
      assert.equal(d.source, 'palisade');
    }
    assert.deepEqual([...new Set(all.map((d) => d.kind))].sort(), ['ClusterReport', 'Report']);
    const pr = docs(policyReportFormatter.render(result, { color: false }));
    assert.deepEqual(all.map((d) => d.results), pr.map((d) => d.results), 'the same results as the PolicyReport');
  });
});
