import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempCerts, type TempCerts } from '../../admission/test-support.js';
import { auditEvent } from '../../detect/correlate/scenario.js';
import { bearer, eventList, post, startAlertCollector, waitFor, writeTokenFile } from '../../detect/receiver/test-support.js';
import { parseCommandArgs, type CliIO } from '../command.js';
import { runCli } from '../testing.js';
import { runServe, spec } from './index.js';

const SECRET = 'Bearer webhook-secret-4711';
const T0 = Date.parse('2026-03-01T10:00:00Z');

/** The kill chain of the built-in sequence: a privileged pod appears, then one service account lists, reads a secret and execs into it. */
function killChain(): Record<string, unknown>[] {
  const sa = 'system:serviceaccount:shop:web';
  const at = (min: number) => T0 + min * 60_000;
  return [
    auditEvent({ user: 'system:serviceaccount:kube-system:daemon-set-controller', ua: 'kube-controller-manager/v1.31.0', ip: '10.0.0.2', at: at(0), action: ['create', 'pods', 'monitoring', undefined, 'ne-1'], code: 201, extra: { requestObject: { spec: { containers: [{ name: 'c', image: 'registry.example.com/ne:1', securityContext: { privileged: true } }] } } } }),
    auditEvent({ user: sa, ua: 'curl/8.5.0', ip: '10.0.0.9', at: at(1), action: ['list', 'pods', undefined] }),
    auditEvent({ user: sa, ua: 'curl/8.5.0', ip: '10.0.0.9', at: at(2), action: ['get', 'secrets', 'shop', undefined, 'db'] }),
    auditEvent({ user: sa, ua: 'curl/8.5.0', ip: '10.0.0.9', at: at(3), action: ['create', 'pods', 'monitoring', 'exec', 'ne-1'] }),
  ].map((e) => e.raw);
}

interface Served {
  url: string;
  stderr: () => string;
  stop(): Promise<number>;
}

/** `audit serve` in this process, stopped by an emitted SIGTERM. */
async function serveIn(cwd: string, argv: string[]): Promise<Served> {
  let err = '';
  const io: CliIO = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, isTTY: false, cwd, readStdin: () => '', env: {} };
  const signals = new EventEmitter();
  const parsed = parseCommandArgs(spec, ['serve', ...argv]);
  const done = runServe(parsed.values, io, signals as unknown as Parameters<typeof runServe>[2]);
  let failed: unknown;
  done.catch((e: unknown) => (failed = e));
  await waitFor(() => /listening on https:\/\/\S+\/audit/.test(err) || failed !== undefined, 10_000);
  if (failed) throw failed;
  return {
    url: /listening on (https:\/\/\S+)\/audit/.exec(err)![1]!,
    stderr: () => err,
    async stop() {
      signals.emit('SIGTERM');
      return done;
    },
  };
}

function get(url: string, agent: https.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    https.get(url, { agent }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

const records = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { rule: string; palisade: { incident: string | null; timeline?: { stage: string }[]; anomaly?: { kind: string } } }) : []);

describe('palisade audit serve: correlation, baselines and webhooks', () => {
  let certs: TempCerts;
  let work: string;
  let agent: https.Agent;
  let tokenFile: string;
  const tls = () => ['--listen', '127.0.0.1:0', '--tls-cert', certs.certFile, '--tls-key', certs.keyFile, '--token-file', tokenFile];
  before(() => {
    certs = tempCerts();
    work = mkdtempSync(join(tmpdir(), 'pal-serve-'));
    tokenFile = writeTokenFile(work);
    writeFileSync(join(work, 'ca.pem'), certs.caPem);
    writeFileSync(join(work, 'headers'), `# for the collector\nAuthorization: ${SECRET}\n`);
    agent = new https.Agent({ keepAlive: true, ca: certs.caPem });
  });
  after(() => {
    agent.destroy();
    certs.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('turns a kill chain posted as an EventList into an incident, in --output and at the webhook', async () => {
    const collector = await startAlertCollector(certs);
    try {
      const out = join(work, 'incident-alerts.jsonl');
      const s = await serveIn(work, [...tls(), '--spool', 'spool-incident', '--output', out, '--webhook', collector.url, '--webhook-ca', 'ca.pem', '--webhook-header-file', 'headers']);
      assert.match(s.stderr(), /correlation of \d+ sequence\(s\)/);
      assert.match(s.stderr(), /alerts also go to webhook https:\/\/127\.0\.0\.1:\d+\/alerts \(json, headers from headers\)/);
      const a = await post(`${s.url}/audit`, agent, eventList(killChain()), bearer());
      assert.equal(a.status, 200, a.text);
      await waitFor(() => records(out).some((r) => r.palisade.timeline));
      const metrics = await get(`${s.url}/metrics`, agent);
      assert.match(metrics, /^palisade_audit_incidents_total 1$/m);
      // The listener's limits are counted too (none hit here).
      assert.match(metrics, /^# TYPE palisade_audit_connections_refused_total counter$/m);
      assert.equal(await s.stop(), 0);
      const incident = records(out).find((r) => r.palisade.timeline)!;
      assert.equal(incident.rule, 'Kill Chain Discovery Credential Access Execution');
      assert.deepEqual(incident.palisade.timeline!.filter((e) => (e as { chain?: boolean }).chain).map((e) => e.stage), ['discovery', 'credential-access', 'execution']);
      // The webhook got every record of the file, incident included, with the header.
      const sent = collector.posts.flatMap((p) => JSON.parse(p.body) as { rule: string }[]);
      assert.deepEqual(sent.map((r) => r.rule), records(out).map((r) => r.rule));
      assert.ok(collector.posts.every((p) => p.headers.authorization === SECRET));
      assert.ok(!s.stderr().includes(SECRET.split(' ')[1]!), 'the header value is never printed');
      assert.match(s.stderr(), /webhook https:\/\/127\.0\.0\.1:\d+\/alerts: \d+ alert\(s\) sent/);
      assert.match(s.stderr(), /1 incident\(s\)/);
    } finally {
      await collector.close();
    }
  });

  it('saves the baseline periodically and at shutdown, and a restart goes on from it', async () => {
    const args = [...tls(), '--spool', 'spool-baseline', '--output', 'baseline-alerts.jsonl', '--no-correlate', '--baseline', 'b.json', '--learn-for', '10m', '--anomaly-threshold', '0.05', '--baseline-save-interval', '0.2'];
    const bob = (i: number, at: number, namespace = 'shop') => auditEvent({ user: 'bob@example.com', ua: 'kubectl/v1.31.0', ip: '10.1.0.5', at, action: ['get', 'configmaps', namespace, undefined, `cm-${i}`] }).raw;
    const first = await serveIn(work, args);
    const history = Array.from({ length: 200 }, (_, i) => bob(i, T0 + i * 2_000));
    assert.equal((await post(`${first.url}/audit`, agent, eventList(history), bearer())).status, 200);
    const file = join(work, 'b.json');
    const learned = () => existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { identities: Record<string, { events: number }> }).identities['bob@example.com']?.events === 200;
    // Written by the periodic save, before any shutdown.
    await waitFor(learned, 10_000);
    assert.equal(await first.stop(), 0);
    assert.ok(learned());
    assert.deepEqual(records(join(work, 'baseline-alerts.jsonl')).filter((r) => r.palisade.anomaly), [], 'nothing is judged while learning');

    // 20 minutes after the first event: past --learn-for counted from the saved baseline, so the new namespace is an anomaly.
    const second = await serveIn(work, args);
    assert.equal((await post(`${second.url}/audit`, agent, eventList([bob(999, T0 + 20 * 60_000, 'kube-system')]), bearer())).status, 200);
    await waitFor(() => records(join(work, 'baseline-alerts.jsonl')).some((r) => r.palisade.anomaly));
    assert.equal(await second.stop(), 0);
    const anomaly = records(join(work, 'baseline-alerts.jsonl')).find((r) => r.palisade.anomaly)!;
    assert.equal(anomaly.rule, 'Anomalous namespace for identity');
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { identities: Record<string, { events: number }> }).identities['bob@example.com']!.events, 201);
  });
});

describe('palisade audit analyze --webhook', () => {
  it('posts the alerts it writes, and shows header values only redacted', async () => {
    const certs = tempCerts();
    const collector = await startAlertCollector(certs);
    const dir = mkdtempSync(join(tmpdir(), 'pal-analyze-webhook-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), certs.caPem);
      writeFileSync(join(dir, 'chain.jsonl'), killChain().map((e) => JSON.stringify(e)).join('\n') + '\n');
      const r = await runCli(['audit', 'analyze', 'chain.jsonl', '--webhook', collector.url, '--webhook-ca', 'ca.pem', '--webhook-header', `Authorization: ${SECRET}`, '--webhook-format', 'jsonl', '--webhook-batch', '2'], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      const written = r.stdout.trim().split('\n');
      assert.ok(written.length >= 2, r.stdout);
      const sent = collector.posts.flatMap((p) => p.body.trim().split('\n'));
      assert.deepEqual(sent, written);
      assert.ok(collector.posts.every((p) => p.headers.authorization === SECRET && p.headers['content-type'] === 'application/x-ndjson'));
      assert.match(r.stderr, /alerts also go to webhook https:\/\/127\.0\.0\.1:\d+\/alerts \(jsonl, headers: Authorization: <redacted>\)/);
      assert.match(r.stderr, new RegExp(`: ${written.length} alert\\(s\\) sent`));
      assert.ok(!r.stderr.includes('webhook-secret-4711'));
    } finally {
      await collector.close();
      certs.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports alerts it could not deliver, and refuses webhook options without --webhook', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pal-analyze-webhook-'));
    try {
      writeFileSync(join(dir, 'chain.jsonl'), killChain().map((e) => JSON.stringify(e)).join('\n') + '\n');
      // A port that was just free: the connection is refused.
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const { port } = closed.address() as { port: number };
      await new Promise<void>((r) => closed.close(() => r()));
      const r = await runCli(['audit', 'analyze', 'chain.jsonl', '--webhook', `http://127.0.0.1:${port}/alerts`, '--webhook-retries', '0'], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`warning: \\d+ alert\\(s\\) not delivered to webhook http://127\\.0\\.0\\.1:${port}/alerts \\(\\d+ given up`));
      const bad = await runCli(['audit', 'analyze', 'chain.jsonl', '--webhook-header', `Authorization: ${SECRET}`], { cwd: dir });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--webhook-header: needs --webhook URL/);
      const worse = await runCli(['audit', 'analyze', 'chain.jsonl', '--webhook', 'https://x.example/', '--webhook-header', `Authorization ${SECRET}`], { cwd: dir });
      assert.equal(worse.code, 2);
      assert.ok(!worse.stderr.includes('webhook-secret-4711'), worse.stderr);
      // Connection limits are options of serve only, and bad values name the option.
      const analyzeLimit = await runCli(['audit', 'analyze', 'chain.jsonl', '--max-connections', '5'], { cwd: dir });
      assert.equal(analyzeLimit.code, 2, analyzeLimit.stderr);
      for (const [option, value] of [['--max-connections', '0'], ['--handshake-timeout', 'soon'], ['--idle-timeout', 'never']]) {
        const r2 = await runCli(['audit', 'serve', '--tls-cert', 'x.pem', '--tls-key', 'x.key', '--spool', 'spool', '--token-file', 'tokens', option!, value!], { cwd: dir });
        assert.equal(r2.code, 2, r2.stderr);
        assert.match(r2.stderr, new RegExp(`${option}: expected`));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
