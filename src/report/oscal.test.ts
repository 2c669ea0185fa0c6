import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { PACKAGE_ROOT } from '../core/version.js';
import type { ScanResult } from '../engine/scan-result.js';
import { examplesScan } from './__fixtures__/examples.js';
import { DEPLOYMENT_YAML, exceptApiAndAgent, MULTI_DOC_YAML, POD_JSON, BROKEN_YAML, scanSources } from './__fixtures__/scans.js';
import { oscalDocument, oscalFormatter, oscalToken, uuidV5 } from './oscal.js';
import oscalSchema from './schemas/oscal-assessment-results-1.1.3.json' with { type: 'json' };

const addFormats = addFormatsModule.default;
// The schema's token pattern uses \p{L} and \p{N}: Ajv compiles patterns with the "u" flag (unicodeRegExp, on by default).
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: true });
addFormats(ajv);
const validate = ajv.compile(oscalSchema);

interface Doc {
  'assessment-results': {
    uuid: string;
    metadata: Record<string, unknown>;
    'import-ap': { href: string };
    results: Array<{
      start: string;
      end: string;
      'reviewed-controls': { 'control-selections': Array<{ props?: { value: string }[]; 'include-controls'?: { 'control-id': string }[] }> };
      'local-definitions': { 'inventory-items'?: Array<{ uuid: string; description: string }> };
      observations?: Array<{ uuid: string; methods: string[]; types: string[]; subjects?: { 'subject-uuid': string }[]; 'relevant-evidence'?: { href?: string; description: string; props: { name: string; value: string }[] }[]; props: { name: string; value: string }[] }>;
      findings?: Array<{ uuid: string; props: { name: string; value: string }[]; target: { type: string; 'target-id': string; status: { state: string; reason?: string } }; 'related-observations'?: { 'observation-uuid': string }[]; 'related-risks'?: { 'risk-uuid': string }[] }>;
      risks?: Array<{ uuid: string; status: string; props: { name: string; value: string }[] }>;
    }>;
    'back-matter': { resources: { uuid: string }[] };
  };
}

function render(result: ScanResult): Doc {
  const doc = JSON.parse(oscalFormatter.render(result, { color: false })) as Doc;
  if (!validate(doc)) assert.fail(`OSCAL does not validate against the 1.1.3 assessment-results schema:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  return doc;
}
const propOf = (props: { name: string; value: string }[] | undefined, name: string) => props?.find((p) => p.name === name)?.value;

describe('OSCAL schema', () => {
  it('is the NIST OSCAL 1.1.3 assessment-results JSON schema, as recorded in schemas/README.md', () => {
    assert.equal(oscalSchema.$id, 'http://csrc.nist.gov/ns/oscal/1.1.3/oscal-ar-schema.json');
    assert.equal(Object.keys(oscalSchema.definitions).length, 79);
    const dir = join(PACKAGE_ROOT, 'src', 'report', 'schemas');
    const sha = createHash('sha256').update(readFileSync(join(dir, 'oscal-assessment-results-1.1.3.json'))).digest('hex');
    assert.ok(readFileSync(join(dir, 'README.md'), 'utf8').includes(sha), 'README records the SHA-256 of the committed schema');
  });

  it('rejects documents that break the model, so validation can fail', () => {
    const doc = JSON.parse(oscalFormatter.render(scanSources([DEPLOYMENT_YAML]), { color: false }));
    assert.equal(validate(doc), true);
    const f = doc['assessment-results'].results[0].findings[0];
    f.target.status.state = 'partially-satisfied';
    assert.equal(validate(doc), false, 'state is satisfied | not-satisfied');
    f.target.status.state = 'satisfied';
    f.target['target-id'] = '5.1.1';
    assert.equal(validate(doc), false, 'target-id must be a token');
    f.target['target-id'] = 'x';
    doc['assessment-results'].uuid = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    assert.equal(validate(doc), false, 'a version-1 UUID is not allowed');
  });
});

describe('oscalFormatter', () => {
  it('validates for the examples scan with every control, framework and the example exceptions', async () => {
    const result = await examplesScan();
    const doc = render(result);
    const ar = doc['assessment-results'];
    const r = ar.results[0]!;
    assert.equal(ar.metadata['oscal-version'], '1.1.3');
    assert.equal(r.start, result.startedAt);
    assert.equal(r.end, '2026-11-25T09:00:01.234Z');
    assert.equal(ar.metadata['last-modified'], r.end, 'the document time is the scan time, not the render time');
    // import-ap points at the back-matter resource describing the implicit plan.
    assert.equal(ar['import-ap'].href, `#${ar['back-matter'].resources[0]!.uuid}`);

    // One control selection per framework, listing its requirements as tokens.
    const selections = r['reviewed-controls']['control-selections'];
    for (const fw of result.frameworks) {
      const sel = selections.find((s) => propOf(s.props as { name: string; value: string }[], 'framework') === fw.id)!;
      assert.deepEqual(sel['include-controls']!.map((c) => c['control-id']), fw.requirements.map((q) => oscalToken(q.id)));
    }

    // One finding per requirement of every framework, with the status mapping.
    const findings = r.findings!;
    assert.equal(findings.length, result.frameworks.reduce((n, fw) => n + fw.requirements.length, 0));
    const obsIds = new Set(r.observations!.map((o) => o.uuid));
    const riskIds = new Set(r.risks!.map((o) => o.uuid));
    let checked = 0;
    for (const fw of result.frameworks) {
      for (const req of fw.requirements) {
        const f = findings.find((x) => propOf(x.props, 'framework') === fw.id && propOf(x.props, 'requirement-id') === req.id)!;
        assert.equal(f.target.type, 'objective-id');
        assert.equal(f.target['target-id'], oscalToken(req.id));
        assert.equal(propOf(f.props, 'requirement-status'), req.status);
        const expected = req.status === 'pass' || req.status === 'partial' ? 'satisfied' : 'not-satisfied';
        assert.equal(f.target.status.state, expected, `${fw.id} ${req.id} is ${req.status}`);
        if (req.status === 'fail') {
          assert.equal(f.target.status.reason, 'fail');
          assert.ok(f['related-risks']?.length, `${fw.id} ${req.id} fails and names its risk`);
        }
        for (const o of f['related-observations'] ?? []) assert.ok(obsIds.has(o['observation-uuid']));
        for (const o of f['related-risks'] ?? []) assert.ok(riskIds.has(o['risk-uuid']));
        checked++;
      }
    }
    assert.ok(checked > 100);
    assert.ok(result.frameworks.some((fw) => fw.requirements.some((q) => q.status === 'manual')), 'the manual mapping is exercised');

    // Observations: one per control run and one per failing or excepted finding, by TEST.
    const reported = result.findings.filter((f) => f.status === 'fail' || f.status === 'excepted');
    assert.equal(r.observations!.length, result.controls.length + reported.length);
    for (const o of r.observations!) assert.deepEqual(o.methods, ['TEST']);
    const items = new Map(r['local-definitions']['inventory-items']!.map((i) => [i.uuid, i]));
    const excepted = reported.find((f) => f.status === 'excepted')!;
    const obs = r.observations!.find((o) => propOf(o['relevant-evidence']?.[0]?.props ?? [], 'fingerprint') === excepted.fingerprint)!;
    assert.equal(propOf(obs.props, 'exception-id'), excepted.exception!.id);
    assert.equal(items.get(obs.subjects![0]!['subject-uuid'])!.description, `${excepted.resource.kind} ${excepted.resource.namespace}/${excepted.resource.name}`);
    const located = r.observations!.find((o) => o['relevant-evidence']?.[0]?.href)!;
    const line = Number(propOf(located['relevant-evidence']![0]!.props, 'line'));
    assert.ok(located['relevant-evidence']![0]!.href!.endsWith(`#L${line}`));

    // Risks: open while a finding is open; deviation-approved when every finding is excepted.
    for (const run of result.controls) {
      const risk = r.risks!.find((x) => propOf(x.props, 'control-id') === run.meta.id);
      if (run.failed + run.excepted === 0) assert.equal(risk, undefined);
      else assert.equal(risk!.status, run.failed ? 'open' : 'deviation-approved');
    }

    // Every per-finding observation hangs off the risk of its control.
    const relatedByRisks = r.risks!.flatMap((x) => (x as { 'related-observations'?: { 'observation-uuid': string }[] })['related-observations'] ?? []).map((o) => o['observation-uuid']);
    const findingObservations = r.observations!.filter((o) => o.types.includes('finding')).map((o) => o.uuid);
    assert.deepEqual([...relatedByRisks].sort(), [...findingObservations].sort());

    // Every UUID is unique within the document.
    const uuids = [...JSON.stringify(doc).matchAll(/"uuid": ?"([0-9a-f-]{36})"/g)].map((m) => m[1]);
    assert.equal(new Set(uuids).size, uuids.length);
  });

  it('is deterministic, and resources keep their UUID across scans', async () => {
    const a = oscalFormatter.render(scanSources([DEPLOYMENT_YAML, MULTI_DOC_YAML]), { color: false });
    const b = oscalFormatter.render(scanSources([DEPLOYMENT_YAML, MULTI_DOC_YAML]), { color: false });
    assert.equal(a, b);
    const later = scanSources([DEPLOYMENT_YAML, MULTI_DOC_YAML]);
    later.startedAt = '2024-06-01T10:00:00.000Z';
    const c = render(later);
    const first = JSON.parse(a) as Doc;
    assert.notEqual(c['assessment-results'].uuid, first['assessment-results'].uuid, 'another scan is another document');
    assert.deepEqual(
      c['assessment-results'].results[0]!['local-definitions']['inventory-items']!.map((i) => i.uuid),
      first['assessment-results'].results[0]!['local-definitions']['inventory-items']!.map((i) => i.uuid),
    );
  });

  it('without frameworks, has one finding per control; input errors are remarks; empty scans validate', () => {
    const doc = render(scanSources([MULTI_DOC_YAML, POD_JSON, BROKEN_YAML], { exceptionFor: exceptApiAndAgent }));
    const r = doc['assessment-results'].results[0]!;
    assert.equal(r.findings!.length, 1);
    assert.equal(r.findings![0]!.target['target-id'], 'PAL-POD-001');
    assert.equal(r.findings![0]!.target.status.state, 'not-satisfied');
    assert.match((r as unknown as { remarks: string }).remarks, /PALISADE_SOURCE_YAML_SYNTAX: broken\/bad\.yaml:\d+: YAML syntax error/);
    render(scanSources([]));
    render(scanSources([], { controls: [] }));
  });
});

describe('OSCAL for live cluster scans', () => {
  it('names the cluster and describes live objects without a file', () => {
    const result = scanSources([DEPLOYMENT_YAML]);
    delete result.findings[0]!.location;
    Object.assign(result, { cluster: 'prod-eu' });
    const doc = render(result);
    const r = doc['assessment-results'].results[0]!;
    assert.match(String(doc['assessment-results'].metadata.title), /prod-eu$/);
    assert.equal(propOf((r as unknown as { props: { name: string; value: string }[] }).props, 'cluster'), 'prod-eu');
    const ev = r.observations!.find((o) => o.types.includes('finding'))!['relevant-evidence']![0]!;
    assert.equal(ev.href, undefined);
    assert.match(ev.description, /^Observed at cluster prod-eu, Deployment shop\/web \(spec\.template/);
  });
});

describe('OSCAL helpers', () => {
  it('makes RFC 4122 version-5 UUIDs', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
    assert.equal(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
    assert.match(uuidV5('x'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('turns requirement ids into OSCAL tokens and leaves tokens alone', () => {
    assert.equal(oscalToken('PAL-POD-001'), 'PAL-POD-001');
    assert.equal(oscalToken('ac-2.1'), 'ac-2.1');
    assert.equal(oscalToken('5.1.1'), '_5.1.1');
    assert.equal(oscalToken('restricted/volume-types'), 'restricted-volume-types');
    assert.equal(oscalToken('Req 8.2 (a)'), 'Req-8.2--a-');
  });

  it('keeps messages on one line where OSCAL strings need it', () => {
    const result = scanSources([DEPLOYMENT_YAML]);
    result.findings[0]!.exception = { id: 'E1', reason: '  two\nlines  ' };
    result.findings[0]!.status = 'excepted';
    const doc = oscalDocument(result) as unknown as Doc;
    const obs = doc['assessment-results'].results[0]!.observations!.find((o) => propOf(o.props, 'exception-id'))!;
    assert.equal(propOf(obs.props, 'exception-reason'), 'two lines');
  });
});
