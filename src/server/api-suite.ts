/**
 * The API scenarios, run against SQLite (api.test.ts) and PostgreSQL (postgres.test.ts).
 */
import assert from 'node:assert/strict';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ScanResult } from '../engine/scan-result.js';
import { alertingEvent, eventList } from '../detect/receiver/test-support.js';
import { FORMATTERS } from '../report/registry.js';
import { apiRoutes } from './api.js';
import { buildOpenApi } from './openapi.js';
import { scanResultFromJson } from './report-json.js';
import { exampleScan, jsonReport, type Answer, type TestServer } from './test-support.js';

/** Validates JSON answers against the schema the OpenAPI document declares for that route and status. */
function schemaChecker(): (method: string, template: string, a: Answer) => void {
  const doc = buildOpenApi(apiRoutes()) as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormatsModule.default(ajv);
  ajv.addSchema(doc, 'openapi.json');
  const cache = new Map<string, ValidateFunction>();
  return (method, template, a) => {
    const op = doc.paths[template]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${template} is not in the OpenAPI document`);
    assert.ok(op.responses[String(a.status)], `${method} ${template} answered ${a.status}, which the document does not declare`);
    if (!String(a.headers['content-type']).startsWith('application/json')) return;
    const key = `${method} ${template} ${a.status}`;
    let v = cache.get(key);
    if (!v) {
      const pointer = `openapi.json#/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${a.status}/content/application~1json/schema`;
      v = ajv.compile({ $ref: pointer });
      cache.set(key, v);
    }
    assert.ok(v(a.json()), `${key}: ${ajv.errorsText(v.errors)}\n${a.text.slice(0, 500)}`);
  };
}

const check = schemaChecker();

async function ingest(t: TestServer, cluster: string, result: ScanResult): Promise<{ scanId: number; opened: number; resolved: number; stillOpen: number }> {
  const a = await t.call('POST', `/api/v1/ingest/scan?cluster=${cluster}`, { as: 'admin', body: jsonReport(result) });
  assert.equal(a.status, 201, a.text);
  check('POST', '/api/v1/ingest/scan', a);
  return a.json();
}

/** An ingested CI scan is served by clusters, scans, findings, frameworks, trend and reports. */
export async function ingestedScanIsServed(t: TestServer): Promise<void> {
  {
    const result = await exampleScan();
    const failing = result.findings.filter((f) => f.status === 'fail');
    assert.ok(failing.length > 3, 'the example has findings');
    const first = await ingest(t, 'prod', result);
    assert.equal(first.opened, result.findings.length);
    assert.equal(first.resolved, 0);

    const clusters = await t.call('GET', '/api/v1/clusters', { as: 'viewer' });
    check('GET', '/api/v1/clusters', clusters);
    assert.deepEqual(clusters.json().items.map((c: { name: string; lastScanId: number }) => [c.name, c.lastScanId]), [['prod', first.scanId]]);

    const scans = await t.call('GET', '/api/v1/scans?cluster=prod', { as: 'viewer' });
    check('GET', '/api/v1/scans', scans);
    assert.equal(scans.json().items.length, 1);
    const scan = await t.call('GET', `/api/v1/scans/${first.scanId}`, { as: 'viewer' });
    check('GET', '/api/v1/scans/{id}', scan);
    assert.equal(scan.json().source, 'ci');
    assert.equal(scan.json().failed, failing.length);
    assert.equal((await t.call('GET', '/api/v1/scans/999', { as: 'viewer' })).status, 404);

    // Findings, page by page: every failing fingerprint exactly once.
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await t.call('GET', `/api/v1/findings?cluster=prod&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as: 'viewer' });
      check('GET', '/api/v1/findings', page);
      const body = page.json();
      assert.ok(body.items.length <= 3);
      seen.push(...body.items.filter((f: { status: string }) => f.status === 'fail').map((f: { fingerprint: string }) => f.fingerprint));
      cursor = body.next;
      pages++;
    } while (cursor && pages < 100);
    assert.deepEqual([...seen].sort(), failing.map((f) => f.fingerprint).sort());

    const one = failing[0]!;
    const detail = await t.call('GET', `/api/v1/findings/${one.fingerprint}?cluster=prod`, { as: 'viewer' });
    check('GET', '/api/v1/findings/{fingerprint}', detail);
    assert.deepEqual(detail.json().path, one.path);
    assert.equal(detail.json().firstScanId, first.scanId);

    const critical = (await t.call('GET', '/api/v1/findings?cluster=prod&severity=high&limit=500', { as: 'viewer' })).json();
    assert.equal(critical.items.length, result.findings.filter((f) => f.severity === 'high').length);
    assert.equal((await t.call('GET', '/api/v1/findings?severity=urgent', { as: 'viewer' })).json().error.field, 'query severity');
    assert.equal((await t.call('GET', '/api/v1/findings?sevrity=high', { as: 'viewer' })).json().error.field, 'query sevrity');
    assert.equal((await t.call('GET', '/api/v1/findings?limit=0', { as: 'viewer' })).status, 400);

    const fws = await t.call('GET', '/api/v1/frameworks', { as: 'viewer' });
    check('GET', '/api/v1/frameworks', fws);
    const byId = new Map(fws.json().items.map((f: { id: string; score: number | null }) => [f.id, f]));
    for (const fw of result.frameworks) assert.equal((byId.get(fw.id) as { score: number | null } | undefined)?.score, fw.score, fw.id);

    const pss = result.frameworks.find((f) => f.id === 'pss-restricted')!;
    const status = await t.call('GET', '/api/v1/frameworks/pss-restricted', { as: 'viewer' });
    check('GET', '/api/v1/frameworks/{id}', status);
    assert.deepEqual(status.json().requirements.map((r: { id: string; status: string }) => [r.id, r.status]), pss.requirements.map((r) => [r.id, r.status]));
    assert.equal((await t.call('GET', '/api/v1/frameworks/no-such', { as: 'viewer' })).status, 404);

    const trend = await t.call('GET', '/api/v1/frameworks/pss-restricted/trend?cluster=prod', { as: 'viewer' });
    check('GET', '/api/v1/frameworks/{id}/trend', trend);
    assert.deepEqual(trend.json().items.map((s: { scanId: number; score: number | null }) => [s.scanId, s.score]), [[first.scanId, pss.score]]);

    // The JSON report of the stored scan reads back into the same findings.
    const report = await t.call('GET', `/api/v1/scans/${first.scanId}/report?format=json`, { as: 'auditor' });
    assert.equal(report.status, 200, report.text);
    assert.match(String(report.headers['content-disposition']), /palisade-scan-\d+\.json/);
    const back = scanResultFromJson(report.json());
    assert.deepEqual(back.findings.map((f) => f.fingerprint).sort(), result.findings.map((f) => f.fingerprint).sort());
    const sarif = await t.call('GET', `/api/v1/scans/${first.scanId}/report?format=sarif`, { as: 'auditor' });
    assert.equal(sarif.status, 200);
    assert.equal(sarif.headers['content-type'], 'application/sarif+json');
    assert.equal(sarif.json().runs[0].results.length, failing.length + result.findings.filter((f) => f.status === 'excepted').length);
    const junit = await t.call('GET', `/api/v1/scans/${first.scanId}/report?format=junit`, { as: 'auditor' });
    assert.match(junit.text, /^<\?xml/);
    assert.equal((await t.call('GET', `/api/v1/scans/${first.scanId}/report?format=docx`, { as: 'auditor' })).json().error.field, 'query format');
    // Every other format of the build answers with its media type and a non-empty body.
    const expected: Record<string, RegExp> = { html: /^text\/html/, csv: /^text\/csv/, oscal: /^application\/json/, policyreport: /^application\/yaml/, openreports: /^application\/yaml/ };
    for (const [format, type] of Object.entries(expected)) {
      if (!FORMATTERS[format]) continue;
      const r = await t.call('GET', `/api/v1/scans/${first.scanId}/report?format=${format}`, { as: 'auditor' });
      assert.equal(r.status, 200, `${format}: ${r.text.slice(0, 300)}`);
      assert.match(String(r.headers['content-type']), type, format);
      assert.ok(r.body.length > 100, format);
    }

    // A second scan with one finding fixed and the legacy app added: resolves one, opens the new ones.
    const fixed = { ...result, findings: result.findings.filter((f) => f.fingerprint !== one.fingerprint) };
    const second = await ingest(t, 'prod', fixed);
    assert.equal(second.resolved, 1);
    assert.equal(second.opened, 0);
    const resolved = (await t.call('GET', '/api/v1/findings?cluster=prod&state=resolved', { as: 'viewer' })).json().items;
    assert.deepEqual(resolved.map((f: { fingerprint: string }) => f.fingerprint), [one.fingerprint]);
    assert.equal(resolved[0].resolvedScanId, second.scanId);
    const wider = await exampleScan(['storefront', 'legacy']);
    const third = await ingest(t, 'prod', wider);
    const newOnes = wider.findings.filter((f) => !fixed.findings.some((g) => g.fingerprint === f.fingerprint)).length;
    assert.equal(third.opened, newOnes);
    assert.ok(third.opened > 0);
    const trend3 = (await t.call('GET', '/api/v1/frameworks/pss-restricted/trend?cluster=prod', { as: 'viewer' })).json().items;
    assert.deepEqual(trend3.map((s: { scanId: number }) => s.scanId), [first.scanId, second.scanId, third.scanId]);

    // Another cluster: frameworks lists both; a framework detail now needs the cluster.
    await ingest(t, 'staging', result);
    const both = (await t.call('GET', '/api/v1/frameworks', { as: 'viewer' })).json().items;
    assert.deepEqual([...new Set(both.map((f: { cluster: string }) => f.cluster))].sort(), ['prod', 'staging']);
    const ambiguous = await t.call('GET', '/api/v1/frameworks/pss-restricted', { as: 'viewer' });
    assert.equal(ambiguous.status, 400);
    assert.equal(ambiguous.json().error.field, 'query cluster');

    const metrics = await t.call('GET', '/metrics', { as: 'viewer' });
    assert.match(metrics.text, /palisade_server_scans_recorded_total\{cluster="prod",source="ci"\} 3/);
    const high = wider.findings.filter((f) => f.status === 'fail' && f.severity === 'high').length;
    assert.match(metrics.text, new RegExp(`palisade_server_findings_open\\{cluster="prod",severity="high"\\} ${high}\\n`));
    assert.match(metrics.text, /palisade_server_http_requests_total\{method="GET",route="\/api\/v1\/findings",code="200"\} \d+/);
    assert.match(metrics.text, /palisade_server_http_request_duration_seconds_bucket\{route="\/api\/v1\/scans\/\{id\}",le="\+Inf"\} 2/);
    assert.match(metrics.text, /palisade_server_auth_failures_total/);
  }
}

/** Ingestion refuses bad bodies with a 4xx that names the problem (the server's scan limit is 200,000 bytes). */
export async function badIngestIsRefused(t: TestServer): Promise<void> {
  {
    const result = await exampleScan();
    const post = (body: string | object, headers: Record<string, string> = {}) => t.call('POST', '/api/v1/ingest/scan?cluster=prod', { as: 'admin', body, headers });
    const notJson = await post('{"schemaVersion": "palisade.scan/v1",');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json().error.code, 'PALISADE_API_BAD_REQUEST');
    assert.match(notJson.json().error.message, /not valid JSON/);
    const doc = JSON.parse(jsonReport(result));
    delete doc.findings[1].resource.kind;
    const bad = await post(doc);
    assert.equal(bad.status, 400);
    assert.equal(bad.json().error.code, 'PALISADE_API_MALFORMED_REPORT');
    assert.equal(bad.json().error.field, 'findings[1].resource.kind');
    assert.match(bad.json().error.message, /findings\[1\]\.resource\.kind: expected a string/);
    const wrongVersion = await post({ ...JSON.parse(jsonReport(result)), schemaVersion: 'palisade.scan/v9' });
    assert.equal(wrongVersion.json().error.field, 'schemaVersion');
    assert.equal((await post(jsonReport(result), { 'content-type': 'text/yaml' })).status, 415);
    const noCluster = await t.call('POST', '/api/v1/ingest/scan', { as: 'admin', body: jsonReport(result) });
    assert.equal(noCluster.json().error.field, 'query cluster');
    const badCluster = await t.call('POST', '/api/v1/ingest/scan?cluster=a%2Fb', { as: 'admin', body: jsonReport(result) });
    assert.equal(badCluster.json().error.field, 'query cluster');

    // Over the limit: refused from Content-Length, and while streaming when there is none.
    const big = JSON.stringify({ ...doc, padding: 'x'.repeat(250_000) });
    const declared = await post(big);
    assert.equal(declared.status, 413);
    assert.equal(declared.json().error.code, 'PALISADE_API_BODY_TOO_LARGE');
    assert.match(declared.json().error.message, /--max-scan-body/);
    const streamed = await new Promise<number>((resolve, reject) => {
      import('node:https').then(({ request }) => {
        const req = request(`${t.server.url}/api/v1/ingest/scan?cluster=prod`, { method: 'POST', agent: t.agent, headers: { authorization: `Bearer ${t.tokens.admin}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve(413) : reject(e)));
        for (let i = 0; i < 30; i++) req.write('x'.repeat(10_000));
        req.end();
      }, reject);
    });
    assert.equal(streamed, 413);
    assert.equal((await t.call('GET', '/api/v1/scans', { as: 'viewer' })).json().items.length, 0, 'nothing was recorded');
    assert.equal((await t.call('PUT', '/api/v1/ingest/scan', { as: 'admin' })).status, 405);
    assert.equal((await t.call('GET', '/api/v1/nothing-here', { as: 'admin' })).status, 404);
  }
}

/** Exceptions: request, approve by another admin, reject, revoke, with an append-only audit trail. */
export async function exceptionWorkflow(t: TestServer): Promise<void> {
  {
    const adminB = (await t.store.createToken('second-admin', 'admin')).secret;
    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const request = { controls: ['PAL-POD-001'], resources: [{ kind: 'Deployment', namespace: 'shop', name: 'web' }], justification: 'vendor image needs it until 2.0 ships', owner: 'team-shop', expires };
    const created = await t.call('POST', '/api/v1/exceptions', { as: 'auditor', body: request });
    assert.equal(created.status, 201, created.text);
    check('POST', '/api/v1/exceptions', created);
    const e = created.json();
    assert.equal(e.state, 'requested');
    assert.equal(e.requestedBy, 'test-auditor');
    assert.match(e.id, /^EXC-\d{8}-[0-9a-f]{8}$/);

    const approved = await t.call('POST', `/api/v1/exceptions/${e.id}/approve`, { as: 'admin', body: { comment: 'reviewed in risk board' } });
    assert.equal(approved.status, 200, approved.text);
    check('POST', '/api/v1/exceptions/{id}/approve', approved);
    assert.equal(approved.json().state, 'approved');
    assert.equal(approved.json().decidedBy, 'test-admin');
    const again = await t.call('POST', `/api/v1/exceptions/${e.id}/approve`, { as: 'admin' });
    assert.equal(again.status, 409, again.text);
    check('POST', '/api/v1/exceptions/{id}/approve', again);
    const revoked = await t.call('POST', `/api/v1/exceptions/${e.id}/revoke`, { as: 'admin', body: {} });
    assert.equal(revoked.json().state, 'revoked');

    // Segregation of duties: an admin cannot approve what it requested; another admin can reject it.
    const own = (await t.call('POST', '/api/v1/exceptions', { as: 'admin', body: { ...request, id: 'EXC-OWN-1' } })).json();
    assert.equal(own.id, 'EXC-OWN-1');
    assert.equal(own.requestedPrincipal, 'test-admin');
    const self = await t.call('POST', '/api/v1/exceptions/EXC-OWN-1/approve', { as: 'admin' });
    assert.equal(self.status, 403);
    check('POST', '/api/v1/exceptions/{id}/approve', self);
    assert.equal(self.json().error.code, 'PALISADE_API_SELF_APPROVAL');
    assert.match(self.json().error.message, /EXC-OWN-1 was requested by test-admin, acting for test-admin; token test-admin acts for the same principal/);
    assert.equal((await t.call('POST', '/api/v1/exceptions/EXC-OWN-1/reject', { as: adminB, body: { comment: 'fix it instead' } })).json().state, 'rejected');
    assert.equal((await t.call('POST', '/api/v1/exceptions', { as: 'admin', body: { ...request, id: 'EXC-OWN-1' } })).status, 409);

    const events = await t.call('GET', `/api/v1/exceptions/${e.id}/events`, { as: 'auditor' });
    check('GET', '/api/v1/exceptions/{id}/events', events);
    assert.deepEqual(events.json().items.map((x: { action: string; actor: string }) => [x.action, x.actor]), [['requested', 'test-auditor'], ['approved', 'test-admin'], ['revoked', 'test-admin']]);
    assert.equal(events.json().items[1].comment, 'reviewed in risk board');
    assert.equal((await t.call('GET', '/api/v1/exceptions/NOPE/events', { as: 'auditor' })).status, 404);
    assert.equal((await t.call('POST', '/api/v1/exceptions/NOPE/approve', { as: 'admin' })).status, 404);

    const list = await t.call('GET', '/api/v1/exceptions?state=rejected', { as: 'viewer' });
    check('GET', '/api/v1/exceptions', list);
    assert.deepEqual(list.json().items.map((x: { id: string }) => x.id), ['EXC-OWN-1']);

    const bad = async (body: object) => (await t.call('POST', '/api/v1/exceptions', { as: 'auditor', body })).json().error.field;
    assert.equal(await bad({ ...request, controls: [] }), 'controls');
    assert.equal(await bad({ ...request, resources: [{}] }), 'resources[0]');
    assert.equal(await bad({ ...request, resources: [{ kind: 'Pod', colour: 'red' }] }), 'resources[0].colour');
    assert.equal(await bad({ ...request, justification: 'because' }), 'justification');
    assert.equal(await bad({ ...request, expires: '2020-01-01' }), 'expires');
    assert.equal(await bad({ ...request, expires: '2030-02-30' }), 'expires');
    assert.equal(await bad({ ...request, approvedBy: 'me' }), 'approvedBy');
    assert.equal((await t.call('POST', `/api/v1/exceptions/${e.id}/reject`, { as: 'admin', body: { comment: 5 } })).json().error.field, 'comment');
  }
}

/** An ingested audit EventList raises alerts and incidents that the alerts endpoint serves (server built with the fixture rules). */
export async function auditIngest(t: TestServer): Promise<void> {
  {
    const events = [alertingEvent(1), alertingEvent(2), { kind: 'NotAnEvent' }];
    const a = await t.call('POST', '/api/v1/ingest/audit?cluster=prod', { as: 'admin', body: eventList(events) });
    assert.equal(a.status, 200, a.text);
    check('POST', '/api/v1/ingest/audit', a);
    assert.equal(a.json().alerts, 2);
    assert.equal(a.json().skipped, 1);
    const alerts = await t.call('GET', '/api/v1/alerts?cluster=prod', { as: 'viewer' });
    check('GET', '/api/v1/alerts', alerts);
    assert.deepEqual(alerts.json().items.map((x: { rule: string }) => x.rule), ['Pod With Unapproved Image', 'Pod With Unapproved Image']);
    assert.ok(alerts.json().items.every((x: { cluster: string }) => x.cluster === 'prod'));
    assert.equal((await t.call('GET', '/api/v1/alerts?cluster=prod&incidents=true', { as: 'viewer' })).json().items.length, a.json().incidents);
    // Detection state lives across batches: the API server resending a batch raises nothing twice.
    const again = await t.call('POST', '/api/v1/ingest/audit?cluster=prod', { as: 'admin', body: eventList(events) });
    assert.equal(again.json().events, 2);
    assert.equal(again.json().alerts, 0);
    assert.equal((await t.call('GET', '/api/v1/alerts?cluster=prod', { as: 'viewer' })).json().items.length, 2);
    // Another cluster has its own state.
    assert.equal((await t.call('POST', '/api/v1/ingest/audit?cluster=staging', { as: 'admin', body: eventList(events) })).json().alerts, 2);
    assert.equal((await t.call('GET', '/api/v1/alerts?since=yesterday', { as: 'viewer' })).json().error.field, 'query since');
    const notList = await t.call('POST', '/api/v1/ingest/audit?cluster=prod', { as: 'admin', body: { kind: 'Event', apiVersion: 'audit.k8s.io/v1' } });
    assert.equal(notList.status, 400);
    assert.equal(notList.json().error.field, 'kind');
    const metrics = (await t.call('GET', '/metrics', { as: 'viewer' })).text;
    assert.match(metrics, /palisade_server_alerts_recorded_total\{cluster="prod"\} 2/);
  }
}

/**
 * Separation of duties by principal: a second token an admin mints for itself acts for the same
 * person and cannot approve that person's requests; a token minted for another person can, and
 * the trail says who minted it and for whom.
 */
export async function principalWorkflow(t: TestServer): Promise<void> {
  const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const request = { controls: ['PAL-POD-001'], resources: [{ namespace: 'shop' }], justification: 'vendor image needs it until 2.0 ships', owner: 'team-shop', expires };
  const me = (await t.call('GET', '/api/v1/tokens', { as: 'admin' })).json().items.find((x: { name: string }) => x.name === 'test-admin');
  assert.equal(me.principal, 'test-admin', 'a token made without a principal acts for itself');
  const mint = async (body: object) => {
    const a = await t.call('POST', '/api/v1/tokens', { as: 'admin', body });
    assert.equal(a.status, 201, a.text);
    check('POST', '/api/v1/tokens', a);
    return a.json() as { token: { id: string; principal: string; createdBy?: string }; secret: string };
  };
  // An alias of one's own: same principal, by default or by the same name in other letters.
  const alias = await mint({ name: 'my-other-admin', role: 'admin' });
  assert.deepEqual([alias.token.principal, alias.token.createdBy], ['test-admin', me.id]);
  const shouted = await mint({ name: 'my-third-admin', role: 'admin', principal: 'TEST-ADMIN' });
  const mine = (await t.call('POST', '/api/v1/exceptions', { as: 'admin', body: { ...request, id: 'EXC-MINE-1' } })).json();
  for (const secret of [alias.secret, shouted.secret]) {
    const a = await t.call('POST', '/api/v1/exceptions/EXC-MINE-1/approve', { as: secret });
    assert.equal(a.status, 403, a.text);
    assert.equal(a.json().error.code, 'PALISADE_API_SELF_APPROVAL');
  }
  // What the alias requests, the original cannot approve either.
  (await t.call('POST', '/api/v1/exceptions', { as: alias.secret, body: { ...request, id: 'EXC-ALIAS-1' } })).json();
  assert.equal((await t.call('POST', '/api/v1/exceptions/EXC-ALIAS-1/approve', { as: 'admin' })).json().error?.code, 'PALISADE_API_SELF_APPROVAL');
  // Tokens minted by the alias act for the same person too.
  const grandchild = (await t.call('POST', '/api/v1/tokens', { as: alias.secret, body: { name: 'ci-from-alias', role: 'admin' } })).json();
  assert.equal(grandchild.token.principal, 'test-admin');
  assert.equal((await t.call('POST', '/api/v1/exceptions/EXC-MINE-1/approve', { as: grandchild.secret })).status, 403);

  // A token for another person approves; the trail names both tokens and both principals.
  const bob = await mint({ name: 'bob-laptop', role: 'admin', principal: 'bob' });
  assert.deepEqual([bob.token.principal, bob.token.createdBy], ['bob', me.id]);
  const approved = await t.call('POST', `/api/v1/exceptions/${mine.id}/approve`, { as: bob.secret, body: { comment: 'second pair of eyes' } });
  assert.equal(approved.status, 200, approved.text);
  assert.deepEqual([approved.json().decidedBy, approved.json().requestedPrincipal], ['bob-laptop', 'test-admin']);
  const events = await t.call('GET', `/api/v1/exceptions/${mine.id}/events`, { as: 'auditor' });
  check('GET', '/api/v1/exceptions/{id}/events', events);
  assert.deepEqual(
    events.json().items.map((x: { action: string; actor: string; principal?: string }) => [x.action, x.actor, x.principal]),
    [['requested', 'test-admin', 'test-admin'], ['approved', 'bob-laptop', 'bob']],
  );
  const listed = await t.call('GET', '/api/v1/tokens', { as: 'admin' });
  check('GET', '/api/v1/tokens', listed);
  const bobListed = listed.json().items.find((x: { id: string }) => x.id === bob.token.id);
  assert.deepEqual([bobListed.principal, bobListed.createdBy], ['bob', me.id]);

  const bad = await t.call('POST', '/api/v1/tokens', { as: 'admin', body: { name: 'x-1', role: 'viewer', principal: '' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json().error.field, 'principal');
}
