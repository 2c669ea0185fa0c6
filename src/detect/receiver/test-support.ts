/**
 * What the receiver's tests share: a receiver on 127.0.0.1 over real HTTPS with a spool and
 * an alert file in a temp directory, an HTTPS client, and EventList batches whose events
 * each raise one distinct alert.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempCerts, type TempCerts } from '../../admission/test-support.js';
import { PACKAGE_ROOT } from '../../core/version.js';
import { AuditDetector, loadAuditRules } from '../audit/detector.js';
import { podSpec, rawEvent } from '../audit/test-events.js';
import { SpoolConsumer } from './consumer.js';
import { startAuditReceiver, type AuditReceiver, type ReceiverAuth } from './server.js';
import { FileAlertSink } from './sink.js';
import { Spool } from './spool.js';

export const RULES_FILE = join(PACKAGE_ROOT, 'src/detect/audit/__fixtures__/k8s-audit-style-rules.yaml');
export const TOKEN = 'palisade-test-token-0123456789';

/** One event that the fixture rule "Pod With Unapproved Image" alerts on, with a unique pod name. */
export function alertingEvent(n: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const second = String(n % 60).padStart(2, '0');
  return rawEvent({
    auditID: `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`,
    stageTimestamp: `2026-03-01T11:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${second}.000000001Z`,
    ...podSpec({ containers: [{ name: 'app', image: 'evil.example.net/miner:1.0' }] }, `pod-${n}`),
    ...over,
  });
}

export function eventList(events: unknown[], apiVersion = 'audit.k8s.io/v1'): string {
  return JSON.stringify({ kind: 'EventList', apiVersion, metadata: {}, items: events });
}

export interface TestReceiver {
  receiver: AuditReceiver;
  consumer: SpoolConsumer;
  spool: Spool;
  certs: TempCerts;
  dir: string;
  alertsFile: string;
  agent: https.Agent;
  stop(): Promise<void>;
}

export async function startTestReceiver(opts: { auth?: ReceiverAuth; queueSize?: number; maxBodyBytes?: number; spoolMaxBytes?: number; segmentBytes?: number; certs?: TempCerts; agent?: https.Agent } = {}): Promise<TestReceiver> {
  const certs = opts.certs ?? tempCerts();
  const dir = mkdtempSync(join(tmpdir(), 'pal-recv-'));
  const spool = await Spool.open({ dir, maxBytes: opts.spoolMaxBytes ?? 1 << 30, segmentBytes: opts.segmentBytes ?? 1 << 20 });
  const loaded = loadAuditRules([{ name: 'rules.yaml', text: readFileSync(RULES_FILE, 'utf8') }]);
  const alertsFile = join(dir, 'alerts.jsonl');
  const consumer = new SpoolConsumer(spool, new AuditDetector(loaded.rules), new FileAlertSink(alertsFile, 'json'), {
    commitIntervalMs: 50,
    dedupWindowMs: 60_000,
    limiter: { dedupWindowMs: 60_000, ratePerSecond: 0, burst: 100 },
  });
  const receiver = await startAuditReceiver({
    host: '127.0.0.1',
    port: 0,
    certFile: certs.certFile,
    keyFile: certs.keyFile,
    auth: opts.auth ?? { kind: 'token', tokens: [TOKEN] },
    spool,
    consumer,
    maxBodyBytes: opts.maxBodyBytes ?? 1 << 20,
    queueSize: opts.queueSize ?? 100_000,
    retryAfterSeconds: 3,
    ackTimeoutMs: 10_000,
    log: process.env.PALISADE_DEBUG ? (level, message) => process.stderr.write(`[${level}] ${message}\n`) : undefined,
  });
  const agent = opts.agent ?? new https.Agent({ keepAlive: true, ca: certs.caPem, maxSockets: 8 });
  return {
    receiver,
    consumer,
    spool,
    certs,
    dir,
    alertsFile,
    agent,
    async stop() {
      agent.destroy();
      await receiver.close({ graceMs: 2000 });
      certs.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function post(url: string, agent: https.Agent, body: string | Buffer | undefined, headers: Record<string, string> = {}, method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });

export function readAlerts(file: string): { rule: string; output: string }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { rule: string; output: string });
}

export async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function writeTokenFile(dir: string, token = TOKEN): string {
  const f = join(dir, 'token');
  writeFileSync(f, `# audit webhook token\n${token}\n`);
  return f;
}

export interface CollectedPost {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * An HTTPS endpoint on 127.0.0.1 that records what webhooks POST. `answer` decides each
 * reply from the request number (0-based): a status, 'drop' (close the connection without
 * an answer) or 'hold' (answer only when `release()` is called).
 */
export interface AlertCollector {
  url: string;
  posts: CollectedPost[];
  /** Requests seen, answered or not. */
  requests: number;
  release(): void;
  close(): Promise<void>;
}

export async function startAlertCollector(certs: TempCerts, answer: (n: number) => number | 'drop' | 'hold' = () => 200): Promise<AlertCollector> {
  const posts: CollectedPost[] = [];
  const held: (() => void)[] = [];
  let released = false;
  const state = { requests: 0 };
  const server = https.createServer({ cert: readFileSync(certs.certFile), key: readFileSync(certs.keyFile) }, (req, res) => {
    const n = state.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const a = answer(n);
      if (a === 'drop') {
        req.socket.destroy();
        return;
      }
      const reply = () => {
        const status = a === 'hold' ? 200 : a;
        if (status >= 200 && status < 300) posts.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(status, status === 503 ? { 'retry-after': '0' } : {});
        res.end(status >= 300 ? 'try later' : 'ok');
      };
      if (a === 'hold' && !released) held.push(reply);
      else reply();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}/alerts`,
    posts,
    get requests() {
      return state.requests;
    },
    release() {
      released = true;
      for (const h of held.splice(0)) h();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
