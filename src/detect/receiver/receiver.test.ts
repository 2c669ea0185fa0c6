import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempCerts } from '../../admission/test-support.js';
import { issueCertificate } from '../../admission/x509.js';
import { alertingEvent, bearer, eventList, post, readAlerts, startTestReceiver, TOKEN, waitFor, type TestReceiver } from './test-support.js';

const started: TestReceiver[] = [];
after(async () => {
  for (const t of started) await t.stop().catch(() => {});
});
async function receiver(opts: Parameters<typeof startTestReceiver>[0] = {}): Promise<TestReceiver> {
  const t = await startTestReceiver(opts);
  started.push(t);
  return t;
}

let n = 0;
const batch = (count: number) => Array.from({ length: count }, () => alertingEvent(++n));

describe('audit receiver: batches', () => {
  it('answers 200 after spooling v1 and v1beta1 EventLists and writes one alert per event', async () => {
    const t = await receiver();
    const a = await post(`${t.receiver.url}/audit`, t.agent, eventList(batch(3)), bearer());
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(JSON.parse(a.text), { accepted: 3, skipped: 0 });
    const beta = batch(2).map((e) => ({ ...e, apiVersion: 'audit.k8s.io/v1beta1', timestamp: e.stageTimestamp }));
    assert.equal((await post(`${t.receiver.url}/audit`, t.agent, eventList(beta, 'audit.k8s.io/v1beta1'), bearer())).status, 200);
    await waitFor(() => readAlerts(t.alertsFile).length === 5);
    const alerts = readAlerts(t.alertsFile);
    assert.ok(alerts.every((x) => x.rule === 'Pod With Unapproved Image'));
    assert.match(alerts[0]!.output, /pod=pod-\d+ ns=shop images=\(evil\.example\.net\/miner:1\.0\)/);
    const metrics = await post(`${t.receiver.url}/metrics`, t.agent, undefined, {}, 'GET');
    assert.match(metrics.text, /^palisade_audit_events_received_total 5$/m);
    assert.match(metrics.text, /^palisade_audit_batches_total\{code="200"\} 2$/m);
    assert.equal((await post(`${t.receiver.url}/healthz`, t.agent, undefined, {}, 'GET')).status, 200);
    assert.equal((await post(`${t.receiver.url}/readyz`, t.agent, undefined, {}, 'GET')).status, 200);
  });

  it('skips items that are not audit Events and still accepts the others', async () => {
    const t = await receiver();
    const a = await post(`${t.receiver.url}/audit`, t.agent, eventList([...batch(1), { hello: 'world' }]), bearer());
    assert.equal(a.status, 200);
    assert.deepEqual(JSON.parse(a.text), { accepted: 1, skipped: 1 });
  });

  it('drops a resent batch (same auditID and stage) instead of alerting twice', async () => {
    const t = await receiver();
    const body = eventList(batch(4));
    assert.equal((await post(`${t.receiver.url}/audit`, t.agent, body, bearer())).status, 200);
    assert.equal((await post(`${t.receiver.url}/audit`, t.agent, body, bearer())).status, 200);
    await waitFor(() => t.consumer.processed === 8);
    assert.equal(t.consumer.duplicates, 4);
    await waitFor(() => readAlerts(t.alertsFile).length === 4);
  });
});

describe('audit receiver: refusals', () => {
  it('answers 400 with a JSON Status for a body that is not JSON, a wrong kind or apiVersion, or items that are no list', async () => {
    const t = await receiver();
    const cases: [string, RegExp][] = [
      ['{"kind": "EventList", ', /malformed audit batch: the body is not JSON/],
      [JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items: [] }), /kind is "PodList"; expected EventList/],
      [JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v2', items: [] }), /apiVersion is "audit\.k8s\.io\/v2"/],
      [JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: {} }), /items is not a list/],
      ['[1,2]', /expected a JSON object/],
    ];
    for (const [body, message] of cases) {
      const a = await post(`${t.receiver.url}/audit`, t.agent, body, bearer());
      assert.equal(a.status, 400, body);
      const status = JSON.parse(a.text) as { kind: string; code: number; message: string; details: { causes: { reason: string }[] } };
      assert.equal(status.kind, 'Status');
      assert.equal(status.code, 400);
      assert.match(status.message, message);
      assert.equal(status.details.causes[0]!.reason, 'PALISADE_AUDIT_MALFORMED_BATCH');
      assert.equal(a.headers['retry-after'], undefined, 'a bad request is not worth retrying');
    }
    assert.equal((await post(`${t.receiver.url}/audit`, t.agent, eventList([]), { ...bearer(), 'content-type': 'text/plain' })).status, 415);
    assert.equal((await post(`${t.receiver.url}/audit`, t.agent, undefined, bearer(), 'GET')).status, 405);
    assert.equal((await post(`${t.receiver.url}/nope`, t.agent, undefined, {}, 'GET')).status, 404);
  });

  it('answers 413 to a body over --max-body, declared or streamed', async () => {
    const t = await receiver({ maxBodyBytes: 4096 });
    const big = eventList(batch(20));
    assert.ok(big.length > 4096);
    const declared = await post(`${t.receiver.url}/audit`, t.agent, big, bearer());
    assert.equal(declared.status, 413);
    assert.match(declared.text, /larger than 4096 bytes/);
    // Without Content-Length (chunked), the limit applies while reading.
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = https.request(`${t.receiver.url}/audit`, { method: 'POST', agent: t.agent, headers: { 'content-type': 'application/json', ...bearer() } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(big.slice(i * 1000, (i + 1) * 1000));
      req.end();
    });
    assert.equal(streamed, 413);
  });

  it('answers 401 without a bearer token and with a wrong one', async () => {
    const t = await receiver();
    const none = await post(`${t.receiver.url}/audit`, t.agent, eventList(batch(1)));
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    assert.match(none.text, /a bearer token is required/);
    const wrong = await post(`${t.receiver.url}/audit`, t.agent, eventList(batch(1)), bearer(TOKEN + 'x'));
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /the bearer token is not valid/);
    assert.equal((await post(`${t.receiver.url}/audit`, t.agent, eventList(batch(1)), { authorization: `Basic ${TOKEN}` })).status, 401);
    assert.equal(t.spool.usedBytes, 0, 'nothing was spooled');
    // Probes need no credentials (the kubelet has none).
    assert.equal((await post(`${t.receiver.url}/healthz`, t.agent, undefined, {}, 'GET')).status, 200);
  });

  it('with --client-ca: 401 without a certificate, 403 with one from another CA, 200 with a good one', async () => {
    const certs = tempCerts();
    const ca = issueCertificate({ commonName: 'audit-clients', isCA: true, days: 30 });
    const client = issueCertificate({ commonName: 'kube-apiserver', usage: 'client', days: 30, issuer: { cert: ca, commonName: 'audit-clients' } });
    const rogueCa = issueCertificate({ commonName: 'audit-clients', isCA: true, days: 30 });
    const rogue = issueCertificate({ commonName: 'kube-apiserver', usage: 'client', days: 30, issuer: { cert: rogueCa, commonName: 'audit-clients' } });
    const caFile = join(certs.dir, 'clients-ca.crt');
    writeFileSync(caFile, ca.certPem);
    const t = await receiver({ certs, auth: { kind: 'client-cert', caFile } });
    const agentWith = (c?: { certPem: string; keyPem: string }) => new https.Agent({ ca: certs.caPem, ...(c ? { cert: c.certPem, key: c.keyPem } : {}) });
    const none = await post(`${t.receiver.url}/audit`, agentWith(), eventList(batch(1)));
    assert.equal(none.status, 401);
    const bad = await post(`${t.receiver.url}/audit`, agentWith(rogue), eventList(batch(1)));
    assert.equal(bad.status, 403);
    assert.match(bad.text, /not signed by the configured client CA/);
    const good = await post(`${t.receiver.url}/audit`, agentWith(client), eventList(batch(2)));
    assert.equal(good.status, 200, good.text);
    await waitFor(() => readAlerts(t.alertsFile).length === 2);
  });
});

describe('audit receiver: back-pressure and durability budget', () => {
  it('answers 429 with Retry-After while the queue is full, and 200 again once it drains', async () => {
    const t = await receiver({ queueSize: 5 });
    t.consumer.pause();
    assert.equal((await post(`${t.receiver.url}/audit`, t.agent, eventList(batch(10)), bearer())).status, 200);
    assert.equal(t.receiver.pending, 10);
    const full = await post(`${t.receiver.url}/audit`, t.agent, eventList(batch(1)), bearer());
    assert.equal(full.status, 429);
    assert.equal(full.headers['retry-after'], '3');
    const status = JSON.parse(full.text) as { reason: string; details: { retryAfterSeconds: number } };
    assert.equal(status.reason, 'TooManyRequests');
    assert.equal(status.details.retryAfterSeconds, 3, 'client-go reads the delay from the Status as well');
    t.consumer.resume();
    await waitFor(() => t.receiver.pending === 0);
    assert.equal((await post(`${t.receiver.url}/audit`, t.agent, eventList(batch(1)), bearer())).status, 200);
    await waitFor(() => readAlerts(t.alertsFile).length === 11);
  });

  it('answers 503 with Retry-After when the spool is over its disk budget', async () => {
    const t = await receiver({ spoolMaxBytes: 6000 });
    t.consumer.pause();
    let last = 0;
    for (let i = 0; i < 10 && last !== 503; i++) last = (await post(`${t.receiver.url}/audit`, t.agent, eventList(batch(2)), bearer())).status;
    assert.equal(last, 503);
    const a = await post(`${t.receiver.url}/audit`, t.agent, eventList(batch(2)), bearer());
    assert.equal(a.status, 503);
    assert.equal(a.headers['retry-after'], '3');
    assert.match(a.text, /over its disk budget/);
    assert.ok(t.spool.usedBytes <= 6000);
  });

  it('rotates segments and deletes the processed ones', async () => {
    const t = await receiver({ segmentBytes: 4096 });
    for (let i = 0; i < 10; i++) assert.equal((await post(`${t.receiver.url}/audit`, t.agent, eventList(batch(5)), bearer())).status, 200);
    await waitFor(() => t.receiver.pending === 0 && t.spool.segments.length === 1);
    assert.ok(t.spool.segments[0]!.seq > 5, `rotated: now at segment ${t.spool.segments[0]!.seq}`);
    await waitFor(() => readAlerts(t.alertsFile).length === 50);
  });

  it('on close, refuses new batches, finishes those in flight and processes the spool', async () => {
    const t = await receiver();
    t.consumer.pause();
    const sends = Array.from({ length: 4 }, () => post(`${t.receiver.url}/audit`, t.agent, eventList(batch(25)), bearer()));
    const answers = await Promise.all(sends);
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200]);
    const closing = t.receiver.close({ graceMs: 5000 });
    await closing;
    assert.equal(readAlerts(t.alertsFile).length, 100);
    assert.equal(t.receiver.pending, 0);
    assert.deepEqual(t.consumer.position, t.spool.committed, 'the position is committed');
    await assert.rejects(post(`${t.receiver.url}/audit`, new https.Agent({ ca: t.certs.caPem }), eventList(batch(1)), bearer()), /ECONNREFUSED/);
  });
});
