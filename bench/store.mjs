#!/usr/bin/env node
// Evidence store: ingest and query cost of a 50,000-resource cluster, SQLite and PostgreSQL
// side by side in the same run.
//
// The cluster is the benchmark corpus (bench/corpus.mjs) scanned once with every control and
// every framework, as `palisade scan` does. Rescanning 50,000 objects 30 times would measure
// the scanner, not the store, so later cycles are derived from that scan: each cycle ~1% of
// the resources that have findings change — half are fixed (all their findings resolve; some
// come back later: reopened intervals), half regress (a new finding on a new path, plus a
// changed message on an existing one). Control runs and framework status are recomputed
// from the findings of each cycle, so snapshots and trends are real.
//
// Per dialect: the first (full) ingest, then p50/p95 ingest of the 29 incremental scans;
// after the last cycle, p95 of the main queries (findings first page, next page, filtered
// page, framework trend, scanResult rebuild of the latest and of an older scan) and the
// database size. PostgreSQL is a throw-away local server with fsync off (like the tests),
// while SQLite runs with its production settings (WAL, synchronous=NORMAL: fsync at each
// checkpoint), so write figures flatter PostgreSQL; its client and server also share the
// machine's cores, where SQLite does all its work on the Node thread. Each
// dialect runs in a fresh Node process that reads the scan from a temp file, so one dialect's
// garbage does not slow the other.
//
//   node bench/store.mjs [--sizes 50000] [--cycles 30] [--change 0.01] [--queries 30] [--only sqlite|postgres] [--no-write]

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { corpusDir, cpuText, ensureCorpus, fmtInt, fromRepo, machine, median, REPO } from './lib.mjs';
import { prng } from './corpus.mjs';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '50000' },
    cycles: { type: 'string', default: '30' },
    change: { type: 'string', default: '0.01' },
    queries: { type: 'string', default: '30' },
    only: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'no-write': { type: 'boolean' },
    runs: { type: 'string' }, // passed by bench/run.mjs; this benchmark's repetitions are --cycles and --queries
    child: { type: 'string' },
    base: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write('Usage: node bench/store.mjs [--sizes 50000] [--cycles 30] [--change 0.01] [--queries 30] [--only sqlite|postgres] [--no-write]\n');
  process.exit(0);
}
const objects = Number(values.sizes.split(',')[0]);
const cycles = Number(values.cycles);
const change = Number(values.change);
const queryRuns = Number(values.queries);
const dialects = values.only ? [values.only] : ['sqlite', 'postgres'];
if (!Number.isInteger(objects) || objects <= 0 || !Number.isInteger(cycles) || cycles < 2 || !(change > 0 && change < 1) || !Number.isInteger(queryRuns) || queryRuns < 1) {
  process.stderr.write('bench/store: --sizes N (one size), --cycles ≥ 2, --change in (0, 1), --queries ≥ 1\n');
  process.exit(2);
}

const DIST = resolve(process.env.PALISADE_DIST ?? join(REPO, 'dist'));
const load = (p) => import(pathToFileURL(join(DIST, p)).href);
const { scanManifests } = await load('engine/scan.js');
const { fingerprint } = await load('engine/engine.js');
const { allControls } = await load('controls/registry.js');
const { builtinFrameworks } = await load('frameworks/loader.js');
const { frameworkStatus } = await load('frameworks/scoring.js');
const { openStore } = await load('store/index.js');
const { startPostgres } = await load('store/test-support.js');

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x) => (x >= 100 ? fmtInt(Math.round(x)) : x.toFixed(1));

// ---------- the cluster and its 30 scans ----------

const controls = allControls();
const frameworks = [...builtinFrameworks().values()];
const byId = new Map(controls.map((c) => [c.meta.id, c.meta]));

/** The parent scans once; children read the result (control metadata by id) from a temp file. */
async function scanCorpus(info, corpus) {
  process.stdout.write(`scanning ${fromRepo(corpus)} (${fmtInt(info.files)} files) with every control and framework …\n`);
  const t0 = performance.now();
  const scan = await scanManifests({ inputs: [corpus], root: corpus, controls, settings: { allowedRegistries: [], pssVersion: 'latest' }, frameworks, render: false });
  process.stdout.write(`  ${fmtInt(scan.resources.total)} resources, ${fmtInt(scan.findings.length)} findings, ${scan.controls.length} controls in ${fmtInt(performance.now() - t0)} ms\n`);
  return scan;
}

function deriveScans(base) {
  const rand = prng(Number(values.seed) + 7);
  const byResource = new Map();
  for (const f of base.findings) {
    if (f.status !== 'fail' && f.status !== 'excepted') continue;
    let list = byResource.get(f.resource.key);
    if (!list) byResource.set(f.resource.key, (list = []));
    list.push(f);
  }
  const keys = [...byResource.keys()];
  const perCycle = Math.max(2, Math.round(change * base.resources.total));
  let current = new Map(byResource);
  const fixed = [];
  const start = Date.parse('2026-11-01T00:00:00.000Z');
  const out = [];
  for (let c = 0; c < cycles; c++) {
    if (c > 0) {
      const next = new Map(current);
      for (let i = 0; i < perCycle; i++) {
        const key = keys[Math.floor(rand() * keys.length)];
        if (i % 2 === 0) {
          // fixed: every finding of the resource resolves; a third come back a few cycles later
          if (next.delete(key) && rand() < 0.33) fixed.push({ key, back: c + 2 + Math.floor(rand() * 5) });
        } else {
          const list = next.get(key) ?? byResource.get(key);
          const f = list[0];
          const path = [...f.path, `drift-${c}`];
          const added = { ...f, path, location: f.location ? { ...f.location, path } : undefined, fingerprint: fingerprint(f.controlId, f.resource.key, path, f.messageId) };
          const edited = { ...f, message: `${f.message} (cycle ${c})` };
          next.set(key, [edited, ...list.slice(1), added]);
        }
      }
      for (const r of fixed.filter((x) => x.back === c)) next.set(r.key, byResource.get(r.key));
      current = next;
    }
    const findings = [...current.values()].flat();
    const counts = new Map();
    for (const f of findings) {
      let k = counts.get(f.controlId);
      if (!k) counts.set(f.controlId, (k = { failed: 0, excepted: 0 }));
      if (f.status === 'fail') k.failed++;
      else k.excepted++;
    }
    const runs = base.controls.map((r) => ({ ...r, failed: counts.get(r.meta.id)?.failed ?? 0, excepted: counts.get(r.meta.id)?.excepted ?? 0 }));
    out.push({ ...base, startedAt: new Date(start + c * 5 * 60_000).toISOString(), controls: runs, findings, frameworks: frameworks.map((fw) => frameworkStatus(fw, runs)) });
  }
  return out;
}

// ---------- per dialect ----------

async function timeIt(fn) {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

async function benchDialect(dialect, scans) {
  let pg;
  let dir;
  let url;
  if (dialect === 'postgres') {
    pg = await startPostgres();
    url = await pg.newDatabase();
  } else {
    dir = mkdtempSync(join(tmpdir(), 'palisade-store-bench-'));
    url = `sqlite:${join(dir, 'store.db')}`;
  }
  const store = await openStore(url);
  try {
    process.stdout.write(`\n${dialect}: ingesting ${cycles} scans\n`);
    const ingest = [];
    const outcomes = [];
    for (const s of scans) {
      const [t, o] = await timeIt(() => store.recordScan('bench', 'cluster', s));
      ingest.push(t);
      outcomes.push(o);
    }
    const incremental = ingest.slice(1);
    const opened = outcomes.slice(1).map((o) => o.opened);
    const resolved = outcomes.slice(1).map((o) => o.resolved);
    process.stdout.write(`  first ingest ${ms(ingest[0])} ms (${fmtInt(outcomes[0].opened)} findings); incremental p50 ${ms(median(incremental))} ms, p95 ${ms(pct(incremental, 95))} ms; per cycle ~${Math.round(median(opened))} opened, ~${Math.round(median(resolved))} resolved\n`);

    const latest = outcomes.at(-1).scanId;
    const older = outcomes[Math.floor(cycles / 3)].scanId;
    const firstPage = await store.findings({ cluster: 'bench' });
    const ns = firstPage.items[0]?.resource.namespace;
    const queries = {
      'findings page 1 (default, with total)': () => store.findings({ cluster: 'bench' }),
      'findings page 2 (cursor)': () => store.findings({ cluster: 'bench', cursor: firstPage.next }),
      'findings filtered (severity+namespace+framework)': () => store.findings({ cluster: 'bench', severity: 'high', namespace: ns, framework: 'nsa-cisa' }),
      'findings text search': () => store.findings({ cluster: 'bench', text: 'privileged' }),
      'findings open at an older scan': () => store.findings({ scanId: older }),
      'framework trend (30 points)': () => store.frameworkTrend('cis-kubernetes', { cluster: 'bench', limit: 30 }),
      'framework status at a scan': () => store.frameworkStatuses(latest),
      'scanResult rebuild (latest)': () => store.scanResult(latest),
      'scanResult rebuild (older)': () => store.scanResult(older),
    };
    const heavy = new Set(['scanResult rebuild (latest)', 'scanResult rebuild (older)']);
    const q = {};
    for (const [name, fn] of Object.entries(queries)) {
      const n = heavy.has(name) ? Math.max(3, Math.ceil(queryRuns / 6)) : queryRuns;
      await fn(); // warm
      const times = [];
      for (let i = 0; i < n; i++) times.push((await timeIt(fn))[0]);
      q[name] = { runs: n, p50: median(times), p95: pct(times, 95) };
    }
    const rebuilt = await store.scanResult(latest);
    const expected = new Set(scans.at(-1).findings.map((f) => f.fingerprint)).size; // the store keeps one per fingerprint
    if (rebuilt.findings.length !== expected) throw new Error(`scanResult rebuilt ${rebuilt.findings.length} findings, expected ${expected}`);
    const bytes = await store.sizeBytes();
    return { dialect, firstIngestMs: ingest[0], ingestP50: median(incremental), ingestP95: pct(incremental, 95), findings: expected, queries: q, sizeBytes: bytes, openedPerCycle: median(opened), resolvedPerCycle: median(resolved) };
  } finally {
    await store.close();
    if (pg) await pg.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function runChild(dialect, baseFile) {
  return new Promise((resolvePromise, reject) => {
    const args = [join(REPO, 'bench', 'store.mjs'), '--child', dialect, '--base', baseFile, '--cycles', String(cycles), '--change', String(change), '--queries', String(queryRuns), '--seed', values.seed];
    const cp = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit', 'pipe'], env: process.env });
    let out = '';
    cp.stdio[3].on('data', (d) => (out += d));
    cp.on('error', reject);
    cp.on('close', (code) => (code === 0 && out ? resolvePromise(JSON.parse(out)) : reject(new Error(`${dialect} child exited ${code}`))));
  });
}

if (values.child) {
  const base = JSON.parse(readFileSync(values.base, 'utf8'));
  for (const r of base.controls) r.meta = byId.get(r.meta.id);
  const scans = deriveScans(base);
  const result = await benchDialect(values.child, scans);
  writeSync(3, JSON.stringify(result));
  process.exit(0);
}

const info = ensureCorpus(objects, Number(values.seed));
const corpus = corpusDir(objects);
const m = machine();
const command = `node bench/store.mjs --sizes ${objects} --cycles ${cycles} --change ${change} --queries ${queryRuns}${values.only ? ` --only ${values.only}` : ''}`;
process.stdout.write(`palisade store benchmark — node ${m.node}, ${cpuText(m)}, ${m.cores} cores, ${m.memoryGiB} GiB${m.commit ? `, commit ${m.commit}${m.uncommittedChanges ? ' + uncommitted changes' : ''}` : ''}\n`);
const base = await scanCorpus(info, corpus);
process.stdout.write(`  ${cycles} scans will be derived: ${fmtInt(Math.round(change * base.resources.total))} resources change per cycle\n`);
const tmp = mkdtempSync(join(tmpdir(), 'palisade-store-bench-'));
const baseFile = join(tmp, 'scan.json');
writeFileSync(baseFile, JSON.stringify({ ...base, controls: base.controls.map((r) => ({ ...r, meta: { id: r.meta.id } })) }));
const results = [];
try {
  for (const d of dialects) results.push(await runChild(d, baseFile));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// ---------- table ----------

const rows = [['measure', ...results.map((r) => r.dialect)]];
rows.push(['first ingest (full cluster) ms', ...results.map((r) => ms(r.firstIngestMs))]);
rows.push([`ingest p50 (${cycles - 1} incremental scans) ms`, ...results.map((r) => ms(r.ingestP50))]);
rows.push([`ingest p95 ms`, ...results.map((r) => ms(r.ingestP95))]);
for (const name of Object.keys(results[0].queries)) rows.push([`${name} p95 ms`, ...results.map((r) => ms(r.queries[name].p95))]);
rows.push([`database size after ${cycles} scans MiB`, ...results.map((r) => (r.sizeBytes / 2 ** 20).toFixed(1))]);
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const table = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
process.stdout.write(`\n${fmtInt(base.resources.total)} resources, ${fmtInt(results[0].findings)} open findings at the last scan, ${cycles} scans, ~${fmtInt(Math.round(change * base.resources.total))} resources changed per scan. Query p95 over ${queryRuns} runs (scanResult: ${Math.max(3, Math.ceil(queryRuns / 6))}).\n\n${table}\n\nReproduce: ${command}\n`);

if (!values['no-write']) {
  const out = join(REPO, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const doc = { benchmark: 'store', date: new Date().toISOString(), command, machine: m, corpus: { objects, files: info.files, findings: base.findings.length }, method: { cycles, change, queryRuns, scans: 'first scan real; later scans derived (see header of bench/store.mjs)', postgres: 'local throw-away server, fsync off' }, results };
  writeFileSync(join(out, 'store-latest.json'), JSON.stringify(doc, null, 2) + '\n');
  process.stdout.write('Wrote bench/results/store-latest.json\n');
}
