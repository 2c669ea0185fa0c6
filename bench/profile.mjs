#!/usr/bin/env node
// CPU profile of one `palisade scan` of a corpus, summarised over all its threads (main and
// workers): the top functions by self time and by inclusive time, and self time per source
// (Palisade module, yaml, node, GC). Idle time is reported per thread, not as a hotspot.
// Not part of `npm run bench`: profiling slows the scan down, so its figures are not timings.
//
//   node bench/profile.mjs [--objects 50000] [--top 25] [--keep]
//
// --keep leaves the raw .cpuprofile files in bench/.profile/ (open them in Chrome DevTools).

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { corpusDir, ensureCorpus, fmtInt, fromRepo, REPO } from './lib.mjs';

const { values } = parseArgs({ options: { objects: { type: 'string', default: '50000' }, top: { type: 'string', default: '25' }, keep: { type: 'boolean' }, interval: { type: 'string', default: '1000' } } });
const objects = Number(values.objects);
const top = Number(values.top);
ensureCorpus(objects);
const corpus = fromRepo(corpusDir(objects));
const outDir = join(REPO, 'bench', '.profile');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const args = ['--cpu-prof', `--cpu-prof-dir=${outDir}`, `--cpu-prof-interval=${values.interval}`, 'bench/scan.mjs', '--child', 'scan', '--corpus', corpus];
process.stdout.write(`$ node ${args.map((a) => (a.startsWith('--cpu-prof-dir') ? '--cpu-prof-dir=bench/.profile' : a)).join(' ')}\n`);
const r = spawnSync(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (r.status !== 0) throw new Error(`profiled scan failed (exit ${r.status})`);
// One profile per thread, named CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile;
// thread 0 is the main thread, the others are worker threads.
const threadId = (f) => Number(f.split('.')[4]);
const files = readdirSync(outDir).filter((f) => f.endsWith('.cpuprofile')).sort((a, b) => threadId(a) - threadId(b));

/** Where a function lives: a Palisade module, a dependency, node itself, or V8. */
function source(url) {
  if (!url) return '(v8/native)';
  const p = url.replace(/^file:\/\//, '');
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(p);
  if (dep) return `${dep[1]}: ${dep[2]}`;
  if (p.startsWith(`${REPO}/`)) return p.slice(REPO.length + 1);
  if (p.startsWith('node:')) return 'node internals';
  return p;
}
const label = (n) => {
  const { functionName, url, lineNumber } = n.callFrame;
  return `${functionName || '(anonymous)'}  ${url ? `${source(url)}:${lineNumber + 1}` : source(url)}`;
};
const add = (map, k, w) => map.set(k, (map.get(k) ?? 0) + w);

const self = new Map();
const inclusive = new Map();
const bySource = new Map();
const threads = [];
for (const file of files) {
  const profile = JSON.parse(readFileSync(join(outDir, file), 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const deltas = profile.timeDeltas;
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute the gap after it to it instead.
    const w = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    total += w;
    const leaf = nodes.get(profile.samples[i]);
    if (leaf.callFrame.functionName === '(idle)') {
      idle += w; // a thread waiting (for workers, or for work) is not a hotspot
      continue;
    }
    add(self, label(leaf), w);
    add(bySource, leaf.callFrame.url ? source(leaf.callFrame.url).split(':')[0] : leaf.callFrame.functionName || '(v8/native)', w);
    const seen = new Set();
    for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
      const l = label(nodes.get(id));
      if (seen.has(l)) continue; // recursion counts once per sample
      seen.add(l);
      add(inclusive, l, w);
    }
  }
  threads.push({ name: threadId(file) === 0 ? 'main thread' : `worker ${threadId(file)}`, total, idle });
}
inclusive.delete('(root)  (v8/native)');
const busy = threads.reduce((s, t) => s + t.total - t.idle, 0);

const print = (title, map, n) => {
  process.stdout.write(`\n${title}\n`);
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
  for (const [name, ms] of rows) process.stdout.write(`${fmtInt(ms).padStart(8)} ms ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${name}\n`);
};
process.stdout.write(`${fmtInt(objects)} objects; profiling adds overhead, so compare shares, not times. Shares are of busy (non-idle) time over all threads.\n`);
for (const t of threads) process.stdout.write(`  ${t.name.padEnd(11)} ${fmtInt(t.total).padStart(7)} ms sampled, ${fmtInt(t.total - t.idle).padStart(7)} ms busy\n`);
print('Self time by source', bySource, top);
print('Top functions by self time', self, top);
print('Top functions by inclusive time', inclusive, top);
if (values.keep) process.stdout.write(`\nRaw profiles (one per thread; open in Chrome DevTools): ${fromRepo(outDir)}/\n`);
else rmSync(outDir, { recursive: true, force: true });
