#!/usr/bin/env node
// What keeping parsed manifests costs: the live heap after reading a corpus, when keeping
//   values     the plain values (doc.toJS()), as the floor of bench/scan.mjs does;
//   documents  the yaml Documents too, parsed with the options src/sources/yaml-document.ts
//              uses, as `palisade scan` keeps them to locate findings;
//   index      the values plus a compact offset index (one array of key or item offsets per
//              mapping and sequence), a prototype of locating without the Documents.
// Each mode runs in a fresh process with --expose-gc; heap is measured after a full GC.
//
//   node bench/retained-heap.mjs [--objects 50000]

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { corpusDir, ensureCorpus, fmtInt, fromRepo, REPO } from './lib.mjs';

const MODES = ['values', 'documents', 'index'];
const { values } = parseArgs({ options: { objects: { type: 'string', default: '50000' }, child: { type: 'string' }, corpus: { type: 'string' } } });

if (values.child) {
  const { isMap, isScalar, isSeq, LineCounter, parseAllDocuments } = await import('yaml');
  const kept = [];
  let containers = 0;
  // Offsets of each mapping's keys (or sequence's items), in source order, keyed by the value.
  const indexNode = (node, value, index) => {
    if (!value || typeof value !== 'object') return;
    if (isMap(node)) {
      const offsets = new Array(node.items.length + 1).fill(node.range[0]); // exact size: no slack
      node.items.forEach((pair, i) => {
        offsets[i + 1] = pair.key?.range?.[0] ?? node.range[0];
        if (isScalar(pair.key)) indexNode(pair.value, value[String(pair.key.value)], index);
      });
      index.set(value, offsets);
      containers++;
    } else if (isSeq(node)) {
      const offsets = new Array(node.items.length + 1).fill(node.range[0]);
      node.items.forEach((item, i) => {
        offsets[i + 1] = item?.range?.[0] ?? node.range[0];
        indexNode(item, value[i], index);
      });
      index.set(value, offsets);
      containers++;
    }
  };
  const started = performance.now();
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/i.test(e.name)) {
        const text = readFileSync(p, 'utf8');
        const lineCounter = new LineCounter();
        const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: true, keepSourceTokens: false });
        const index = new Map();
        for (const doc of docs) {
          const v = doc.toJS();
          if (values.child === 'documents') kept.push(doc);
          if (values.child === 'index') indexNode(doc.contents, v, index);
          kept.push(v);
        }
        if (values.child !== 'values') kept.push(lineCounter);
        if (values.child === 'index') kept.push(index);
      }
    }
  };
  walk(values.corpus);
  const ms = performance.now() - started;
  globalThis.gc();
  const heap = process.memoryUsage().heapUsed;
  process.stdout.write(JSON.stringify({ ms, heapMiB: heap / 2 ** 20, maxRssMiB: process.resourceUsage().maxRSS / 1024, containers, kept: kept.length }));
} else {
  const objects = Number(values.objects);
  ensureCorpus(objects);
  const corpus = fromRepo(corpusDir(objects));
  process.stdout.write(`Live heap after reading ${corpus} (${fmtInt(objects)} objects), fresh process per mode:\n\n`);
  process.stdout.write(`${'kept'.padEnd(10)} ${'heap MiB'.padStart(9)} ${'peak RSS MiB'.padStart(13)} ${'read ms'.padStart(8)}\n`);
  for (const mode of MODES) {
    const r = spawnSync(process.execPath, ['--expose-gc', 'bench/retained-heap.mjs', '--child', mode, '--corpus', corpus], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`${mode}: ${r.stderr}`);
    const m = JSON.parse(r.stdout);
    process.stdout.write(`${mode.padEnd(10)} ${fmtInt(m.heapMiB).padStart(9)} ${fmtInt(m.maxRssMiB).padStart(13)} ${fmtInt(m.ms).padStart(8)}${mode === 'index' ? `   (${fmtInt(m.containers)} mappings and sequences indexed)` : ''}\n`);
  }
  process.stdout.write(`\nReproduce: node bench/retained-heap.mjs --objects ${objects}\n`);
}
