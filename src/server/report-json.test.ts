import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toDotted } from '../core/path.js';
import { jsonReport, exampleScan } from './test-support.js';
import { parseDottedPath, ReportError, scanResultFromJson } from './report-json.js';

test('the JSON report reads back into the ScanResult it was written from', async () => {
  const result = await exampleScan(['storefront', 'legacy']);
  const back = scanResultFromJson(JSON.parse(jsonReport(result)));
  assert.deepEqual(back.findings, JSON.parse(JSON.stringify(result.findings)));
  assert.deepEqual(back.frameworks, JSON.parse(JSON.stringify(result.frameworks)));
  assert.deepEqual(back.diagnostics, JSON.parse(JSON.stringify(result.diagnostics)));
  assert.deepEqual(back.resources, result.resources);
  assert.equal(back.files, result.files);
  assert.deepEqual(back.controls.map((c) => [c.meta.id, c.severity, c.evaluated, c.failed, c.excepted]), result.controls.map((c) => [c.meta.id, c.severity, c.evaluated, c.failed, c.excepted]));
  // Built-in controls keep their full metadata (remediation, references) for reports.
  assert.ok(back.controls.every((c) => c.meta.remediation !== ''));
  // And writing it again gives the same report.
  assert.equal(jsonReport(back), jsonReport(result));
});

test('dotted paths round-trip, including keys that look like indexes or contain dots', () => {
  for (const p of [[], ['spec'], ['spec', 'containers', 0, 'image'], ['metadata', 'annotations', 'exempt.palisade.dev/PAL-POD-001'], ['data', '0'], ['a', 'we"ird\\key', 12]]) {
    assert.deepEqual(parseDottedPath(toDotted(p), 'path'), p);
  }
  for (const bad of ['.spec', 'spec..x', 'spec[x]', 'spec["unterminated', 'spec[0]x', '[-1]']) {
    assert.throws(() => parseDottedPath(bad, 'findings[0].path'), (e: unknown) => e instanceof ReportError && e.field === 'findings[0].path', bad);
  }
});

test('each kind of bad report names the field at fault', async () => {
  const good = JSON.parse(jsonReport(await exampleScan()));
  const cases: Array<[string, (d: any) => void, RegExp]> = [
    ['(document)', () => {}, /expected an object/],
    ['schemaVersion', (d) => delete d.schemaVersion, /palisade\.scan\/v1/],
    ['tool.name', (d) => (d.tool.name = 'kubescape'), /palisade/],
    ['startedAt', (d) => (d.startedAt = 'yesterday'), /ISO 8601/],
    ['findings[0].severity', (d) => (d.findings[0].severity = 'urgent'), /severity/],
    ['findings[0].status', (d) => (d.findings[0].status = 'open'), /fail, excepted/],
    ['findings[0].location.line', (d) => (d.findings[0].location.line = 0), /whole number ≥ 1/],
    ['findings[0].fix[0].value', (d) => (d.findings[0].fix = [{ op: 'add', path: '/x' }]), /required/],
    ['findings[0].controlId', (d) => (d.findings[0].controlId = 'PAL-NOPE-999'), /not among the report's controls/],
    ['controls[1].id', (d) => (d.controls[1].id = d.controls[0].id), /appears twice/],
    ['frameworks[0].score', (d) => (d.frameworks[0].score = 101), /0–100/],
    ['frameworks[0].requirements[0].status', (d) => (d.frameworks[0].requirements[0].status = 'green'), /expected one of/],
    ['diagnostics', (d) => (d.diagnostics = {}), /expected an array/],
  ];
  for (const [field, mutate, message] of cases) {
    const doc = field === '(document)' ? [] : structuredClone(good);
    mutate(doc);
    assert.throws(() => scanResultFromJson(doc), (e: unknown) => e instanceof ReportError && e.field === field && message.test(e.detail), field);
  }
});
