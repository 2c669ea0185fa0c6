#!/usr/bin/env node
// Admission webhook benchmark: latency and throughput of `palisade admission serve` on
// loopback, next to a no-op HTTPS server that answers the same reviews (parse, allow).
//
//   node bench/admission.mjs [--duration 10] [--rate 1000] [--concurrency 16] [--reviews 300] [--rounds 1] [--out FILE]
//
// The build under test is $PALISADE_DIST (default dist/). Results go to --out (default
// bench/results/admission-latest.json), so a trial run can leave the recorded figures alone.
//
// Every server runs in its own process pinned to CPU 0 (one core); the load generator runs
// pinned to CPU 1 (taskset, when present). Per server, in one run:
//   fixed rate   open loop at --rate reviews/s for --duration s; latency is measured from
//                each review's scheduled send time, so a stalled server cannot hide its queue;
//   saturation   closed loop with --concurrency reviews in flight for --duration s: reviews/s;
//   server CPU   the server process's CPU time (user + system, /proc) over the whole run divided
//                by the reviews it answered: on a busy machine the steadiest figure.
// --rounds N runs the three servers in turn N times (a fresh process each time) and reports, per
// server, the round with the median saturated throughput, and the median over the rounds of
// each webhook's share of that round's no-op: on a VM whose speed drifts, a share taken from
// neighbouring runs is steadier than one taken minutes apart.
// Servers: noop (HTTPS, JSON parse, allowed:true), all (every built-in control), pss
// (--framework pss-restricted). The webhooks run with the Node flags of the Deployment that
// `palisade admission manifests` writes (BENCH_WEBHOOK_NODE_FLAGS='' for Node's defaults).
//
// Targets: p99 <= 5 ms at 1,000 reviews/s, and saturated throughput >= 50% of the no-op's.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { cpuText, fmtInt, machine, REPO } from './lib.mjs';

const DIST = resolve(process.env.PALISADE_DIST || join(REPO, 'dist'));

const { values } = parseArgs({
  strict: false,
  options: {
    child: { type: 'string' },
    port: { type: 'string' },
    certs: { type: 'string' },
    target: { type: 'string' },
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    reviews: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '1' },
    'server-args': { type: 'string', default: '' },
    out: { type: 'string' },
    sizes: { type: 'string' }, // accepted from bench/run.mjs, unused
    runs: { type: 'string' },
  },
});

// ---------------------------------------------------------------- review corpus

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reviews shaped like what an API server sends for application workloads (managedFields included). */
export function makeReviews(n, seed = 7) {
  const r = prng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const weighted = (pairs) => {
    let x = r() * pairs.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of pairs) if ((x -= w) < 0) return v;
    return pairs[0][0];
  };
  const SHA = 'sha256:' + 'ab12'.repeat(16);
  const out = [];
  for (let i = 0; i < n; i++) {
    const kind = weighted([['Pod', 40], ['Deployment', 30], ['ReplicaSet', 10], ['StatefulSet', 5], ['DaemonSet', 5], ['Job', 5], ['CronJob', 5]]);
    const posture = weighted([['hardened', 30], ['typical', 42], ['lax', 20], ['risky', 8]]);
    const team = pick(['shop', 'payments', 'search', 'identity', 'data']);
    const app = `${pick(['api', 'web', 'worker', 'cart', 'auth', 'indexer'])}-${i}`;
    const container = (name) => {
      const c = {
        name,
        image: posture === 'lax' && r() < 0.4 ? `${pick(['nginx', 'redis', 'busybox'])}:latest` : `registry.example.com/${team}/${name}:1.${Math.floor(r() * 30)}.${Math.floor(r() * 9)}${posture === 'hardened' ? '@' + SHA : ''}`,
        ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
        env: Array.from({ length: 3 + Math.floor(r() * 8) }, (_, k) => (k % 3 === 0 ? { name: `SECRET_${k}`, valueFrom: { secretKeyRef: { name: `${app}-secrets`, key: `k${k}` } } } : { name: `SETTING_${k}`, value: `value-${k}-${Math.floor(r() * 1e6)}` })),
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      };
      if (posture !== 'lax') {
        c.resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: posture === 'hardened' ? { cpu: '1', memory: '512Mi' } : { memory: '512Mi' } };
        c.livenessProbe = { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
        c.readinessProbe = { httpGet: { path: '/readyz', port: 'http', scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
      }
      if (posture === 'hardened') c.securityContext = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 10001, capabilities: { drop: ['ALL'] } };
      else if (posture === 'typical') c.securityContext = { allowPrivilegeEscalation: false, runAsNonRoot: r() < 0.5 };
      else if (posture === 'risky') c.securityContext = { privileged: r() < 0.5, capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] }, runAsUser: 0 };
      return c;
    };
    const containers = [container(app.split('-')[0]), ...(r() < 0.3 ? [container('sidecar')] : [])];
    const spec = {
      containers,
      ...(r() < 0.2 ? { initContainers: [container('migrate')] } : {}),
      volumes: [{ name: 'tmp', emptyDir: {} }],
      serviceAccountName: app,
      restartPolicy: kind === 'Job' || kind === 'CronJob' ? 'Never' : 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      ...(posture === 'hardened' ? { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, automountServiceAccountToken: false } : {}),
      ...(posture === 'risky' ? { hostNetwork: r() < 0.5, hostPID: r() < 0.3, volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'host', hostPath: { path: '/var/run' } }] } : {}),
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    };
    const labels = { app, team, 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': team };
    const managedFields = [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: '2025-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': Object.fromEntries(Object.keys(labels).map((k) => [`f:${k}`, {}])) }, 'f:spec': { 'f:containers': { [`k:{"name":"${containers[0].name}"}`]: { '.': {}, 'f:image': {}, 'f:name': {}, 'f:env': {} } } } } }];
    const metadata = { name: app, namespace: team, labels, annotations: { 'deployment.kubernetes.io/revision': '3' }, uid: `5f1c${String(i).padStart(8, '0')}-aaaa-bbbb-cccc-000000000000`, resourceVersion: String(1000 + i), creationTimestamp: '2025-01-01T00:00:00Z', managedFields };
    const template = { metadata: { labels }, spec };
    const [apiVersion, resource] = {
      Pod: ['v1', 'pods'],
      Deployment: ['apps/v1', 'deployments'],
      ReplicaSet: ['apps/v1', 'replicasets'],
      StatefulSet: ['apps/v1', 'statefulsets'],
      DaemonSet: ['apps/v1', 'daemonsets'],
      Job: ['batch/v1', 'jobs'],
      CronJob: ['batch/v1', 'cronjobs'],
    }[kind];
    const object =
      kind === 'Pod'
        ? { apiVersion, kind, metadata, spec }
        : kind === 'CronJob'
          ? { apiVersion, kind, metadata, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } } }
          : kind === 'Job'
            ? { apiVersion, kind, metadata, spec: { template } }
            : { apiVersion, kind, metadata, spec: { replicas: 3, selector: { matchLabels: { app } }, template, ...(kind === 'StatefulSet' ? { serviceName: app } : {}) } };
    const update = kind !== 'Pod' && kind !== 'Job' && r() < 0.3;
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    out.push({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: `bench-${i}`,
        kind: { group, version, kind },
        resource: { group, version, resource },
        requestKind: { group, version, kind },
        requestResource: { group, version, resource },
        name: app,
        namespace: team,
        operation: update ? 'UPDATE' : 'CREATE',
        userInfo: { username: 'system:serviceaccount:argocd:argocd-application-controller', uid: 'u', groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd', 'system:authenticated'] },
        object,
        oldObject: update ? { ...object, metadata: { ...metadata, labels: { ...labels, previous: 'yes' } } } : null,
        dryRun: false,
        options: { apiVersion: 'meta.k8s.io/v1', kind: update ? 'UpdateOptions' : 'CreateOptions', fieldManager: 'argocd-controller' },
      },
    });
  }
  return out;
}

// ---------------------------------------------------------------- children

async function noopServer(certs, port) {
  const { readFileSync } = await import('node:fs');
  const server = https.createServer({ cert: readFileSync(join(certs, 'tls.crt')), key: readFileSync(join(certs, 'tls.key')), minVersion: 'TLSv1.2' }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(Number(port), '127.0.0.1', () => process.stderr.write(`{"msg":"listening on https://127.0.0.1:${server.address().port}"}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

async function webhookServer(certs, port, extra) {
  const { main } = await import(join(DIST, 'cli', 'main.js'));
  const code = await main(['admission', 'serve', '--listen', `127.0.0.1:${port}`, '--tls-cert', join(certs, 'tls.crt'), '--tls-key', join(certs, 'tls.key'), '--max-in-flight', '1024', ...extra]);
  process.exit(code);
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function load(target, rate, concurrency, seconds, reviewsCount, ca, spin = true) {
  const reviews = makeReviews(reviewsCount).map((r) => Buffer.from(JSON.stringify(r)));
  const url = new URL(target);
  const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency * 4, ca });
  let next = 0;
  let errors = 0;
  let denied = 0;
  let answerBytes = 0;
  let answers = 0;
  const send = () =>
    new Promise((resolveSend) => {
      const body = reviews[next++ % reviews.length];
      const req = https.request({ host: url.hostname, port: url.port, path: '/validate', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const answer = Buffer.concat(chunks);
          answerBytes += answer.length;
          answers++;
          if (res.statusCode !== 200) errors++;
          else if (answer.includes('"allowed":false')) denied++;
          resolveSend();
        });
      });
      req.on('error', () => {
        errors++;
        resolveSend();
      });
      req.end(body);
    });

  const closed = async (secs) => {
    const lat = [];
    const end = performance.now() + secs * 1000;
    let done = 0;
    const worker = async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await send();
        lat.push(performance.now() - t0);
        done++;
      }
    };
    // The generator never sleeps (like the open loop): on loopback, a sleeping client must be
    // woken for every answer, and in a VM that wake-up (an inter-processor interrupt) is charged
    // to the server's CPU, more the slower the server is (see docs/benchmarks.md).
    let spinning = spin;
    const spinner = () => {
      if (spinning) setImmediate(spinner);
    };
    spinner();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsed = (performance.now() - t0) / 1000;
    spinning = false;
    lat.sort((a, b) => a - b);
    return { reviewsPerSecond: done / elapsed, p50: percentile(lat, 50), p99: percentile(lat, 99), count: done };
  };

  const open = async (secs) => {
    const lat = [];
    const interval = 1000 / rate;
    const total = Math.round(rate * secs);
    const start = performance.now() + 20;
    let scheduled = 0;
    let inflight = 0;
    let dropped = 0;
    await new Promise((resolveAll) => {
      const tick = () => {
        const now = performance.now();
        while (scheduled < total && start + scheduled * interval <= now) {
          const due = start + scheduled * interval;
          scheduled++;
          // A bounded generator: beyond 1,000 outstanding the server has fallen over anyway.
          if (inflight >= 1000) {
            dropped++;
            continue;
          }
          inflight++;
          send().then(() => {
            inflight--;
            lat.push(performance.now() - due);
            if (scheduled >= total && inflight === 0) resolveAll();
          });
        }
        if (scheduled < total) setImmediate(tick);
        else if (inflight === 0) resolveAll();
      };
      tick();
    });
    const elapsed = (performance.now() - start) / 1000;
    lat.sort((a, b) => a - b);
    return { offered: rate, achieved: lat.length / elapsed, p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat[lat.length - 1], count: lat.length, dropped };
  };

  const warmup = await closed(Math.min(2, seconds)); // warm-up: JIT, TLS sessions, connections
  errors = 0;
  denied = 0;
  const fixed = await open(seconds);
  const saturated = await closed(seconds);
  agent.destroy();
  return { fixed, saturated, errors, deniedShare: denied / (fixed.count + saturated.count), answerBytes: answerBytes / answers, sent: warmup.count + fixed.count + saturated.count };
}

// ---------------------------------------------------------------- orchestration

function pinned(cpu, args) {
  const hasTaskset = !process.env.BENCH_NO_PIN && spawnSync('taskset', ['--version']).status === 0;
  return hasTaskset ? ['taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args];
}

/**
 * Node flags of the webhook servers: those the Deployment from `admission manifests` sets
 * (NODE_OPTIONS, WEBHOOK_NODE_OPTIONS in src/admission/manifests.ts), unless
 * BENCH_WEBHOOK_NODE_FLAGS says otherwise ('' for Node's defaults).
 */
function webhookNodeFlags(manifestOptions) {
  const flags = process.env.BENCH_WEBHOOK_NODE_FLAGS ?? manifestOptions;
  return flags.split(' ').filter(Boolean);
}

async function startServer(kind, certs, serverArgs, nodeFlags) {
  const args = [...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), ...(kind === 'noop' ? [] : nodeFlags), new URL(import.meta.url).pathname, '--child', kind === 'noop' ? 'noop' : 'webhook', '--certs', certs, '--port', '0', `--server-args=${serverArgs}`];
  const [cmd, argv] = pinned(0, args);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PALISADE_DIST: DIST } });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  for (let i = 0; i < 400; i++) {
    const m = /listening on (https:\/\/[^"\s]+)/.exec(err);
    if (m) return { child, url: m[1] };
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`server ${kind} did not start: ${err}`);
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined elsewhere. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = (clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100);
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  } catch {
    return undefined;
  }
}
let clockTicks;

function runLoad(url, certs, o) {
  const [cmd, argv] = pinned(1, [new URL(import.meta.url).pathname, '--child', 'load', '--target', url, '--certs', certs, '--rate', String(o.rate), '--concurrency', String(o.concurrency), '--duration', String(o.duration), '--reviews', String(o.reviews)]);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env: { ...process.env, PALISADE_DIST: DIST }, maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`load generator failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function orchestrate() {
  const o = { duration: Number(values.duration), rate: Number(values.rate), concurrency: Number(values.concurrency), reviews: Number(values.reviews), rounds: Math.max(1, Math.floor(Number(values.rounds) || 1)) };
  const { webhookCertificates } = await import(join(DIST, 'admission', 'x509.js'));
  const { WEBHOOK_NODE_OPTIONS } = await import(join(DIST, 'admission', 'manifests.js'));
  const nodeFlags = webhookNodeFlags(WEBHOOK_NODE_OPTIONS ?? '');
  const certs = mkdtempSync(join(tmpdir(), 'pal-bench-adm-'));
  const { ca, server } = webhookCertificates({ service: 'bench', namespace: 'bench', extraNames: ['127.0.0.1', 'localhost'] });
  writeFileSync(join(certs, 'ca.crt'), ca.certPem);
  writeFileSync(join(certs, 'tls.crt'), server.certPem);
  writeFileSync(join(certs, 'tls.key'), server.keyPem);
  const sample = makeReviews(o.reviews).map((r) => JSON.stringify(r).length);
  const targets = [
    { name: 'noop', label: 'no-op HTTPS server (parse, allow)', args: '' },
    { name: 'all', label: `webhook, every built-in control`, args: '' },
    { name: 'pss', label: 'webhook, --framework pss-restricted', args: '--framework pss-restricted' },
  ];
  /** Per round, per server: its figures. */
  const rounds = [];
  try {
    for (let round = 0; round < o.rounds; round++) {
      const results = {};
      for (const t of targets) {
        process.stdout.write(`… ${o.rounds > 1 ? `round ${round + 1}/${o.rounds} ` : ''}${t.name}: ${t.label}\n`);
        const s = await startServer(t.name, certs, t.args, nodeFlags);
        try {
          const cpu0 = cpuSeconds(s.child.pid);
          const r = runLoad(s.url, certs, o);
          const cpu1 = cpuSeconds(s.child.pid);
          // Server CPU per review answered: what a busy machine distorts least (wall-clock
          // throughput also depends on what else gets the core).
          const cpuPerReviewUs = cpu0 !== undefined && cpu1 !== undefined ? (1e6 * (cpu1 - cpu0)) / r.sent : undefined;
          results[t.name] = { label: t.label, serverArgs: t.args, ...r, cpuPerReviewUs };
        } finally {
          s.child.kill('SIGTERM');
          await new Promise((r) => s.child.on('exit', r));
        }
      }
      rounds.push(results);
    }
  } finally {
    rmSync(certs, { recursive: true, force: true });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
  // Per server, the round with the median saturated throughput.
  const results = {};
  for (const t of targets) {
    const byRate = rounds.map((r) => r[t.name]).sort((a, b) => a.saturated.reviewsPerSecond - b.saturated.reviewsPerSecond);
    results[t.name] = byRate[(byRate.length - 1) >> 1];
  }
  // Each webhook's share of the no-op, per round, and its median.
  const shares = {};
  for (const n of ['all', 'pss']) {
    const perRound = rounds.map((r) => r[n].saturated.reviewsPerSecond / r.noop.saturated.reviewsPerSecond);
    shares[n] = { perRound, median: median(perRound) };
  }
  const m = machine();
  const noop = results.noop.saturated.reviewsPerSecond;
  // One round: the share in that round; several: the median of the rounds' shares.
  const shareOf = (n) => (o.rounds > 1 ? shares[n].median : results[n].saturated.reviewsPerSecond / noop);
  const rows = targets.map((t) => {
    const r = results[t.name];
    const cpu = r.cpuPerReviewUs === undefined ? '?' : r.cpuPerReviewUs.toFixed(0);
    return `| ${r.label} | ${r.fixed.p50.toFixed(2)} | ${r.fixed.p99.toFixed(2)} | ${fmtInt(r.fixed.achieved)} | ${fmtInt(r.saturated.reviewsPerSecond)} | ${r.saturated.p50.toFixed(2)} | ${r.saturated.p99.toFixed(2)} | ${t.name === 'noop' ? '100%' : `${Math.round(100 * shareOf(t.name))}%`} | ${cpu} | ${fmtInt(r.answerBytes)} | ${r.errors} |`;
  });
  const command = `node bench/admission.mjs --duration ${o.duration} --rate ${o.rate} --concurrency ${o.concurrency} --reviews ${o.reviews}${o.rounds > 1 ? ` --rounds ${o.rounds}` : ''}`;
  const table = [
    `| server | p50 ms @ ${fmtInt(o.rate)}/s | p99 ms @ ${fmtInt(o.rate)}/s | achieved/s | saturated reviews/s (c=${o.concurrency}) | p50 ms sat. | p99 ms sat. | of no-op | server CPU µs/review | answer bytes | errors |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  const verdicts = ['all', 'pss'].map((n) => {
    const r = results[n];
    const share = shareOf(n);
    const perRound = o.rounds > 1 ? ` (rounds: ${shares[n].perRound.map((x) => `${Math.round(100 * x)}%`).join(', ')})` : '';
    return `${n}: p99 at ${fmtInt(o.rate)}/s ${r.fixed.p99.toFixed(2)} ms (target ≤ 5: ${r.fixed.p99 <= 5 ? 'met' : 'MISSED'}), throughput ${Math.round(100 * share)}% of no-op${perRound} (target ≥ 50%: ${share >= 0.5 ? 'met' : 'MISSED'})`;
  });
  process.stdout.write(`\n$ ${command}\nwebhook node flags: ${nodeFlags.join(' ') || '(none)'}\nmachine: ${cpuText(m)}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, commit ${m.commit ?? '?'}${m.uncommittedChanges ? ' (+ uncommitted changes)' : ''}\nreviews: ${o.reviews} distinct, ${fmtInt(Math.min(...sample))}–${fmtInt(Math.max(...sample))} bytes (median ${fmtInt(sample.sort((a, b) => a - b)[sample.length >> 1])})\n\n${table}\n\n${verdicts.join('\n')}\n`);
  const out = resolve(values.out ?? join(REPO, 'bench', 'results', 'admission-latest.json'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ command, machine: m, options: o, webhookNodeFlags: nodeFlags, results, ...(o.rounds > 1 ? { shares, rounds } : {}) }, null, 2) + '\n');
  process.stdout.write(`Wrote ${out.startsWith(REPO + '/') ? out.slice(REPO.length + 1) : out}\n`);
}

const isMain = process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname;
if (!isMain) {
  // imported (profiling scripts use makeReviews)
} else if (values.child === 'noop') await noopServer(values.certs, values.port);
else if (values.child === 'webhook') await webhookServer(values.certs, values.port, values['server-args'].split(' ').filter(Boolean));
else if (values.child === 'load') {
  const { readFileSync } = await import('node:fs');
  const r = await load(values.target, Number(values.rate), Number(values.concurrency), Number(values.duration), Number(values.reviews), readFileSync(join(values.certs, 'ca.crt')), process.env.BENCH_CLIENT_SLEEPS !== '1');
  process.stdout.write(JSON.stringify(r));
} else await orchestrate();
