#!/usr/bin/env node
// `palisade serve` API latency over HTTPS on loopback, SQLite and PostgreSQL side by side in
// the same run.
//
// The cluster is the benchmark corpus (bench/corpus.mjs) scanned once with every control and
// framework. Cycles are derived from that scan (rescanning would measure the scanner): in
// each cycle a random --change share of the failing findings is fixed and some fixed ones
// come back. Each cycle is posted as a JSON report to POST /api/v1/ingest/scan, as CI does.
// After the last cycle, --queries requests each measure (p50/p95, ms, client-side):
//   findings page      GET /api/v1/findings?cluster=bench&limit=100 (first page)
//   findings filtered  GET /api/v1/findings?cluster=bench&severity=high&limit=100
//   frameworks         GET /api/v1/frameworks
//   trend              GET /api/v1/frameworks/cis-kubernetes/trend?cluster=bench
//   report json (warm) GET /api/v1/scans/{latest}/report?format=json (rebuilt scan cached)
//   report json (cold) the same for a different older scan each time (rebuild + render)
// PostgreSQL is a throw-away local server (fsync off, like the tests); the server runs in
// this process (one Node.js event loop for client and server, as a sidecar would).
//
//   PALISADE_DIST=dist node bench/serve.mjs [--objects 5000] [--cycles 20] [--change 0.02] [--queries 30] [--only sqlite|postgres]

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { prng } from './corpus.mjs';
import { corpusDir, cpuText, ensureCorpus, fmtInt, fromRepo, machine, REPO } from './lib.mjs';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '5000' },
    cycles: { type: 'string', default: '20' },
    change: { type: 'string', default: '0.02' },
    queries: { type: 'string', default: '30' },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write('Usage: PALISADE_DIST=dist node bench/serve.mjs [--objects 5000] [--cycles 20] [--change 0.02] [--queries 30] [--only sqlite|postgres]\n');
  process.exit(0);
}
const objects = Number(values.objects);
const cycles = Number(values.cycles);
const change = Number(values.change);
const queries = Number(values.queries);
const dialects = values.only ? [values.only] : ['sqlite', 'postgres'];
if (!Number.isInteger(objects) || objects <= 0 || !Number.isInteger(cycles) || cycles < 2 || !(change > 0 && change < 1) || !Number.isInteger(queries) || queries < 1) {
  process.stderr.write('bench/serve: --objects N, --cycles ≥ 2, --change in (0, 1), --queries ≥ 1\n');
  process.exit(2);
}

const DIST = resolve(process.env.PALISADE_DIST ?? join(REPO, 'dist'));
const load = (p) => import(pathToFileURL(join(DIST, p)).href);
const { scanManifests } = await load('engine/scan.js');
const { allControls } = await load('controls/registry.js');
const { builtinFrameworks } = await load('frameworks/loader.js');
const { jsonFormatter } = await load('report/json.js');
const { openStore } = await load('store/index.js');
const { startPostgres } = await load('store/test-support.js');
const { startServer } = await load('server/serve.js');
const { webhookCertificates } = await load('admission/x509.js');

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x) => (x >= 100 ? fmtInt(Math.round(x)) : x.toFixed(1));

const info = ensureCorpus(objects);
const corpus = corpusDir(objects);
const m = machine();
const command = `PALISADE_DIST=dist node bench/serve.mjs --objects ${objects} --cycles ${cycles} --change ${change} --queries ${queries}${values.only ? ` --only ${values.only}` : ''}`;
process.stdout.write(`palisade serve benchmark — node ${m.node}, ${cpuText(m)}, ${m.cores} cores, ${m.memoryGiB} GiB${m.commit ? `, commit ${m.commit}${m.uncommittedChanges ? ' + uncommitted changes' : ''}` : ''}\n`);
process.stdout.write(`scanning ${fromRepo(corpus)} (${fmtInt(info.files)} files) with every control and framework …\n`);
const base = await scanManifests({
  inputs: ['.'],
  root: corpus,
  controls: allControls(),
  settings: { allowedRegistries: [], pssVersion: 'latest' },
  frameworks: [...builtinFrameworks().values()],
});
const failing = base.findings.filter((f) => f.status === 'fail');
process.stdout.write(`${fmtInt(base.resources.total)} resources, ${fmtInt(failing.length)} failing findings\n`);

// The same cycles for both dialects: which findings are fixed in each.
const rand = prng(7);
// Only which findings are fixed is kept per cycle; each report is rendered when it is posted
// (30 rendered reports of a 50,000-object cluster would not fit in the heap together).
const cycleFixed = [];
let fixed = new Set();
for (let c = 0; c < cycles; c++) {
  if (c > 0) {
    const next = new Set();
    for (const f of failing) if (rand() < change) next.add(f.fingerprint);
    // About half of what was fixed last cycle stays fixed.
    for (const fp of fixed) if (rand() < 0.5) next.add(fp);
    fixed = next;
  }
  cycleFixed.push(fixed);
}
function cycleReport(c) {
  const findings = base.findings.filter((f) => !cycleFixed[c].has(f.fingerprint));
  const startedAt = new Date(Date.UTC(2026, 10, 1) + c * 300_000).toISOString();
  return jsonFormatter.render({ ...base, startedAt, findings }, { color: false });
}
process.stdout.write(`${cycles} cycle reports, ${fmtInt(Buffer.byteLength(cycleReport(0)) / 1024)} KiB each\n`);

const work = mkdtempSync(join(tmpdir(), 'pal-bench-serve-'));
const { ca, server: cert } = webhookCertificates({ service: 'palisade', namespace: 'palisade', extraNames: ['127.0.0.1'] });
writeFileSync(join(work, 'tls.crt'), cert.certPem);
writeFileSync(join(work, 'tls.key'), cert.keyPem);
const agent = new https.Agent({ keepAlive: true, ca: ca.certPem, maxSockets: 1 });

function request(url, method, token, body) {
  return new Promise((resolvePromise, reject) => {
    const req = https.request(url, { method, agent, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode >= 300) reject(new Error(`${method} ${url}: ${res.statusCode} ${text.slice(0, 300)}`));
        else resolvePromise(text);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const results = {};
let pg;
try {
  for (const dialect of dialects) {
    let url = `sqlite:${join(work, 'serve.db')}`;
    if (dialect === 'postgres') {
      pg ??= await startPostgres();
      url = await pg.newDatabase();
    }
    const store = await openStore(url);
    const { secret } = await store.createToken('bench', 'admin');
    const server = await startServer({ host: '127.0.0.1', port: 0, certFile: join(work, 'tls.crt'), keyFile: join(work, 'tls.key'), store, limits: { scanBytes: 1 << 30 } });
    const get = (path) => request(server.url + path, 'GET', secret);
    const ingest = [];
    const scanIds = [];
    for (let c = 0; c < cycles; c++) {
      const report = cycleReport(c);
      const t = performance.now();
      scanIds.push(JSON.parse(await request(`${server.url}/api/v1/ingest/scan?cluster=bench`, 'POST', secret, report)).scanId);
      ingest.push(performance.now() - t);
    }
    const measure = async (name, path) => {
      const times = [];
      for (let i = 0; i < queries; i++) {
        const p = typeof path === 'function' ? path(i) : path;
        const t = performance.now();
        await get(p);
        times.push(performance.now() - t);
      }
      return [name, { p50: pct(times, 50), p95: pct(times, 95) }];
    };
    const latest = scanIds.at(-1);
    const older = scanIds.slice(0, -1);
    const rows = Object.fromEntries([
      ['ingest (first)', { p50: ingest[0], p95: ingest[0] }],
      ['ingest (next)', { p50: pct(ingest.slice(1), 50), p95: pct(ingest.slice(1), 95) }],
      await measure('findings page', '/api/v1/findings?cluster=bench&limit=100'),
      await measure('findings filtered', '/api/v1/findings?cluster=bench&severity=high&limit=100'),
      await measure('frameworks', '/api/v1/frameworks'),
      await measure('trend', '/api/v1/frameworks/cis-kubernetes/trend?cluster=bench'),
      await measure('report json (warm)', `/api/v1/scans/${latest}/report?format=json`),
      await measure('report json (cold)', (i) => {
        server.app.scans.clear();
        return `/api/v1/scans/${older[i % older.length]}/report?format=json`;
      }),
    ]);
    results[dialect] = rows;
    await server.close({ graceMs: 1000 });
    await store.close();
  }
} finally {
  agent.destroy();
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
}

const names = Object.keys(results[dialects[0]]);
const header = `| request | ${dialects.map((d) => `${d} p50 / p95 (ms)`).join(' | ')} |`;
const lines = [header, `|---|${dialects.map(() => '---').join('|')}|`];
for (const n of names) lines.push(`| ${n} | ${dialects.map((d) => `${ms(results[d][n].p50)} / ${ms(results[d][n].p95)}`).join(' | ')} |`);
process.stdout.write(`\n${lines.join('\n')}\n\n${fmtInt(base.resources.total)} resources, ${fmtInt(failing.length)} failing findings, ${cycles} scans; ${queries} requests per row, one at a time over one keep-alive HTTPS connection.\n$ ${command}\n`);
