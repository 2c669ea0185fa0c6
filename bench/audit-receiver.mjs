#!/usr/bin/env node
// Audit webhook receiver benchmark: sustained events/s that `palisade audit serve` acknowledges
// (spooled and fsync'ed before each 200) over HTTPS on loopback, and how fast its consumer
// runs them through the built-in rules.
//
//   PALISADE_DIST=dist node bench/audit-receiver.mjs [--duration 10] [--batch 100] [--concurrency 4]
//
// The receiver runs as its own process (the compiled CLI), with the built-in rules, a bearer
// token, a spool and an alert file in a temp directory. The load generator keeps
// --concurrency EventList batches of --batch events in flight for --duration seconds
// (closed loop, like the API server's batch backend with several workers) and reports:
//   acknowledged  events answered 200 per second, and batch latency p50/p99;
//   processed     events run through the rules per second, until the spool is drained.
// Events: 70% reads (get/list/watch, Metadata level), 30% pod creations with the pod spec
// (RequestResponse level), 2% of them alerting; about 1 KB each.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { cpuText, fmtInt, machine, REPO } from './lib.mjs';

const DIST = resolve(process.env.PALISADE_DIST || join(REPO, 'dist'));
const { values } = parseArgs({ strict: false, options: { duration: { type: 'string', default: '10' }, batch: { type: 'string', default: '100' }, concurrency: { type: 'string', default: '4' } } });
const DURATION = Number(values.duration) * 1000;
const BATCH = Number(values.batch);
const CONCURRENCY = Number(values.concurrency);
const TOKEN = 'bench-token-' + Math.random().toString(36).slice(2);

const { webhookCertificates } = await import(pathToFileURL(join(DIST, 'admission/x509.js')).href);

let seq = 0;
function event() {
  const n = ++seq;
  const t = new Date(Date.UTC(2026, 2, 1, 10) + n).toISOString().replace('Z', '123Z');
  const base = {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: `b0000000-@@@@@@@@-4000-8000-${String(n).padStart(12, '0')}`, stage: 'ResponseComplete',
    user: { username: n % 5 ? `system:serviceaccount:team-${n % 7}:app` : 'alice@example.com', groups: ['system:authenticated'] },
    sourceIPs: [`10.0.${n % 250}.${n % 200}`], userAgent: 'kube-controller-manager/v1.30.1 (linux/amd64) kubernetes/abc1234',
    requestReceivedTimestamp: t, stageTimestamp: t,
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "system:controller"' },
  };
  if (n % 10 < 7) {
    const verb = ['get', 'list', 'watch'][n % 3];
    return { ...base, level: 'Metadata', verb, requestURI: `/api/v1/namespaces/team-${n % 7}/configmaps${verb === 'get' ? '/cm-' + n : ''}`, objectRef: { resource: 'configmaps', namespace: `team-${n % 7}`, ...(verb === 'get' ? { name: `cm-${n}` } : {}), apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 200 } };
  }
  const image = n % 50 === 7 ? 'evil.example.net/miner:1.0' : `registry.k8s.io/team-${n % 7}/app:1.${n % 30}`;
  return { ...base, level: 'RequestResponse', verb: 'create', requestURI: `/api/v1/namespaces/team-${n % 7}/pods`, objectRef: { resource: 'pods', namespace: `team-${n % 7}`, name: `app-${n}`, apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 201 },
    requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name: `app-${n}`, labels: { app: 'app' } }, spec: { containers: [{ name: 'app', image, resources: { limits: { cpu: '1', memory: '1Gi' } }, securityContext: n % 50 === 7 ? { privileged: true } : { runAsNonRoot: true } }] } },
    responseObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name: `app-${n}`, namespace: `team-${n % 7}`, uid: `u-${n}` } } };
}

const work = mkdtempSync(join(tmpdir(), 'pal-bench-recv-'));
const { ca, server } = webhookCertificates({ service: 'palisade-audit', namespace: 'palisade', extraNames: ['127.0.0.1'] });
writeFileSync(join(work, 'tls.crt'), server.certPem);
writeFileSync(join(work, 'tls.key'), server.keyPem);
writeFileSync(join(work, 'token'), TOKEN + '\n');
writeFileSync(join(work, 'main.mjs'), `import { main } from ${JSON.stringify(pathToFileURL(join(DIST, 'cli/main.js')).href)};\nmain(process.argv.slice(2)).then((c) => { process.exitCode = c; });\n`);
const proc = spawn(process.execPath, [join(work, 'main.mjs'), 'audit', 'serve', '--listen', '127.0.0.1:0', '--tls-cert', 'tls.crt', '--tls-key', 'tls.key', '--token-file', 'token', '--spool', 'spool', '--output', 'alerts.jsonl', '--queue-size', '1000000'], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
let err = '';
const url = await new Promise((res, rej) => {
  proc.stderr.on('data', (c) => {
    err += c;
    const m = /listening on (https:\/\/\S+)\/audit/.exec(err);
    if (m) res(m[1]);
  });
  proc.on('exit', (c) => rej(new Error(`receiver exited ${c}: ${err}`)));
});

const agent = new https.Agent({ keepAlive: true, ca: ca.certPem, maxSockets: CONCURRENCY });
function post(path, body, method = 'POST') {
  return new Promise((res, rej) => {
    const req = https.request(url + path, { method, agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', rej);
    req.end(body);
  });
}
const metric = async (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec((await post('/metrics', undefined, 'GET')).text)?.[1] ?? 0);

// Bodies are made ahead so the generator measures the receiver, not JSON.stringify; each send
// stamps a fresh auditID prefix so no event is a redelivery the receiver would drop.
const bodies = Array.from({ length: 400 }, () => JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: Array.from({ length: BATCH }, event) }));
const avgEventBytes = bodies.reduce((s, b) => s + b.length, 0) / bodies.length / BATCH;

// Warm-up, then the measured run.
let sends = 0;
const body = () => { const k = sends++; return bodies[k % bodies.length].replaceAll('@@@@@@@@', String(k).padStart(8, '0')); };
for (let i = 0; i < 20; i++) await post('/audit', body());
const processedAtStart = await metric('palisade_audit_events_processed_total');
let acked = 0;
let refused = 0;
const latencies = [];
const t0 = performance.now();
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (performance.now() - t0 < DURATION) {
    const s = performance.now();
    const r = await post('/audit', body());
    latencies.push(performance.now() - s);
    if (r.status === 200) acked += BATCH;
    else refused++;
  }
}));
const elapsed = (performance.now() - t0) / 1000;
const processedAtEnd = await metric('palisade_audit_events_processed_total');
let drained;
for (;;) {
  const pending = await metric('palisade_audit_events_pending');
  if (pending === 0) {
    drained = (performance.now() - t0) / 1000;
    break;
  }
  await new Promise((r) => setTimeout(r, 50));
}
const processed = (await metric('palisade_audit_events_processed_total')) - processedAtStart;
const alerts = await metric('palisade_audit_alerts_total');
agent.destroy();
proc.kill('SIGTERM');
await new Promise((r) => proc.on('exit', r));
const alertLines = readFileSync(join(work, 'alerts.jsonl'), 'utf8').split('\n').filter(Boolean).length;
rmSync(work, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
const m = machine();
console.log(`audit receiver: HTTPS on loopback, EventList batches of ${BATCH} events (${Math.round(avgEventBytes)} B/event), concurrency ${CONCURRENCY}, ${values.duration}s, built-in rules`);
console.log(`  acknowledged  ${fmtInt(acked / elapsed)} events/s (fsync'ed before each 200); batch latency p50 ${q(0.5)} ms, p99 ${q(0.99)} ms; refused ${refused}`);
console.log(`  processed     ${fmtInt((processedAtEnd - processedAtStart) / elapsed)} events/s during the run; all ${fmtInt(processed)} drained ${(drained - elapsed).toFixed(1)}s after it (${fmtInt(processed / drained)} events/s overall); ${fmtInt(alerts)} alerts (${alertLines} lines)`);
console.log(`  machine       ${cpuText(m)}, Node ${process.version}`);
console.log(`  reproduce     PALISADE_DIST=${process.env.PALISADE_DIST || 'dist'} node bench/audit-receiver.mjs --duration ${values.duration} --batch ${BATCH} --concurrency ${CONCURRENCY}`);
