// What the benchmark scripts share: where corpora live, making sure one exists, and
// describing the machine the figures were taken on.

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CORPUS_ROOT = join(REPO, 'bench', '.corpus');
const GENERATOR = join(REPO, 'bench', 'corpus.mjs');

/** Paths as the reader of a printed command would type them, from the repository root. */
export const fromRepo = (p) => relative(REPO, p) || '.';

export function corpusDir(objects) {
  return join(CORPUS_ROOT, String(objects));
}

/** Changes whenever the generator does, so stale corpora are rebuilt. */
export function generatorHash() {
  return createHash('sha256').update(readFileSync(GENERATOR)).digest('hex').slice(0, 16);
}

export function readCorpusInfo(objects) {
  const file = join(corpusDir(objects), '.corpus-info');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

/** Generates the corpus of `objects` objects unless an up-to-date one is already there. */
export function ensureCorpus(objects, seed = 1) {
  const info = readCorpusInfo(objects);
  if (info && info.objects === objects && info.seed === seed && info.generatorHash === generatorHash()) return info;
  const dir = corpusDir(objects);
  const args = [GENERATOR, '--objects', String(objects), '--out', fromRepo(dir), '--seed', String(seed)];
  process.stdout.write(`$ node ${args.map((a) => (a === GENERATOR ? fromRepo(a) : a)).join(' ')}\n`);
  const r = spawnSync(process.execPath, args, { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`corpus generation failed (exit ${r.status})`);
  return readCorpusInfo(objects);
}

export function machine() {
  let cpu = cpus()[0]?.model?.trim() || 'unknown';
  let cpuDetail;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name) => new RegExp(`^${name}\\s*:\\s*(.+)$`, 'm').exec(info)?.[1]?.trim();
    cpu = field('model name') ?? cpu;
    // Virtual machines often hide the part number; family, model and clock still tell it apart.
    cpuDetail = { family: field('cpu family'), model: field('model'), mhz: Math.round(Number(field('cpu MHz'))) || undefined, virtualized: / hypervisor( |$)/m.test(field('flags') ?? '') };
  } catch {
    // not Linux: os.cpus() is the best we have
  }
  // Read-only git queries: which code was measured, and whether the tree differed from it.
  const git = (...args) => execFileSync('git', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  let commit;
  let uncommittedChanges;
  try {
    commit = git('rev-parse', '--short', 'HEAD').trim();
    let modified = false;
    try {
      git('diff', '--quiet', 'HEAD', '--');
    } catch {
      modified = true;
    }
    uncommittedChanges = modified || git('ls-files', '--others', '--exclude-standard').trim() !== '';
  } catch {
    commit = undefined;
  }
  return { node: process.version, cpu, cpuDetail, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), platform: `${process.platform}-${process.arch}`, commit, uncommittedChanges };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const fmtInt = (n) => Math.round(n).toLocaleString('en-US');

/** "AMD EPYC (family 26, model 2, 2596 MHz, virtual machine)" */
export function cpuText(m) {
  const d = m.cpuDetail;
  if (!d) return m.cpu;
  const parts = [d.family && `family ${d.family}`, d.model && `model ${d.model}`, d.mhz && `${d.mhz} MHz`, d.virtualized && 'virtual machine'].filter(Boolean);
  return parts.length ? `${m.cpu} (${parts.join(', ')})` : m.cpu;
}
