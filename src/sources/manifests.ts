import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, extname, sep, basename } from 'node:path';
import { diagnostic, type Diagnostic } from '../core/errors.js';
import { makeResource, type K8sObject, type Resource } from '../core/resource.js';
import type { JsonPath } from '../core/path.js';
import { parseStream, type ParsedStream } from './yaml-document.js';
import { AliasLimitError, DepthLimitError, locateValue, toValues } from './yaml-values.js';
import { renderChart, renderKustomization } from './renderers.js';
import { compileGlobs } from './globs.js';

export interface LoadLimits {
  /** Bytes per file. */
  maxFileSize: number;
  /** YAML alias expansions per document. */
  maxAliases: number;
  /** Nesting depth of any document. */
  maxDepth: number;
  /** Documents per file. */
  maxDocuments: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  maxFileSize: 64 * 1024 * 1024,
  maxAliases: 100,
  maxDepth: 200,
  maxDocuments: 100_000,
};

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
}

export interface LoadResult {
  resources: Resource[];
  diagnostics: Diagnostic[];
  files: number;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const SKIP_DIRS = new Set(['.git', 'node_modules', '.svn', '.hg']);

function displayPath(root: string, p: string): string {
  const rel = relative(root, p);
  const shown = rel === '' ? basename(p) : rel.startsWith('..') ? p : rel;
  return shown.split(sep).join('/');
}

/** Loads Kubernetes objects from files, directories (recursively) and `-` (stdin). */
export function loadManifests(inputs: readonly string[], opts: LoadOptions): LoadResult {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const out: LoadResult = { resources: [], diagnostics: [], files: 0 };
  const ignored = compileGlobs(opts.ignore ?? []);
  const isIgnored = (abs: string) => ignored(displayPath(opts.root, abs));

  const loadText = (text: string, file: string, isJson: boolean) => {
    out.files++;
    parseManifestText(text, file, isJson, limits, out);
  };

  const loadFile = (abs: string) => {
    const file = displayPath(opts.root, abs);
    let buf: Buffer;
    try {
      const st = statSync(abs);
      if (st.size > limits.maxFileSize) {
        out.diagnostics.push(diagnostic('PALISADE_SOURCE_TOO_LARGE', { size: st.size, limit: limits.maxFileSize }, { file }));
        return;
      }
      buf = readFileSync(abs);
    } catch (e) {
      out.diagnostics.push(diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: errnoText(e) }, { file }));
      return;
    }
    const text = decodeText(buf, file, out.diagnostics);
    if (text !== undefined) loadText(text, file, extname(abs).toLowerCase() === '.json');
  };

  const loadRendered = (dir: string, what: 'chart' | 'kustomization') => {
    const shown = displayPath(opts.root, dir);
    const r = what === 'chart' ? renderChart(dir) : renderKustomization(dir);
    if ('diagnostic' in r) {
      out.diagnostics.push({ ...r.diagnostic, file: shown });
      return;
    }
    loadText(r.text, `${shown}${shown.endsWith('/') ? '' : '/'}(${r.program} output)`, false);
  };

  const walk = (dir: string) => {
    if (opts.render !== false) {
      if (existsSync(join(dir, 'Chart.yaml'))) return loadRendered(dir, 'chart');
      if (['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((k) => existsSync(join(dir, k)))) {
        return loadRendered(dir, 'kustomization');
      }
    }
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (e) {
      out.diagnostics.push(diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: errnoText(e) }, { file: displayPath(opts.root, dir) }));
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (isIgnored(p)) continue;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(p);
      } else if ((e.isFile() || e.isSymbolicLink()) && MANIFEST_EXTENSIONS.has(extname(e.name).toLowerCase())) {
        loadFile(p);
      }
    }
  };

  for (const input of inputs) {
    if (input === '-') {
      let text: string;
      try {
        text = (opts.stdin ?? (() => readFileSync(0, 'utf8')))();
      } catch (e) {
        out.diagnostics.push(diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: errnoText(e) }, { file: '<stdin>' }));
        continue;
      }
      if (Buffer.byteLength(text) > limits.maxFileSize) {
        out.diagnostics.push(diagnostic('PALISADE_SOURCE_TOO_LARGE', { size: Buffer.byteLength(text), limit: limits.maxFileSize }, { file: '<stdin>' }));
        continue;
      }
      loadText(text, '<stdin>', false);
      continue;
    }
    const abs = resolve(opts.root, input);
    let st;
    try {
      st = statSync(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      out.diagnostics.push(
        code === 'ENOENT'
          ? diagnostic('PALISADE_SOURCE_NOT_FOUND', {}, { file: input })
          : diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: errnoText(e) }, { file: input }),
      );
      continue;
    }
    if (st.isDirectory()) walk(abs);
    else loadFile(abs);
  }
  return out;
}

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return err.code ? `${err.code}` : String(err.message ?? err);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decodeText(buf: Buffer, file: string, diags: Diagnostic[]): string | undefined {
  const head = buf.subarray(0, 8192);
  if (head.includes(0)) {
    diags.push(diagnostic('PALISADE_SOURCE_BINARY', {}, { file }));
    return undefined;
  }
  try {
    return utf8.decode(buf);
  } catch {
    diags.push(diagnostic('PALISADE_SOURCE_ENCODING', {}, { file }));
    return undefined;
  }
}

/** Parses one YAML or JSON stream and appends its objects and problems to `out`. */
export function parseManifestText(text: string, file: string, isJson: boolean, limits: LoadLimits, out: LoadResult): void {
  let stream: ParsedStream;
  try {
    // YAML 1.1 is what kubectl reads (yes/no/on/off booleans, 0644 octal, merge keys).
    stream = parseStream(text, isJson ? '1.2' : '1.1');
  } catch (e) {
    if (e instanceof RangeError) {
      out.diagnostics.push(diagnostic('PALISADE_SOURCE_TOO_DEEP', { limit: limits.maxDepth }, { file }));
      return;
    }
    throw e;
  }
  const { documents, lineCounter } = stream;
  if (documents.length > limits.maxDocuments) {
    out.diagnostics.push(diagnostic('PALISADE_SOURCE_TOO_MANY_DOCS', { limit: limits.maxDocuments }, { file }));
    return;
  }
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  documents.forEach((doc, docIndex) => {
    if (doc.errors.length > 0) {
      // The first error is the useful one; later ones usually cascade from it.
      for (const err of doc.errors.slice(0, 1)) {
        const pos = at(err.pos[0]);
        const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more in this document)` : '';
        const detail = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') + more;
        if (err.code === 'DUPLICATE_KEY') {
          const rest = text.slice(err.pos[0], err.pos[0] + 200);
          const key = (/^("(?:[^"\\]|\\.)*"|'[^']*'|[^:\n]+)/.exec(rest)?.[1] ?? rest.split('\n')[0]!).trim().replace(/^["']|["']$/g, '');
          out.diagnostics.push(diagnostic('PALISADE_SOURCE_DUPLICATE_KEY', { key: JSON.stringify(key) }, { file, ...pos }));
        } else if (err.code === 'RESOURCE_EXHAUSTION') {
          out.diagnostics.push(diagnostic('PALISADE_SOURCE_TOO_DEEP', { limit: limits.maxDepth }, { file, ...pos }));
        } else {
          out.diagnostics.push(diagnostic(isJson ? 'PALISADE_SOURCE_JSON_SYNTAX' : 'PALISADE_SOURCE_YAML_SYNTAX', { detail }, { file, ...pos }));
        }
      }
      return;
    }
    if (doc.contents === null) return; // empty document
    const rootOffset = doc.contents.range[0];
    let value: unknown;
    try {
      value = toValues(doc, limits);
    } catch (e) {
      const start = at(rootOffset);
      if (e instanceof DepthLimitError || e instanceof RangeError) out.diagnostics.push(diagnostic('PALISADE_SOURCE_TOO_DEEP', { limit: limits.maxDepth }, { file, ...start }));
      else if (e instanceof AliasLimitError) out.diagnostics.push(diagnostic('PALISADE_SOURCE_ALIAS_LIMIT', { limit: limits.maxAliases }, { file, ...start }));
      else throw e;
      return;
    }
    if (value === null || value === undefined) return;
    const root = value;
    const locateIn = (basePath: JsonPath, path: JsonPath) => locateValue(root, rootOffset, lineCounter, file, basePath, path);
    addObject(value, [], locateIn, docIndex);
  });

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
    const obj = value as Record<string, unknown>;
    if (inferred) {
      if (obj.apiVersion === undefined) obj.apiVersion = inferred.apiVersion;
      if (obj.kind === undefined) obj.kind = inferred.kind;
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
