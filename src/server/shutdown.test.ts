import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../store/index.js';
import { startPostgres } from '../store/test-support.js';
import { storeError } from './api.js';
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

test('readiness fails when the store does not answer; API requests get 503 with Retry-After, a bug inside a request is a 500 naming the route, details only in the log', async () => {
  const lines: string[] = [];
  const t = await startTestServer({ server: { log: (level, message) => lines.push(`${level} ${message}`) } });
  try {
    assert.equal((await t.call('GET', '/readyz')).status, 200);
    // A bug (not the store being away): 500, no stack trace to the client.
    const listClusters = t.store.listClusters;
    t.store.listClusters = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'name')");
    };
    const broken = await t.call('GET', '/api/v1/clusters', { as: 'viewer' });
    t.store.listClusters = listClusters;
    assert.equal(broken.status, 500);
    assert.equal(broken.json().error.code, 'PALISADE_API_INTERNAL');
    assert.match(broken.json().error.message, /GET \/api\/v1\/clusters/);
    assert.ok(!/at .*\.js:\d+/.test(broken.text), 'no stack trace to the client');
    assert.ok(lines.some((l) => l.startsWith('error internal error answering GET /api/v1/clusters')), lines.join('\n'));

    // The store goes away (closed under the server): the client is told to retry.
    await t.store.close();
    const ready = await t.call('GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.match(ready.text, /store does not answer/);
    const away = await t.call('GET', '/api/v1/me', { as: 'viewer' });
    assert.equal(away.status, 503, away.text);
    assert.equal(away.json().error.code, 'PALISADE_API_STORE_UNAVAILABLE');
    assert.equal(away.headers['retry-after'], '5');
    assert.ok(!/at .*\.js:\d+/.test(away.text), 'no stack trace to the client');
    assert.match((await t.call('GET', '/healthz')).text, /^ok/);
  } finally {
    t.agent.destroy();
    await t.server.close();
    t.certs.cleanup();
    rmSync(t.dir, { recursive: true, force: true });
  }
});

test('PostgreSQL stopped under a running server: API requests get 503 PALISADE_API_STORE_UNAVAILABLE with Retry-After, not 500', async () => {
  const pg = await startPostgres();
  let stopped = false;
  const t = await startTestServer({ dbUrl: await pg.newDatabase() });
  try {
    assert.equal((await t.call('GET', '/api/v1/clusters', { as: 'viewer' })).status, 200);
    await pg.stop();
    stopped = true;
    // Before and after the pool notices its connections are gone.
    for (const path of ['/api/v1/me', '/api/v1/clusters', '/api/v1/findings', '/api/v1/me']) {
      const a = await t.call('GET', path, { as: 'viewer' });
      assert.equal(a.status, 503, `${path}: ${a.text}`);
      assert.equal(a.json().error.code, 'PALISADE_API_STORE_UNAVAILABLE');
      assert.equal(a.headers['retry-after'], '5');
    }
    assert.equal((await t.call('GET', '/readyz')).status, 503);
  } finally {
    if (!stopped) await pg.stop();
    await t.stop();
  }
});

test('SQLite locked beyond its busy timeout is the store being unavailable; other store errors are not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pal-busy-'));
  const file = join(dir, 'p.db');
  const holder = new Database(file);
  const other = new Database(file, { timeout: 0 });
  try {
    holder.exec('CREATE TABLE t (x)');
    holder.exec('BEGIN EXCLUSIVE');
    let busy: unknown;
    try {
      other.exec('INSERT INTO t VALUES (1)');
    } catch (e) {
      busy = e;
    }
    assert.equal((busy as { code?: string }).code, 'SQLITE_BUSY');
    const mapped = storeError(busy);
    assert.equal(mapped?.status, 503);
    assert.equal(mapped?.code, 'PALISADE_API_STORE_UNAVAILABLE');
    assert.equal(mapped?.headers['retry-after'], '5');
    let syntax: unknown;
    try {
      other.exec('SELEC 1');
    } catch (e) {
      syntax = e;
    }
    assert.equal(storeError(syntax), undefined, 'a bad statement is a bug, not unavailability');
    assert.equal(storeError(new TypeError("Cannot read properties of undefined (reading 'x')")), undefined);
  } finally {
    holder.close();
    other.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
