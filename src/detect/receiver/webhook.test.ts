import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tempCerts, type TempCerts } from '../../admission/test-support.js';
import type { DetectionRecord } from '../correlate/record.js';
import { startAlertCollector, waitFor } from './test-support.js';
import { describeHeaders, describeWebhookUrl, parseHeader, WebhookSink, type WebhookOptions } from './webhook.js';

const SECRET = 'Bearer s3cr3t-webhook-token-value';

function alert(n: number): DetectionRecord {
  return {
    time: `2026-03-01T10:00:${String(n % 60).padStart(2, '0')}.000000000Z`,
    rule: 'Pod With Unapproved Image',
    priority: 'Warning',
    output: `alert ${n}`,
    output_fields: { 'ka.target.name': `pod-${n}` },
    source: 'k8s_audit',
    tags: ['k8s'],
    hostname: 'h',
    palisade: { mitre: [], frameworks: [], incident: null },
  };
}

const outputs = (bodies: string[], format: 'json' | 'jsonl' = 'json'): string[] =>
  bodies.flatMap((b) => (format === 'json' ? (JSON.parse(b) as DetectionRecord[]) : b.trim().split('\n').map((l) => JSON.parse(l) as DetectionRecord))).map((a) => a.output);

describe('webhook alert sink over HTTPS', () => {
  let certs: TempCerts;
  before(() => {
    certs = tempCerts();
  });
  after(() => certs.cleanup());

  const sink = (url: string, over: Partial<WebhookOptions> = {}, logs: string[] = []) =>
    new WebhookSink({ url, ca: certs.caPem, headers: [['Authorization', SECRET]], flushIntervalMs: 20, backoffMs: 10, maxBackoffMs: 50, timeoutMs: 2000, log: (level, m) => logs.push(`${level}: ${m}`), ...over });

  it('posts batches as a JSON array, in order, with the configured headers, trusting the given CA', async () => {
    const c = await startAlertCollector(certs);
    try {
      const s = sink(c.url, { batchSize: 2 });
      for (let i = 0; i < 5; i++) s.write(alert(i));
      const stats = await s.close(5000);
      assert.deepEqual(outputs(c.posts.map((p) => p.body)), ['alert 0', 'alert 1', 'alert 2', 'alert 3', 'alert 4']);
      assert.ok(c.posts.every((p) => JSON.parse(p.body).length <= 2));
      assert.ok(c.posts.every((p) => p.headers.authorization === SECRET && p.headers['content-type'] === 'application/json'));
      assert.deepEqual({ sent: stats.sent, dropped: stats.dropped, failed: stats.failed, queued: stats.queued }, { sent: 5, dropped: 0, failed: 0, queued: 0 });
    } finally {
      await c.close();
    }
  });

  it('sends one alert per line with --webhook-format jsonl', async () => {
    const c = await startAlertCollector(certs);
    try {
      const s = sink(c.url, { format: 'jsonl', batchSize: 10 });
      for (let i = 0; i < 3; i++) s.write(alert(i));
      await s.close(5000);
      assert.equal(c.posts.length, 1);
      assert.equal(c.posts[0]!.headers['content-type'], 'application/x-ndjson');
      assert.deepEqual(outputs([c.posts[0]!.body], 'jsonl'), ['alert 0', 'alert 1', 'alert 2']);
    } finally {
      await c.close();
    }
  });

  it('retries after a 503 and after a dropped connection, and delivers the batch once', async () => {
    const c = await startAlertCollector(certs, (n) => (n === 0 ? 503 : n === 1 ? 'drop' : 200));
    try {
      const logs: string[] = [];
      const s = sink(c.url, { batchSize: 3 }, logs);
      for (let i = 0; i < 3; i++) s.write(alert(i));
      await waitFor(() => c.posts.length === 1);
      const stats = await s.close(5000);
      assert.equal(c.requests, 3);
      assert.deepEqual(outputs(c.posts.map((p) => p.body)), ['alert 0', 'alert 1', 'alert 2']);
      assert.deepEqual({ sent: stats.sent, retries: stats.retries, failed: stats.failed }, { sent: 3, retries: 2, failed: 0 });
      assert.ok(logs.some((l) => /HTTP 503/.test(l)), logs.join('\n'));
      assert.ok(!logs.join('\n').includes('s3cr3t'), 'header values never reach the log');
    } finally {
      await c.close();
    }
  });

  it('does not retry a 400 and counts its alerts as failed', async () => {
    const c = await startAlertCollector(certs, () => 400);
    try {
      const logs: string[] = [];
      const s = sink(c.url, { batchSize: 2 }, logs);
      s.write(alert(0));
      s.write(alert(1));
      const stats = await s.close(5000);
      assert.equal(c.requests, 1);
      assert.deepEqual({ sent: stats.sent, failed: stats.failed, retries: stats.retries }, { sent: 0, failed: 2, retries: 0 });
      assert.match(logs.join('\n'), /2 alert\(s\) not delivered \(HTTP 400: try later\)/);
    } finally {
      await c.close();
    }
  });

  it('keeps at most --webhook-queue alerts waiting, dropping the oldest and counting them', async () => {
    const c = await startAlertCollector(certs, () => 'hold');
    try {
      const s = sink(c.url, { batchSize: 1, queueSize: 3 });
      s.write(alert(0)); // taken at once: in flight, held by the endpoint
      await waitFor(() => c.requests === 1);
      for (let i = 1; i <= 6; i++) s.write(alert(i));
      assert.deepEqual({ queued: s.queued, dropped: s.dropped }, { queued: 3, dropped: 3 });
      c.release();
      const stats = await s.close(5000);
      assert.deepEqual(outputs(c.posts.map((p) => p.body)), ['alert 0', 'alert 4', 'alert 5', 'alert 6']);
      assert.deepEqual({ sent: stats.sent, dropped: stats.dropped, failed: stats.failed }, { sent: 4, dropped: 3, failed: 0 });
    } finally {
      await c.close();
    }
  });

  it('on a graceful close sends everything still queued, partial batches included', async () => {
    const c = await startAlertCollector(certs);
    try {
      // A flush interval far longer than the test: only close() can send the tail.
      const s = sink(c.url, { batchSize: 100, flushIntervalMs: 60_000 });
      for (let i = 0; i < 250; i++) s.write(alert(i));
      const stats = await s.close(5000);
      const got = outputs(c.posts.map((p) => p.body));
      assert.equal(got.length, 250);
      assert.deepEqual(got, Array.from({ length: 250 }, (_, i) => `alert ${i}`));
      assert.equal(stats.sent, 250);
    } finally {
      await c.close();
    }
  });

  it('gives up at the end of the grace period when the endpoint does not answer', async () => {
    const c = await startAlertCollector(certs, () => 'hold');
    try {
      const s = sink(c.url, { batchSize: 2, timeoutMs: 60_000 });
      for (let i = 0; i < 5; i++) s.write(alert(i));
      const stats = await s.close(300);
      assert.deepEqual({ sent: stats.sent, failed: stats.failed, queued: stats.queued }, { sent: 0, failed: 5, queued: 0 });
      s.write(alert(9));
      assert.equal(s.failed, 6, 'alerts after close are counted, not queued');
    } finally {
      c.release();
      await c.close();
    }
  });

  it('refuses an endpoint whose certificate the CA did not sign', async () => {
    const other = tempCerts();
    const c = await startAlertCollector(other);
    try {
      const logs: string[] = [];
      const s = sink(c.url, { retries: 0 }, logs);
      s.write(alert(0));
      const stats = await s.close(5000);
      assert.deepEqual({ sent: stats.sent, failed: stats.failed }, { sent: 0, failed: 1 });
      assert.equal(c.posts.length, 0);
      assert.match(logs.join('\n'), /not delivered/);
    } finally {
      await c.close();
      other.cleanup();
    }
  });
});

describe('webhook configuration', () => {
  it('parses headers and never repeats a value in an error', () => {
    assert.deepEqual(parseHeader('Authorization: Bearer abc:def'), ['Authorization', 'Bearer abc:def']);
    for (const bad of ['no colon here-secret', 'Bad Name: secret', 'X-Token: sec\nret', 'Content-Type: secret']) {
      const r = parseHeader(bad);
      assert.equal(typeof r, 'string');
      assert.ok(!String(r).includes('secret') && !String(r).includes('sec\nret'), String(r));
    }
  });

  it('shows URLs and headers redacted', () => {
    assert.equal(describeWebhookUrl('https://user:pw@siem.example.com:8443/in?token=abc'), 'https://<redacted>@siem.example.com:8443/in?<redacted>');
    assert.equal(describeWebhookUrl('http://127.0.0.1:9000/alerts'), 'http://127.0.0.1:9000/alerts');
    assert.equal(describeHeaders([['Authorization', SECRET], ['X-Team', 'sec']]), 'Authorization: <redacted>, X-Team: <redacted>');
  });
});
