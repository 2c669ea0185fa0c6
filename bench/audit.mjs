#!/usr/bin/env node
// Audit-log detection throughput and memory against a floor.
//
// Corpus: a deterministic audit log (audit.k8s.io/v1 JSON lines) with a realistic mix —
// controllers renewing leases and updating status, kubelets reading their pods, service
// accounts of apps reading configmaps, humans running kubectl — and attacks injected at
// known positions (bench/.corpus/audit-<N>.attacks.json lists their auditIDs).
// Floor: reading the same file line by line and JSON-parsing every line, nothing else.
// Detection: `palisade audit analyze <file> -f json -o <alerts>` with the built-in rules,
// through main() from dist/cli/main.js in a fresh child process.
//
//   node bench/audit.mjs [--events 1000000] [--runs 3] [--no-write] [--dist DIR]
//   node bench/audit.mjs --child floor|analyze --file F [--out F]   (one measurement)
// --dist (or PALISADE_DIST) names the compiled tree to measure; default dist/.

import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CORPUS_ROOT, fmtInt, machine, median, REPO } from './lib.mjs';

const RESULT_FD = 3;
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    child: { type: 'string' },
    file: { type: 'string' },
    out: { type: 'string' },
    'no-write': { type: 'boolean' },
    sizes: { type: 'string' },
    dist: { type: 'string' },
  },
});
const DIST = resolve(values.dist ?? process.env.PALISADE_DIST ?? join(REPO, 'dist'));

// ---------- corpus ----------

function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMESPACES = ['payments', 'search', 'checkout', 'catalog', 'identity', 'monitoring', 'ingress-nginx', 'kube-system'];
const APPS = ['api', 'worker', 'web', 'cron', 'gateway'];

/** One benign event of the usual background noise. */
function benign(rnd, i, t) {
  const r = rnd();
  const ns = NAMESPACES[Math.floor(rnd() * NAMESPACES.length)];
  const base = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: `b-${i}`, stage: 'ResponseComplete', stageTimestamp: t, requestReceivedTimestamp: t, annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding' } };
  if (r < 0.35) {
    const comp = rnd() < 0.5 ? 'system:kube-controller-manager' : 'system:kube-scheduler';
    return { ...base, verb: 'update', requestURI: `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${comp.split(':')[1]}`, user: { username: comp, groups: ['system:authenticated'] }, sourceIPs: ['10.0.0.10'], userAgent: `${comp.split(':')[1]}/v1.31.2 (linux/amd64) kubernetes/5864a46/leader-election`, objectRef: { resource: 'leases', namespace: 'kube-system', name: comp.split(':')[1], apiGroup: 'coordination.k8s.io', apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 200 } };
  }
  if (r < 0.6) {
    const node = `node-${Math.floor(rnd() * 40)}`;
    return { ...base, verb: rnd() < 0.7 ? 'get' : 'patch', requestURI: `/api/v1/namespaces/${ns}/pods/${APPS[i % 5]}-${i % 97}/status`, user: { username: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'] }, sourceIPs: [`10.0.1.${i % 40}`], userAgent: 'kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46', objectRef: { resource: 'pods', subresource: 'status', namespace: ns, name: `${APPS[i % 5]}-${i % 97}`, apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 200 } };
  }
  if (r < 0.85) {
    const app = APPS[Math.floor(rnd() * APPS.length)];
    const res = rnd() < 0.6 ? 'configmaps' : 'endpoints';
    return { ...base, verb: rnd() < 0.5 ? 'get' : 'watch', requestURI: `/api/v1/namespaces/${ns}/${res}`, user: { username: `system:serviceaccount:${ns}:${app}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'] }, sourceIPs: [`10.4.${i % 200}.${i % 250}`], userAgent: `${app}/1.8.2`, objectRef: { resource: res, namespace: ns, apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 200 } };
  }
  if (r < 0.97) {
    const user = ['alice@example.com', 'bob@example.com', 'carol@example.com'][i % 3];
    const res = ['deployments', 'pods', 'services', 'events'][i % 4];
    const group = res === 'deployments' ? 'apps' : '';
    return { ...base, verb: rnd() < 0.8 ? 'list' : 'get', requestURI: `/api${group ? 's/apps' : ''}/v1/namespaces/${ns}/${res}`, user: { username: user, groups: ['developers', 'system:authenticated'] }, sourceIPs: ['192.0.2.44'], userAgent: 'kubectl/v1.31.1 (darwin/arm64) kubernetes/948afe5', objectRef: { resource: res, namespace: ns, apiGroup: group || undefined, apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 200 } };
  }
  // A deployment rollout by the CI service account, with the request object.
  return {
    ...base, level: 'RequestResponse', verb: 'patch', requestURI: `/apis/apps/v1/namespaces/${ns}/deployments/${APPS[i % 5]}`,
    user: { username: 'system:serviceaccount:ci:deployer', groups: ['system:serviceaccounts', 'system:authenticated'] }, sourceIPs: ['10.9.0.5'], userAgent: 'argocd-application-controller/v2.12.3',
    objectRef: { resource: 'deployments', namespace: ns, name: APPS[i % 5], apiGroup: 'apps', apiVersion: 'v1' },
    requestObject: { spec: { template: { spec: { containers: [{ name: APPS[i % 5], image: `registry.example.com/${ns}/${APPS[i % 5]}:1.${i % 50}.0`, securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false } }] } } } },
    responseStatus: { metadata: {}, code: 200 },
  };
}

/** Attacks as an API client performs them; each must raise at least one alert. */
const ATTACKS = [
  (id, t) => ({ stage: 'ResponseStarted', verb: 'create', requestURI: '/api/v1/namespaces/payments/pods/api-7/exec?command=sh&stdin=true&tty=true', user: { username: 'mallory@example.com', groups: ['system:authenticated'] }, objectRef: { resource: 'pods', subresource: 'exec', namespace: 'payments', name: 'api-7', apiVersion: 'v1' }, responseStatus: { code: 101 } }),
  (id, t) => ({ verb: 'create', requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', user: { username: 'system:serviceaccount:payments:api', groups: ['system:serviceaccounts', 'system:authenticated'] }, objectRef: { resource: 'clusterrolebindings', name: 'backdoor', apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' }, requestObject: { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'backdoor' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'api', namespace: 'payments' }] }, responseStatus: { code: 201 } }),
  (id, t) => ({ verb: 'create', requestURI: '/api/v1/namespaces/payments/pods', user: { username: 'mallory@example.com', groups: ['system:authenticated'] }, objectRef: { resource: 'pods', namespace: 'payments', name: 'debug', apiVersion: 'v1' }, requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'debug', namespace: 'payments' }, spec: { hostPID: true, hostNetwork: true, containers: [{ name: 'x', image: 'alpine:latest', securityContext: { privileged: true } }], volumes: [{ name: 'root', hostPath: { path: '/' } }] } }, responseStatus: { code: 201 } }),
  (id, t) => ({ verb: 'list', requestURI: '/api/v1/secrets', user: { username: 'system:serviceaccount:search:worker', groups: ['system:serviceaccounts', 'system:authenticated'] }, objectRef: { resource: 'secrets', apiVersion: 'v1' }, responseStatus: { code: 200 } }),
  (id, t) => ({ verb: 'delete', requestURI: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/palisade', user: { username: 'mallory@example.com', groups: ['system:authenticated'] }, objectRef: { resource: 'validatingwebhookconfigurations', name: 'palisade', apiGroup: 'admissionregistration.k8s.io', apiVersion: 'v1' }, responseStatus: { code: 200 } }),
  (id, t) => ({ verb: 'get', requestURI: '/api/v1/namespaces/kube-system/secrets', user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, objectRef: { resource: 'secrets', namespace: 'kube-system', apiVersion: 'v1' }, responseStatus: { code: 200 } }),
];

function attack(k, i, t) {
  const e = ATTACKS[k % ATTACKS.length](i, t);
  return { kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID: `attack-${i}`, stage: 'ResponseComplete', stageTimestamp: t, requestReceivedTimestamp: t, sourceIPs: ['198.51.100.7'], userAgent: 'kubectl/v1.31.1 (linux/amd64) kubernetes/948afe5', annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' }, ...e, responseStatus: { metadata: {}, ...e.responseStatus } };
}

function ensureAuditCorpus(events) {
  mkdirSync(CORPUS_ROOT, { recursive: true });
  const file = join(CORPUS_ROOT, `audit-${events}.jsonl`);
  const attacksFile = join(CORPUS_ROOT, `audit-${events}.attacks.json`);
  if (existsSync(file) && existsSync(attacksFile)) return { file, attacks: JSON.parse(readFileSync(attacksFile, 'utf8')) };
  const rnd = mulberry32(20261125);
  const fd = openSync(file, 'w');
  const attacks = [];
  const start = Date.parse('2026-11-02T08:00:00Z');
  let buf = '';
  for (let i = 0; i < events; i++) {
    const t = new Date(start + i * 20).toISOString().replace('Z', '000Z');
    let e;
    // About one attack per 20,000 events, at varying positions.
    if (i % 20_000 === 7_919) {
      e = attack(attacks.length, i, t);
      attacks.push({ id: e.auditID, time: Date.parse(t) });
    } else e = benign(rnd, i, t);
    buf += JSON.stringify(e) + '\n';
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
  writeFileSync(attacksFile, JSON.stringify(attacks));
  return { file, attacks };
}

// ---------- child mode ----------

async function child(what, file, out) {
  const t0 = performance.now();
  let extra = {};
  if (what === 'floor') {
    let lines = 0;
    const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of rl) {
      if (line) {
        JSON.parse(line);
        lines++;
      }
    }
    extra = { lines };
  } else {
    const { main } = await import(pathToFileURL(join(DIST, 'cli', 'main.js')).href);
    const code = await main(['audit', 'analyze', file, '-f', 'json', '-o', out ?? '/dev/null']);
    extra = { exitCode: code };
  }
  const ms = performance.now() - t0;
  const usage = process.resourceUsage();
  // CPU time as well as wall time: on a busy machine it is the steadier of the two.
  const result = { what, ms, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssMiB: usage.maxRSS / 1024, ...extra };
  writeSync(RESULT_FD, JSON.stringify(result));
}

function measure(what, file, out) {
  return new Promise((resolve, reject) => {
    const args = [join(REPO, 'bench', 'audit.mjs'), '--child', what, '--file', file, '--dist', DIST, ...(out ? ['--out', out] : [])];
    const started = performance.now();
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'pipe'] });
    let text = '';
    p.stdio[RESULT_FD].on('data', (d) => (text += d));
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${what} child exited ${code}`));
      resolve({ ...JSON.parse(text), wallMs: performance.now() - started });
    });
  });
}

if (values.child) {
  await child(values.child, values.file, values.out);
} else {
  const events = Number(values.sizes?.split(',')[0] ?? values.events);
  const runs = Number(values.runs);
  const { file, attacks } = ensureAuditCorpus(events);
  const bytes = readFileSync(file).length;
  // Detection check: every injected attack raises at least one alert.
  const alertsFile = join(CORPUS_ROOT, `audit-${events}.alerts.jsonl`);
  const check = await measure('analyze', file, alertsFile);
  // Events are 20 ms apart, so an alert's event time names the event that raised it.
  const attackAt = new Map(attacks.map((a) => [a.time, a.id]));
  const alerted = new Set();
  let alerts = 0;
  let benignAlerts = 0;
  for (const line of readFileSync(alertsFile, 'utf8').split('\n')) {
    if (!line) continue;
    const a = JSON.parse(line);
    if (a.palisade?.incident && a.palisade?.timeline) continue; // incidents summarise alerts
    alerts++;
    const id = attackAt.get(Date.parse(a.time));
    if (id) alerted.add(id);
    else benignAlerts++;
  }
  const missed = attacks.filter((a) => !alerted.has(a.id)).map((a) => a.id);
  const floor = [];
  const analyze = [];
  const startup = [];
  // The fixed cost of a CLI run (loading the modules and the rules), from an empty log.
  const empty = join(CORPUS_ROOT, 'audit-empty.jsonl');
  writeFileSync(empty, '');
  for (let r = 0; r < runs; r++) {
    floor.push(await measure('floor', file));
    analyze.push(await measure('analyze', file));
    startup.push(await measure('analyze', empty));
  }
  const f = { wallMs: median(floor.map((x) => x.wallMs)), cpuMs: median(floor.map((x) => x.cpuMs)), rss: median(floor.map((x) => x.maxRssMiB)) };
  const a = { wallMs: median(analyze.map((x) => x.wallMs)), cpuMs: median(analyze.map((x) => x.cpuMs)), rss: median(analyze.map((x) => x.maxRssMiB)) };
  const s0 = { wallMs: median(startup.map((x) => x.wallMs)), cpuMs: median(startup.map((x) => x.cpuMs)), rss: median(startup.map((x) => x.maxRssMiB)) };
  const eps = (ms) => Math.round(events / (ms / 1000));
  const m = machine();
  const lines = [
    `$ node bench/audit.mjs --events ${events} --runs ${runs}${values.dist || process.env.PALISADE_DIST ? ` --dist ${DIST}` : ''}`,
    `machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}; corpus ${fmtInt(events)} events, ${(bytes / 1048576).toFixed(0)} MiB, ${attacks.length} injected attacks`,
    '',
    '| measure | wall ms | events/s | CPU ms | peak RSS MiB |',
    '|---|---:|---:|---:|---:|',
    `| floor (read lines + JSON.parse) | ${fmtInt(Math.round(f.wallMs))} | ${fmtInt(eps(f.wallMs))} | ${fmtInt(f.cpuMs)} | ${Math.round(f.rss)} |`,
    `| palisade audit analyze (built-in rules) | ${fmtInt(Math.round(a.wallMs))} | ${fmtInt(eps(a.wallMs))} | ${fmtInt(a.cpuMs)} | ${Math.round(a.rss)} |`,
    `| of which start-up (same command, empty log) | ${fmtInt(Math.round(s0.wallMs))} | | ${fmtInt(s0.cpuMs)} | ${Math.round(s0.rss)} |`,
    '',
    `throughput ${(100 * f.wallMs / a.wallMs).toFixed(0)}% of the floor by wall time, ${(100 * f.cpuMs / a.cpuMs).toFixed(0)}% by CPU time (target ≥ 50%); ${fmtInt(eps(a.wallMs))} events/s (target ≥ 100,000)`,
    `without start-up: ${(100 * f.wallMs / (a.wallMs - s0.wallMs)).toFixed(0)}% of the floor by wall time, ${(100 * f.cpuMs / (a.cpuMs - s0.cpuMs)).toFixed(0)}% by CPU time`,
    `alerts: ${fmtInt(alerts)}; injected attacks detected: ${attacks.length - missed.length}/${attacks.length}${missed.length ? ` (missed: ${missed.slice(0, 5).join(', ')})` : ''}; alerts on benign events: ${fmtInt(benignAlerts)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (!values['no-write']) {
    mkdirSync(join(REPO, 'bench', 'results'), { recursive: true });
    writeFileSync(join(REPO, 'bench', 'results', 'audit-latest.json'), JSON.stringify({ benchmark: 'audit', date: new Date().toISOString(), events, bytes, attacks: attacks.length, missed, benignAlerts, alerts, floor: f, analyze: a, startup: s0, machine: m }, null, 2) + '\n');
  }
  void check;
}
