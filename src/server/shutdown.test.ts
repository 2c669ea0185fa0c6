import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import https from 'node:https';
import { openStore } from '../store/index.js';
import { exampleScan, jsonReport, startTestServer } from './test-support.js';

test('graceful shutdown: a request in flight finishes and is recorded; new connections are refused', async () => {
  const t = await startTestServer();
  const body = Buffer.from(jsonReport(await exampleScan()));
  const half = Math.floor(body.length / 2);
  try {
    let answered!: (v: { status: number; text: string }) => void;
    const answer = new Promise<{ status: number; text: string }>((r) => (answered = r));
    const req = https.request(`${t.server.url}/api/v1/ingest/scan?cluster=prod`, {
      method: 'POST',
      agent: new https.Agent({ ca: t.certs.caPem }),
      headers: { authorization: `Bearer ${t.tokens.admin}`, 'content-type': 'application/json', 'content-length': body.length },
    }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => answered({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', (e) => answered({ status: -1, text: e.message }));
    req.write(body.subarray(0, half));
    // The server has the request (in flight) before shutdown starts.
    const deadline = Date.now() + 5000;
    while (t.server.inFlight === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(t.server.inFlight, 1);
    const closing = t.server.close({ graceMs: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    // Not accepting any more.
    const refused = await new Promise<string>((resolve) => {
      https.get(`${t.server.url}/healthz`, { agent: new https.Agent({ ca: t.certs.caPem }) }, () => resolve('answered')).on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    assert.equal(refused, 'ECONNREFUSED');
    req.end(body.subarray(half));
    const a = await answer;
    assert.equal(a.status, 201, a.text);
    await closing;
    await t.store.close();
    const reopened = await openStore(t.dbUrl);
    try {
      const scans = await reopened.listScans({ cluster: 'prod' });
      assert.deepEqual(scans.map((s) => s.id), [JSON.parse(a.text).scanId]);
    } finally {
      await reopened.close();
    }
  } finally {
    t.agent.destroy();
    await t.server.close();
    await t.store.close().catch(() => {});
    t.certs.cleanup();
    rmSync(t.dir, { recursive: true, force: true });
  }
});

test('ingestions beyond --max-ingests get 429 with Retry-After before their body is read', async () => {
  const t = await startTestServer({ server: { limits: { concurrentIngests: 1 } } });
  const body = Buffer.from(jsonReport(await exampleScan()));
  try {
    let answered!: (status: number) => void;
    const first = new Promise<number>((r) => (answered = r));
    const req = https.request(`${t.server.url}/api/v1/ingest/scan?cluster=prod`, {
      method: 'POST',
      agent: new https.Agent({ ca: t.certs.caPem }),
      headers: { authorization: `Bearer ${t.tokens.admin}`, 'content-type': 'application/json', 'content-length': body.length },
    }, (res) => {
      res.resume();
      res.on('end', () => answered(res.statusCode ?? 0));
    });
    req.write(body.subarray(0, 1000));
    const deadline = Date.now() + 5000;
    while (t.server.app.ingesting === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const busy = await t.call('POST', '/api/v1/ingest/audit?cluster=prod', { as: 'admin', body: { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [] } });
    assert.equal(busy.status, 429, busy.text);
    assert.equal(busy.headers['retry-after'], '5');
    req.end(body.subarray(1000));
    assert.equal(await first, 201);
    assert.equal((await t.call('POST', '/api/v1/ingest/scan?cluster=prod', { as: 'admin', body })).status, 201);
  } finally {
    await t.stop();
  }
});

test('readiness fails when the store does not answer; a store failure inside a request is a 500 naming the route, details only in the log', async () => {
  const lines: string[] = [];
  const t = await startTestServer({ server: { log: (level, message) => lines.push(`${level} ${message}`) } });
  try {
    assert.equal((await t.call('GET', '/readyz')).status, 200);
    // Authenticated first (the store answers), then the store goes away.
    await t.store.close();
    const ready = await t.call('GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.match(ready.text, /store does not answer/);
    const broken = await t.call('GET', '/api/v1/me', { as: 'viewer' });
    assert.equal(broken.status, 500);
    assert.equal(broken.json().error.code, 'PALISADE_API_INTERNAL');
    assert.match(broken.json().error.message, /GET \/api\/v1\/me/);
    assert.ok(!/at .*\.js:\d+/.test(broken.text), 'no stack trace to the client');
    assert.ok(lines.some((l) => l.startsWith('error internal error answering GET /api/v1/me')), lines.join('\n'));
    assert.match((await t.call('GET', '/healthz')).text, /^ok/);
  } finally {
    t.agent.destroy();
    await t.server.close();
    t.certs.cleanup();
    rmSync(t.dir, { recursive: true, force: true });
  }
});
