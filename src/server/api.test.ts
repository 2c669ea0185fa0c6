import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { join } from 'node:path';
import { allControls, CONTROLS } from '../controls/registry.js';
import { scanManifests } from '../engine/scan.js';
import { builtinFrameworks } from '../frameworks/loader.js';
import { loadPolicies } from '../policy/index.js';
import { untarGz } from '../report/tar.js';
import { RULES_FILE } from '../detect/receiver/test-support.js';
import { auditIngest, badIngestIsRefused, exceptionWorkflow, ingestedScanIsServed, principalWorkflow } from './api-suite.js';
import { AuditPipeline } from './ingest.js';
import { EXAMPLES, exampleScan, jsonReport, startTestServer, type TestServer } from './test-support.js';
import type { ServerOptions } from './serve.js';

async function withServer(server: Partial<ServerOptions>, fn: (t: TestServer) => Promise<void>): Promise<void> {
  const t = await startTestServer({ server });
  try {
    await fn(t);
  } finally {
    await t.stop();
  }
}

test('an ingested CI scan is served by clusters, scans, findings, frameworks, trend and reports (SQLite)', () => withServer({}, ingestedScanIsServed));
test('ingestion refuses bad bodies with a 4xx that names the problem', () => withServer({ limits: { scanBytes: 200_000 } }, badIngestIsRefused));
test('exceptions: request, approve by another admin, reject, revoke, with an append-only audit trail (SQLite)', () => withServer({}, exceptionWorkflow));
test('a second token an admin mints for itself acts for the same principal and cannot approve its requests; one for another person can (SQLite)', () => withServer({}, principalWorkflow));
test('an ingested audit EventList raises alerts and incidents that the alerts endpoint serves (SQLite)', () => withServer({ audit: new AuditPipeline({ ruleFiles: [RULES_FILE] }) }, auditIngest));

test('a stored scan renders as PDF through headless Chromium', () =>
  withServer({}, async (t) => {
    const scan = await t.call('POST', '/api/v1/ingest/scan?cluster=prod', { as: 'admin', body: jsonReport(await exampleScan()) });
    const pdf = await t.call('GET', `/api/v1/scans/${scan.json().scanId}/report?format=pdf`, { as: 'auditor' });
    assert.equal(pdf.status, 200, pdf.text.slice(0, 300));
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdf.body.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.match(String(pdf.headers['content-disposition']), /palisade-scan-\d+\.pdf/);
  }));

test('an evidence bundle of a stored scan: reports, the exception trail and a signed SHA-256 manifest', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await withServer({ signingKey: privateKey }, async (t) => {
    const scan = (await t.call('POST', '/api/v1/ingest/scan?cluster=prod', { as: 'admin', body: jsonReport(await exampleScan()) })).json();
    const expires = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await t.call('POST', '/api/v1/exceptions', { as: 'auditor', body: { id: 'EXC-B', controls: ['*'], resources: [{ namespace: 'shop' }], justification: 'for the bundle test', owner: 'sec', expires } });
    const a = await t.call('GET', `/api/v1/scans/${scan.scanId}/bundle`, { as: 'auditor' });
    assert.equal(a.status, 200, a.text.slice(0, 300));
    assert.equal(a.headers['content-type'], 'application/gzip');
    const files = new Map(untarGz(a.body).map((f) => [f.name, f.data]));
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    assert.equal(manifest.scan.id, scan.scanId);
    assert.equal(manifest.scan.cluster, 'prod');
    for (const entry of manifest.files) assert.equal(createHash('sha256').update(files.get(entry.path)!).digest('hex'), entry.sha256, entry.path);
    assert.ok(verify(null, files.get('manifest.json')!, publicKey, Buffer.from(files.get('manifest.sig')!.toString('utf8').trim(), 'base64')));
    const trail = JSON.parse(files.get('exception-events.json')!.toString('utf8'));
    assert.deepEqual(trail.map((e: { exceptionId: string; action: string }) => [e.exceptionId, e.action]), [['EXC-B', 'requested']]);
    assert.equal((await t.call('GET', '/api/v1/scans/999/bundle', { as: 'auditor' })).status, 404);
  });
});

test("a finding names its control's title and remediation: built-in, from --policy, or as recorded with its scan", async () => {
  const policies = loadPolicies([join(EXAMPLES, 'policies', 'palisade', 'no-latest-tag.yaml')], EXAMPLES, { reservedIds: new Set(Object.keys(CONTROLS)) });
  const acme = policies.controls.find((c) => c.meta.id === 'ACME-002');
  assert.ok(acme && acme.meta.remediation, 'the example policy has a remediation');
  const result = await scanManifests({
    inputs: ['policies/palisade/resources.yaml'],
    root: EXAMPLES,
    controls: [...allControls(), acme],
    settings: { allowedRegistries: [], pssVersion: 'latest' },
    frameworks: [...builtinFrameworks().values()],
  });
  const byPolicy = result.findings.find((f) => f.controlId === 'ACME-002' && f.status === 'fail');
  const builtin = result.findings.find((f) => f.status === 'fail' && CONTROLS[f.controlId]);
  assert.ok(byPolicy && builtin);
  const detail = async (t: TestServer, fingerprint: string, cluster: string) => {
    const a = await t.call('GET', `/api/v1/findings/${fingerprint}?cluster=${cluster}`, { as: 'viewer' });
    assert.equal(a.status, 200, a.text);
    return a.json();
  };
  const ingestCi = async (t: TestServer, cluster: string) =>
    assert.equal((await t.call('POST', `/api/v1/ingest/scan?cluster=${cluster}`, { as: 'admin', body: jsonReport(result) })).status, 201);

  // Started with --policy: a CI report (which carries no remediation) is described by the policy.
  await withServer({ policyControls: [acme] }, async (t) => {
    await ingestCi(t, 'ci');
    const p = await detail(t, byPolicy.fingerprint, 'ci');
    assert.deepEqual([p.title, p.remediation], [acme.meta.title, acme.meta.remediation]);
    const b = await detail(t, builtin.fingerprint, 'ci');
    assert.deepEqual([b.title, b.remediation], [CONTROLS[builtin.controlId]!.meta.title, CONTROLS[builtin.controlId]!.meta.remediation]);
  });
  // Without it: a cluster scan recorded the policy's metadata; a CI report only its title.
  await withServer({}, async (t) => {
    await t.store.recordScan('live', 'cluster', result);
    await ingestCi(t, 'ci');
    const live = await detail(t, byPolicy.fingerprint, 'live');
    assert.deepEqual([live.title, live.remediation], [acme.meta.title, acme.meta.remediation]);
    const ci = await detail(t, byPolicy.fingerprint, 'ci');
    assert.deepEqual([ci.title, ci.remediation], [acme.meta.title, undefined]);
  });
});
