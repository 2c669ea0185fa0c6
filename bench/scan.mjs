#!/usr/bin/env node
// Scan throughput and memory against a floor.
//
// The floor is what any tool that reads YAML must do at least: walk the same tree, read
// every manifest file and parse it with the `yaml` library (parseAllDocuments + toJS,
// keeping the values). The scan is `palisade scan <corpus> -f json -o /dev/null
// --fail-on none` with every control, run through `main` from dist/cli/main.js — the code
// bin/palisade.js runs. Every measurement is a fresh Node process; wall time is measured
// from spawn to exit by the parent; CPU time (all threads) and peak RSS are the child's own.
// The floor runs on one thread; the scan may use worker threads, and CPU time shows it.
//
//   node bench/scan.mjs [--sizes 10000,50000] [--runs 3] [--seed 1] [--no-write]
//   node bench/scan.mjs --child floor|scan --corpus DIR [--out FILE]   (one measurement)

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { corpusDir, cpuText, ensureCorpus, fmtInt, fromRepo, machine, median, REPO } from './lib.mjs';

const TIME_TARGET = 1.5; // scan wall time ≤ 1.5 × floor
const RSS_TARGET_MIB = 1024; // peak RSS ≤ 1 GiB …
const RSS_TARGET_OBJECTS = 50_000; // … at 50,000 objects
const MANIFEST = /\.(ya?ml|json)$/i;
const SKIP_DIRS = new Set(['.git', 'node_modules', '.svn', '.hg']);
const RESULT_FD = 3;

const scanArgv = (corpus, out = '/dev/null') => ['scan', corpus, '-f', 'json', '-o', out, '--fail-on', 'none'];

// ---------- child mode: one measurement, result as JSON on fd 3 ----------

async function child(what, corpus, out, reportFd) {
  let extra;
  if (what === 'floor') {
    const { parseAllDocuments } = await import('yaml');
    const values = []; // kept, as a scanner must keep every object to check relations between them
    let files = 0;
    let bytes = 0;
    let objects = 0;
    const walk = (dir) => {
      const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name)) walk(p);
        } else if (MANIFEST.test(e.name)) {
          const text = readFileSync(p, 'utf8');
          files++;
          bytes += text.length;
          for (const doc of parseAllDocuments(text)) {
            const v = doc.toJS();
            if (v === null || typeof v !== 'object') continue;
            values.push(v);
            objects += v.kind === 'List' && Array.isArray(v.items) ? v.items.length : 1;
          }
        }
      }
    };
    walk(resolve(corpus));
    extra = { objects, files, chars: bytes, documents: values.length };
  } else {
    const { main } = await import(pathToFileURL(join(REPO, 'dist', 'cli', 'main.js')).href);
    const code = await main(scanArgv(corpus, out));
    extra = { exitCode: code };
  }
  const usage = process.resourceUsage();
  // CPU time counts every thread of the process, so it shows work that worker threads overlap.
  const result = { what, childMs: performance.now(), cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssMiB: usage.maxRSS / 1024, ...extra };
  // The parent reads the result from its own pipe; run by hand, it goes to stdout.
  if (reportFd) writeSync(RESULT_FD, JSON.stringify(result));
  else process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs one measurement in a fresh process; wall time is spawn to exit. */
function measure(what, corpus, out) {
  return new Promise((resolvePromise, reject) => {
    const args = [join(REPO, 'bench', 'scan.mjs'), '--child', what, '--corpus', corpus, '--report-fd', ...(out ? ['--out', out] : [])];
    const started = performance.now();
    const cp = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let result = '';
    cp.stderr.on('data', (d) => (stderr += d));
    cp.stdio[RESULT_FD].on('data', (d) => (result += d));
    cp.on('error', reject);
    cp.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0 || !result) return reject(new Error(`${what} child exited ${code}: ${stderr.slice(0, 2000)}`));
      const r = JSON.parse(result);
      if (what === 'scan' && r.exitCode !== 0) return reject(new Error(`palisade scan exited ${r.exitCode}: ${stderr.slice(0, 2000)}`));
      resolvePromise({ ...r, wallMs, stderr });
    });
  });
}

// ---------- parent mode ----------

function summarize(runs, objects) {
  const wallMs = median(runs.map((r) => r.wallMs));
  return {
    wallMs: Math.round(wallMs),
    objectsPerSecond: Math.round(objects / (wallMs / 1000)),
    cpuMs: Math.round(median(runs.map((r) => r.cpuMs))),
    peakRssMiB: Math.round(median(runs.map((r) => r.maxRssMiB))),
    runsWallMs: runs.map((r) => Math.round(r.wallMs)),
    runsPeakRssMiB: runs.map((r) => Math.round(r.maxRssMiB)),
    runsChildMs: runs.map((r) => Math.round(r.childMs)),
    runsCpuMs: runs.map((r) => Math.round(r.cpuMs)),
  };
}

async function benchSize(objects, runs, seed) {
  const info = ensureCorpus(objects, seed);
  const corpus = fromRepo(corpusDir(objects));
  process.stdout.write(`\n${fmtInt(objects)} objects: ${corpus} (${fmtInt(info.files)} files, ${(info.bytes / 2 ** 20).toFixed(1)} MiB)\n`);

  // One untimed run of each first: warms the page cache and checks both saw every object.
  const tmp = mkdtempSync(join(tmpdir(), 'palisade-bench-'));
  let check;
  try {
    const reportFile = join(tmp, 'scan.json');
    const warmFloor = await measure('floor', corpus);
    const warmScan = await measure('scan', corpus, reportFile);
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    check = {
      floorObjects: warmFloor.objects,
      scanObjects: report.resources?.total,
      files: report.summary?.files,
      controls: report.controls?.length,
      findings: report.findings?.length,
      diagnostics: report.diagnostics?.length,
    };
    if (check.floorObjects !== objects || check.scanObjects !== objects) {
      throw new Error(`object count mismatch: corpus ${objects}, floor ${check.floorObjects}, scan ${check.scanObjects}`);
    }
    process.stdout.write(`  check: floor and scan both read ${fmtInt(objects)} objects; ${check.controls} controls, ${fmtInt(check.findings)} findings, ${check.diagnostics} diagnostics\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const floorRuns = [];
  const scanRuns = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, so drift on a shared machine hits both alike.
    floorRuns.push(await measure('floor', corpus));
    scanRuns.push(await measure('scan', corpus));
    const f = floorRuns.at(-1);
    const s = scanRuns.at(-1);
    process.stdout.write(`  run ${i + 1}/${runs}: floor ${fmtInt(f.wallMs)} ms (CPU ${fmtInt(f.cpuMs)} ms) ${fmtInt(f.maxRssMiB)} MiB · scan ${fmtInt(s.wallMs)} ms (CPU ${fmtInt(s.cpuMs)} ms) ${fmtInt(s.maxRssMiB)} MiB\n`);
  }
  const floor = summarize(floorRuns, objects);
  const scan = summarize(scanRuns, objects);
  const timeRatio = scan.wallMs / floor.wallMs;
  const rssApplies = objects === RSS_TARGET_OBJECTS;
  return {
    objects,
    corpus,
    files: info.files,
    bytes: info.bytes,
    check,
    floor,
    scan,
    ratio: { time: round2(timeRatio), cpu: round2(scan.cpuMs / floor.cpuMs), rss: round2(scan.peakRssMiB / floor.peakRssMiB) },
    targets: {
      time: { limit: TIME_TARGET, holds: timeRatio <= TIME_TARGET },
      rss: rssApplies ? { limitMiB: RSS_TARGET_MIB, holds: scan.peakRssMiB <= RSS_TARGET_MIB } : null,
    },
  };
}

const round2 = (x) => Math.round(x * 100) / 100;

function table(results) {
  const rows = [['objects', 'files', 'MiB', 'measure', 'wall ms', 'objects/s', 'CPU ms', 'peak RSS MiB', 'scan/floor', 'target']];
  for (const r of results) {
    rows.push([fmtInt(r.objects), fmtInt(r.files), (r.bytes / 2 ** 20).toFixed(1), 'floor (yaml parse)', fmtInt(r.floor.wallMs), fmtInt(r.floor.objectsPerSecond), fmtInt(r.floor.cpuMs), fmtInt(r.floor.peakRssMiB), '', '']);
    const verdicts = [`time ≤ ${TIME_TARGET}×: ${r.targets.time.holds ? 'holds' : 'MISSED'}`];
    if (r.targets.rss) verdicts.push(`RSS ≤ 1 GiB: ${r.targets.rss.holds ? 'holds' : 'MISSED'}`);
    rows.push(['', '', '', 'palisade scan', fmtInt(r.scan.wallMs), fmtInt(r.scan.objectsPerSecond), fmtInt(r.scan.cpuMs), fmtInt(r.scan.peakRssMiB), `${r.ratio.time.toFixed(2)}× wall, ${r.ratio.cpu.toFixed(2)}× CPU, ${r.ratio.rss.toFixed(2)}× RSS`, verdicts.join('; ')]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const numeric = new Set([0, 1, 2, 4, 5, 6, 7]);
  return rows.map((row) => row.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

async function parent(values) {
  const sizes = values.sizes.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0) || !Number.isInteger(runs) || runs <= 0) throw new Error('--sizes takes positive integers separated by commas; --runs a positive integer');
  const m = machine();
  const command = `node bench/scan.mjs --sizes ${sizes.join(',')} --runs ${runs}${seed !== 1 ? ` --seed ${seed}` : ''}`;
  process.stdout.write(`palisade scan benchmark — node ${m.node}, ${cpuText(m)}, ${m.cores} cores, ${m.memoryGiB} GiB${m.commit ? `, commit ${m.commit}${m.uncommittedChanges ? ' + uncommitted changes' : ''}` : ''}\n`);
  const results = [];
  for (const n of sizes) results.push(await benchSize(n, runs, seed));

  process.stdout.write(`\nMedian of ${runs} runs, each a fresh Node process. Wall: spawn to exit. CPU: user + system of all its threads. Peak RSS: the child's maxRSS.\n\n${table(results)}\n\n`);
  process.stdout.write(`Reproduce: ${command}\n`);
  process.stdout.write(`One measurement: node bench/scan.mjs --child scan --corpus ${results.at(-1).corpus}  (same as: node bin/palisade.js ${scanArgv(results.at(-1).corpus).join(' ')})\n`);

  const doc = {
    benchmark: 'scan',
    date: new Date().toISOString(),
    command,
    machine: m,
    method: { runs, statistic: 'median', floor: 'yaml parseAllDocuments(text) + doc.toJS() per document, values kept', scan: `main(${JSON.stringify(scanArgv('<corpus>'))}) from dist/cli/main.js`, wall: 'parent-measured spawn to exit of a fresh node process', cpu: 'child process.resourceUsage() user + system CPU time, all threads', peakRss: 'child process.resourceUsage().maxRSS' },
    targets: { timeRatio: TIME_TARGET, peakRssMiB: RSS_TARGET_MIB, atObjects: RSS_TARGET_OBJECTS },
    results,
  };
  if (!values['no-write']) {
    const dir = join(REPO, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'scan-latest.json'), JSON.stringify(doc, null, 2) + '\n');
    process.stdout.write('Wrote bench/results/scan-latest.json\n');
  }
  const missed = results.some((r) => !r.targets.time.holds || r.targets.rss?.holds === false);
  if (missed) process.stdout.write('At least one target is missed (see the table).\n');
}

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,50000' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    'no-write': { type: 'boolean' },
    child: { type: 'string' },
    corpus: { type: 'string' },
    out: { type: 'string' },
    'report-fd': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write('Usage: node bench/scan.mjs [--sizes 10000,50000] [--runs 3] [--seed 1] [--no-write]\n       node bench/scan.mjs --child floor|scan --corpus DIR [--out FILE]\n');
} else if (values.child) {
  if (!['floor', 'scan'].includes(values.child) || !values.corpus) throw new Error('--child takes floor or scan, with --corpus DIR');
  await child(values.child, values.corpus, values.out, values['report-fd'] === true);
} else {
  await parent(values);
}
