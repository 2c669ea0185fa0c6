import { Ajv } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnostic, type Diagnostic } from '../core/errors.js';
import { PACKAGE_ROOT } from '../core/version.js';
import { locateInDocument, parseStream } from '../sources/yaml-document.js';

export type Assessment = 'automated' | 'partial' | 'manual' | 'node';

export interface FrameworkRequirement {
  id: string;
  title: string;
  description?: string;
  /** Grouping for display (a chapter or section title). */
  section?: string;
  assessment: Assessment;
  controls: string[];
}

/** A compliance framework as data: requirements in our own words pointing at controls. */
export interface Framework {
  id: string;
  title: string;
  version: string;
  publisher: string;
  url?: string;
  description: string;
  requirements: FrameworkRequirement[];
  /** File it was read from (relative to the package root). */
  file: string;
}

const SCHEMA = {
  type: 'object',
  required: ['id', 'title', 'version', 'publisher', 'description', 'requirements'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
    title: { type: 'string' },
    version: { type: 'string' },
    publisher: { type: 'string' },
    url: { type: 'string' },
    description: { type: 'string' },
    requirements: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id', 'title', 'assessment', 'controls'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', minLength: 1 },
          title: { type: 'string', minLength: 1 },
          description: { type: 'string' },
          section: { type: 'string' },
          assessment: { enum: ['automated', 'partial', 'manual', 'node'] },
          controls: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: false }).compile(SCHEMA);

export const FRAMEWORKS_DIR = join(PACKAGE_ROOT, 'src', 'frameworks');

/** Parses one framework file; problems come back as diagnostics with line numbers. */
export function parseFramework(text: string, file: string): { framework?: Framework; diagnostics: Diagnostic[] } {
  const { documents, lineCounter } = parseStream(text);
  const doc = documents[0];
  const diagnostics: Diagnostic[] = [];
  if (!doc || doc.errors.length) {
    const err = doc?.errors[0];
    const pos = err ? lineCounter.linePos(err.pos[0]) : { line: 1, col: 1 };
    diagnostics.push(diagnostic('PALISADE_CONFIG_SYNTAX', { detail: err?.message.split('\n')[0] ?? 'empty file' }, { file, line: pos.line, column: pos.col }));
    return { diagnostics };
  }
  const value = doc.toJS({ maxAliasCount: 10 });
  if (!validate(value)) {
    for (const e of validate.errors ?? []) {
      const path = e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      const loc = locateInDocument(doc, lineCounter, file, [], path);
      diagnostics.push(diagnostic('PALISADE_CONFIG_INVALID', { field: path.join('.') || '(top level)', detail: e.message ?? e.keyword }, { file, line: loc.line, column: loc.column }));
    }
    return { diagnostics };
  }
  const fw = value as Omit<Framework, 'file'>;
  const ids = new Set<string>();
  fw.requirements.forEach((r, i) => {
    if (ids.has(r.id)) {
      const loc = locateInDocument(doc, lineCounter, file, [], ['requirements', i, 'id']);
      diagnostics.push(diagnostic('PALISADE_CONFIG_INVALID', { field: `requirements[${i}].id`, detail: `duplicate requirement id ${r.id}` }, { file, line: loc.line, column: loc.column }));
    }
    ids.add(r.id);
  });
  return { framework: { ...fw, file }, diagnostics };
}

let cache: Map<string, Framework> | undefined;

/** The built-in frameworks by id (read once). Invalid files throw: they are our bug. */
export function builtinFrameworks(): ReadonlyMap<string, Framework> {
  if (cache) return cache;
  const out = new Map<string, Framework>();
  let files: string[] = [];
  try {
    files = readdirSync(FRAMEWORKS_DIR).filter((f) => f.endsWith('.yaml')).sort();
  } catch {
    files = [];
  }
  for (const f of files) {
    const { framework, diagnostics } = parseFramework(readFileSync(join(FRAMEWORKS_DIR, f), 'utf8'), `src/frameworks/${f}`);
    if (!framework) throw new Error(`invalid built-in framework ${f}: ${diagnostics.map((d) => `${d.line}: ${d.message}`).join('; ')}`);
    out.set(framework.id, framework);
  }
  cache = out;
  return out;
}

/** Control ids named by any requirement of the framework. */
export function frameworkControlIds(fw: Framework): Set<string> {
  const ids = new Set<string>();
  for (const r of fw.requirements) for (const c of r.controls) ids.add(c);
  return ids;
}
