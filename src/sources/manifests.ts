import { readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve, extname, sep, basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { diagnostic, type Diagnostic } from '../core/errors.js';
import { makeResource, type K8sObject, type Resource } from '../core/resource.js';
import type { JsonPath } from '../core/path.js';
import {
  DEFAULT_LIMITS,
  errnoText,
  LineIndex,
  parseDocuments,
  readManifestFile,
  type LoadLimits,
  type ParsedFile,
  type TransferableFile,
} from './documents.js';
import { locateValue } from './yaml-values.js';
import { renderChart, renderKustomization } from './renderers.js';
import { compileGlobs } from './globs.js';

export { DEFAULT_LIMITS, type LoadLimits } from './documents.js';

export interface LoadOptions {
  /** Paths are reported relative to this directory. */
  root: string;
  limits?: Partial<LoadLimits>;
  /** Glob patterns (relative to root) of paths to skip. */
  ignore?: readonly string[];
  /** Render Helm charts and Kustomize directories (default true). */
  render?: boolean;
  /** Read by `-`; defaults to process.stdin. */
  stdin?: () => string;
  /** Worker threads for parsing large inputs (default: the machine's parallelism; 0 = none). */
  workers?: number;
  /** Inputs smaller than this many bytes are parsed in this thread (default 4 MiB). */
  parallelThresholdBytes?: number;
  /** Bytes of files per worker batch (default 1 MiB). */
  batchBytes?: number;
}

export interface LoadResult {
  resources: Resource[];
  diagnostics: Diagnostic[];
  files: number;
  /** Files parsed on worker threads (for diagnostics of the loader itself). */
  parsedOnWorkers?: number;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const SKIP_DIRS = new Set(['.git', 'node_modules', '.svn', '.hg']);
/** Below this many bytes of files, starting workers costs more than it saves. */
const PARALLEL_THRESHOLD_BYTES = 4 * 1024 * 1024;
/** Bytes of files handed to a worker at a time: small enough to balance, large enough to amortise. */
const BATCH_BYTES = 1024 * 1024;

function displayPath(root: string, p: string): string {
  const rel = relative(root, p);
  const shown = rel === '' ? basename(p) : rel.startsWith('..') ? p : rel;
  return shown.split(sep).join('/');
}

/** What the inputs expand to, in order: files to read, texts already in hand, problems. */
type InputItem =
  | { kind: 'file'; abs: string; file: string; isJson: boolean; size: number }
  | { kind: 'text'; text: string; file: string; isJson: boolean }
  | { kind: 'problem'; diagnostic: Diagnostic };

function collectInputs(inputs: readonly string[], opts: LoadOptions, limits: LoadLimits): InputItem[] {
  const items: InputItem[] = [];
  const ignored = compileGlobs(opts.ignore ?? []);
  const isIgnored = (abs: string) => ignored(displayPath(opts.root, abs));
  const problem = (d: Diagnostic) => items.push({ kind: 'problem', diagnostic: d });

  const addFile = (abs: string, size?: number) => {
    let bytes = size;
    if (bytes === undefined) {
      try {
        bytes = statSync(abs).size;
      } catch {
        bytes = 0;
      }
    }
    items.push({ kind: 'file', abs, file: displayPath(opts.root, abs), isJson: extname(abs).toLowerCase() === '.json', size: bytes });
  };

  const addRendered = (dir: string, what: 'chart' | 'kustomization') => {
    const shown = displayPath(opts.root, dir);
    const r = what === 'chart' ? renderChart(dir) : renderKustomization(dir);
    if ('diagnostic' in r) return problem({ ...r.diagnostic, file: shown });
    items.push({ kind: 'text', text: r.text, file: `${shown}${shown.endsWith('/') ? '' : '/'}(${r.program} output)`, isJson: false });
  };

  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (e) {
      return problem(diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: errnoText(e) }, { file: displayPath(opts.root, dir) }));
    }
    if (opts.render !== false) {
      const names = new Set(entries.map((e) => e.name));
      if (names.has('Chart.yaml')) return addRendered(dir, 'chart');
      if (names.has('kustomization.yaml') || names.has('kustomization.yml') || names.has('Kustomization')) return addRendered(dir, 'kustomization');
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (isIgnored(p)) continue;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(p);
      } else if ((e.isFile() || e.isSymbolicLink()) && MANIFEST_EXTENSIONS.has(extname(e.name).toLowerCase())) {
        addFile(p);
      }
    }
  };

  for (const input of inputs) {
    if (input === '-') {
      let text: string;
      try {
        text = (opts.stdin ?? (() => readFileSync(0, 'utf8')))();
      } catch (e) {
        problem(diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: errnoText(e) }, { file: '<stdin>' }));
        continue;
      }
      const size = Buffer.byteLength(text);
      if (size > limits.maxFileSize) problem(diagnostic('PALISADE_SOURCE_TOO_LARGE', { size, limit: limits.maxFileSize }, { file: '<stdin>' }));
      else items.push({ kind: 'text', text, file: '<stdin>', isJson: false });
      continue;
    }
    const abs = resolve(opts.root, input);
    let st;
    try {
      st = statSync(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      problem(code === 'ENOENT' ? diagnostic('PALISADE_SOURCE_NOT_FOUND', {}, { file: input }) : diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: errnoText(e) }, { file: input }));
      continue;
    }
    if (st.isDirectory()) walk(abs);
    else addFile(abs, st.size);
  }
  return items;
}

/** Reads and parses one input item in this thread. */
function parseItem(item: InputItem, limits: LoadLimits): ParsedFile | Diagnostic {
  if (item.kind === 'problem') return item.diagnostic;
  if (item.kind === 'text') return parseDocuments(item.text, item.file, item.isJson, limits);
  const r = readManifestFile(item.abs, item.file, limits);
  if ('diagnostic' in r) return r.diagnostic;
  return parseDocuments(r.text, item.file, item.isJson, limits);
}

/** Loads Kubernetes objects from files, directories (recursively) and `-` (stdin), in this thread. */
export function loadManifests(inputs: readonly string[], opts: LoadOptions): LoadResult {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const out: LoadResult = { resources: [], diagnostics: [], files: 0 };
  for (const item of collectInputs(inputs, opts, limits)) addParsed(parseItem(item, limits), out);
  return out;
}

/**
 * As loadManifests, parsing large inputs on worker threads: YAML parsing is most of a
 * scan's time and parallelises by file. Results are assembled in input order, so the
 * outcome is the same as in one thread.
 */
export async function loadManifestsParallel(inputs: readonly string[], opts: LoadOptions): Promise<LoadResult> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const items = collectInputs(inputs, opts, limits);
  const fileItems = items.filter((i): i is Extract<InputItem, { kind: 'file' }> => i.kind === 'file');
  const totalBytes = fileItems.reduce((n, i) => n + i.size, 0);
  const workers = Math.min(opts.workers ?? availableParallelism(), 8);
  const out: LoadResult = { resources: [], diagnostics: [], files: 0 };
  if (workers < 1 || totalBytes < (opts.parallelThresholdBytes ?? PARALLEL_THRESHOLD_BYTES) || fileItems.length < 2) {
    for (const item of items) addParsed(parseItem(item, limits), out);
    return out;
  }
  const parsed = await parseOnWorkers(fileItems, limits, workers, opts.batchBytes ?? BATCH_BYTES);
  out.parsedOnWorkers = parsed.size;
  for (const item of items) {
    const p = item.kind === 'file' ? parsed.get(item) : undefined;
    addParsed(p ?? parseItem(item, limits), out);
  }
  return out;
}

type Parsed = ParsedFile | Diagnostic;

async function parseOnWorkers(files: Extract<InputItem, { kind: 'file' }>[], limits: LoadLimits, count: number, batchBytes: number): Promise<Map<InputItem, Parsed>> {
  const batches: (typeof files)[] = [];
  let current: typeof files = [];
  let bytes = 0;
  for (const f of files) {
    current.push(f);
    bytes += f.size;
    if (bytes >= batchBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
  }
  if (current.length) batches.push(current);
  const results = new Map<InputItem, Parsed>();
  let next = 0;
  const workerUrl = new URL('./parse-worker.js', import.meta.url);
  const runWorker = () =>
    new Promise<void>((resolveRun) => {
      const w = new Worker(workerUrl, { workerData: { limits } });
      let batch: typeof files | undefined;
      const send = () => {
        batch = batches[next++];
        if (!batch) {
          void w.terminate();
          return resolveRun();
        }
        w.postMessage(batch.map((f) => ({ abs: f.abs, file: f.file, isJson: f.isJson })));
      };
      w.on('message', (msg: (TransferableFile | Diagnostic)[]) => {
        msg.forEach((m, i) => results.set(batch![i]!, 'lineStarts' in m ? fromTransferable(m) : m));
        send();
      });
      // A worker that dies leaves its batch to the caller, which parses it in this thread.
      w.on('error', () => resolveRun());
      w.on('exit', () => resolveRun());
      send();
    });
  await Promise.all(Array.from({ length: Math.min(count, batches.length) }, runWorker));
  return results;
}

function fromTransferable(t: TransferableFile): ParsedFile {
  return { file: t.file, docs: t.docs, diagnostics: t.diagnostics, lines: new LineIndex(t.lineStarts) };
}

function addParsed(p: Parsed, out: LoadResult): void {
  if (!('docs' in p)) {
    out.diagnostics.push(p);
    return;
  }
  out.files++;
  addParsedFile(p, out);
}

/** Parses one YAML or JSON stream and appends its objects and problems to `out`. */
export function parseManifestText(text: string, file: string, isJson: boolean, limits: LoadLimits, out: LoadResult): void {
  addParsedFile(parseDocuments(text, file, isJson, limits), out);
}

/** Turns parsed documents into resources: checks the object shape, expands Lists. */
function addParsedFile(parsed: ParsedFile, out: LoadResult): void {
  const { file, lines } = parsed;
  out.diagnostics.push(...parsed.diagnostics);
  for (const { value, rootOffset, docIndex, offsets } of parsed.docs) {
    const root = value;
    const locateIn = (basePath: JsonPath, path: JsonPath) => locateValue(root, offsets, rootOffset, lines, file, basePath, path);
    addObject(value, [], locateIn, docIndex);
  }

  function addObject(
    value: unknown,
    basePath: JsonPath,
    locateIn: (basePath: JsonPath, path: JsonPath) => ReturnType<typeof locateValue>,
    docIndex: number,
    inferred?: { apiVersion: string; kind: string },
  ) {
    const locate = (path: JsonPath) => locateIn(basePath, path);
    const bad = (field: string, expected: string, found: unknown, path: JsonPath) => {
      const loc = locate(path);
      out.diagnostics.push(diagnostic('PALISADE_SOURCE_BAD_OBJECT', { field, expected, found: describe(found) }, { file, line: loc.line, column: loc.column, field }));
    };
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const loc = locate([]);
      out.diagnostics.push(diagnostic('PALISADE_SOURCE_NOT_K8S', {}, { file, line: loc.line, column: loc.column, level: 'note' }));
      return;
    }
    let obj = value as Record<string, unknown>;
    // Items of a typed list may omit their kind. The parsed tree is never changed (positions
    // are computed from its shape), so the resource gets a copy with the inferred fields.
    if (inferred && (obj.apiVersion === undefined || obj.kind === undefined)) {
      obj = { ...obj, apiVersion: obj.apiVersion ?? inferred.apiVersion, kind: obj.kind ?? inferred.kind };
    }
    if (obj.apiVersion === undefined && obj.kind === undefined) {
      const loc = locate([]);
      out.diagnostics.push(diagnostic('PALISADE_SOURCE_NOT_K8S', {}, { file, line: loc.line, column: loc.column, level: 'note' }));
      return;
    }
    if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') return bad('apiVersion', 'a non-empty string such as "apps/v1"', obj.apiVersion, ['apiVersion']);
    if (typeof obj.kind !== 'string' || obj.kind === '') return bad('kind', 'a non-empty string such as "Deployment"', obj.kind, ['kind']);
    const kind = obj.kind;
    if ((kind === 'List' || kind.endsWith('List')) && 'items' in obj) {
      if (!Array.isArray(obj.items)) return bad('items', 'a list of objects', obj.items, ['items']);
      const itemKind = kind === 'List' ? undefined : { apiVersion: obj.apiVersion, kind: kind.slice(0, -4) };
      obj.items.forEach((item, i) => addObject(item, [...basePath, 'items', i], locateIn, docIndex, itemKind));
      return;
    }
    const meta = obj.metadata;
    if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta))) return bad('metadata', 'a mapping', meta, ['metadata']);
    const m = (meta ?? {}) as Record<string, unknown>;
    for (const f of ['name', 'namespace', 'generateName'] as const) {
      if (m[f] !== undefined && typeof m[f] !== 'string') return bad(`metadata.${f}`, 'a string', m[f], ['metadata', f]);
    }
    for (const f of ['labels', 'annotations'] as const) {
      const v = m[f];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'object' || Array.isArray(v)) return bad(`metadata.${f}`, 'a mapping of strings', v, ['metadata', f]);
      for (const [k, lv] of Object.entries(v as Record<string, unknown>)) {
        if (typeof lv !== 'string') return bad(`metadata.${f}.${k}`, 'a string (quote numbers and booleans)', lv, ['metadata', f, k]);
      }
    }
    out.resources.push(makeResource(obj as K8sObject, { type: 'manifest', file, docIndex, basePath, locate }));
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
