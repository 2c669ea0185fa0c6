#!/usr/bin/env node
// `npm run bench`: makes sure the corpora exist, then runs every benchmark in BENCHMARKS.
// To add one: write bench/<name>.mjs (it takes --sizes, prints its figures and the command
// that reproduces them, and writes bench/results/<name>-latest.json) and list it here.
//
//   node bench/run.mjs [--only scan] [--sizes 10000,50000] [--runs 3]

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureCorpus, REPO } from './lib.mjs';

const BENCHMARKS = [
  { name: 'scan', script: 'bench/scan.mjs', sizes: [10_000, 50_000], description: 'palisade scan against a yaml-parse floor: wall time, CPU time and peak RSS' },
  { name: 'audit', script: 'bench/audit.mjs', sizes: null, description: 'audit analyze with the built-in rules against a read+JSON.parse floor on 1,000,000 events with injected attacks' },
  { name: 'admission', script: 'bench/admission.mjs', sizes: null, description: 'admission webhook against a no-op HTTPS server: p50/p99 at a fixed rate, saturated reviews/s' },
  { name: 'store', script: 'bench/store.mjs', sizes: [50_000], description: 'evidence store, SQLite and PostgreSQL: ingest p50/p95 over 30 scans, p95 of the main queries, database size' },
  { name: 'serve', script: 'bench/serve.mjs', sizes: null, args: ['--objects', '50000', '--cycles', '30', '--change', '0.01'], description: 'palisade serve over HTTPS, SQLite and PostgreSQL: ingest of 30 CI scans of 50,000 objects, p50/p95 of the main API calls and report pages' },
];

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    sizes: { type: 'string' },
    runs: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(`Usage: node bench/run.mjs [--only NAME] [--sizes N,N] [--runs N]\n\nBenchmarks:\n${BENCHMARKS.map((b) => `  ${b.name.padEnd(8)} ${b.description}`).join('\n')}\n`);
  process.exit(0);
}
const unknown = (values.only ?? []).filter((n) => !BENCHMARKS.some((b) => b.name === n));
if (unknown.length) {
  process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}
if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('bench: dist/ is missing; run `npm run build` first (or use `npm run bench`)\n');
  process.exit(2);
}

const selected = BENCHMARKS.filter((b) => !values.only || values.only.includes(b.name));
let failed = 0;
for (const b of selected) {
  const sizes = b.sizes && (values.sizes ? values.sizes.split(',').map(Number) : b.sizes);
  for (const n of sizes ?? []) ensureCorpus(n);
  const args = [b.script, ...(sizes ? ['--sizes', sizes.join(','), ...(values.runs ? ['--runs', values.runs] : [])] : []), ...(b.args ?? [])];
  process.stdout.write(`\n=== ${b.name}: node ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, args, { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`bench: ${b.name} failed (exit ${r.status ?? r.signal})\n`);
  }
}
process.exitCode = failed ? 1 : 0;
