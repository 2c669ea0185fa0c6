/**
 * Reading Kyverno inputs (policies, exceptions, resources, test support files) from YAML
 * with source positions, through the same parser and limits as `palisade scan`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { diagnostic, type Diagnostic } from '../../core/errors.js';
import type { Resource } from '../../core/resource.js';
import { DEFAULT_LIMITS, parseManifestText, type LoadResult } from '../../sources/manifests.js';
import { parseStream } from '../../sources/yaml-document.js';

/** Largest file read as a policy, resource or test support file. */
export const MAX_INPUT_FILE_SIZE = 16 * 1024 * 1024;

function display(root: string, p: string): string {
  const rel = relative(root, p);
  return (rel === '' || rel.startsWith('..') ? p : rel).split(sep).join('/');
}

function readText(path: string, shown: string, diagnostics: Diagnostic[]): string | undefined {
  if (!existsSync(path)) {
    diagnostics.push(diagnostic('PALISADE_SOURCE_NOT_FOUND', {}, { file: shown }));
    return undefined;
  }
  try {
    const size = statSync(path).size;
    if (size > MAX_INPUT_FILE_SIZE) {
      diagnostics.push(diagnostic('PALISADE_SOURCE_TOO_LARGE', { size, limit: MAX_INPUT_FILE_SIZE }, { file: shown }));
      return undefined;
    }
    return readFileSync(path, 'utf8');
  } catch (e) {
    diagnostics.push(diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: (e as Error).message }, { file: shown }));
    return undefined;
  }
}

const YAML_EXT = new Set(['.yaml', '.yml', '.json']);

/** Files under a path: the file itself, or every YAML/JSON file below a directory (sorted). */
export function yamlFilesUnder(path: string): string[] {
  if (!existsSync(path)) return [path];
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (YAML_EXT.has(extname(e.name).toLowerCase())) out.push(p);
    }
  };
  walk(path);
  return out;
}

/** Kubernetes objects (with positions) from files or directories. */
export function loadObjects(paths: readonly string[], root: string): LoadResult {
  const out: LoadResult = { resources: [], diagnostics: [], files: 0 };
  for (const p of paths) {
    for (const file of yamlFilesUnder(p)) {
      const shown = display(root, file);
      const text = readText(file, shown, out.diagnostics);
      if (text === undefined) continue;
      out.files++;
      parseManifestText(text, shown, extname(file).toLowerCase() === '.json', DEFAULT_LIMITS, out);
    }
  }
  return out;
}

/** The first YAML document of a file as plain data (test, values and userinfo files). */
export function loadYamlData(path: string, root: string, diagnostics: Diagnostic[]): { data: unknown; file: string } | undefined {
  const shown = display(root, path);
  const text = readText(path, shown, diagnostics);
  if (text === undefined) return undefined;
  let stream;
  try {
    stream = parseStream(text);
  } catch (e) {
    diagnostics.push(diagnostic('PALISADE_SOURCE_YAML_SYNTAX', { detail: (e as Error).message }, { file: shown }));
    return undefined;
  }
  const doc = stream.documents.find((d) => d.contents !== null);
  if (!doc) return { data: undefined, file: shown };
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    const { line, col } = stream.lineCounter.linePos(err.pos[0]);
    diagnostics.push(diagnostic('PALISADE_SOURCE_YAML_SYNTAX', { detail: err.message.split('\n')[0]! }, { file: shown, line, column: col }));
    return undefined;
  }
  try {
    return { data: doc.toJS({ maxAliasCount: DEFAULT_LIMITS.maxAliases }), file: shown };
  } catch (e) {
    diagnostics.push(diagnostic('PALISADE_SOURCE_YAML_SYNTAX', { detail: (e as Error).message }, { file: shown }));
    return undefined;
  }
}

export function isPolicyResource(r: Resource): boolean {
  return r.apiVersion.startsWith('kyverno.io/') && (r.kind === 'ClusterPolicy' || r.kind === 'Policy');
}

export function isPolicyException(r: Resource): boolean {
  return r.apiVersion.startsWith('kyverno.io/') && r.kind === 'PolicyException';
}
