import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import type { RiskException } from '../core/exception.js';
import { diagnostic, type Diagnostic } from '../core/errors.js';
import { locateInDocument, parseStream } from './yaml-document.js';

/*
 * apiVersion: palisade.dev/v1
 * kind: ExceptionList
 * exceptions:
 *   - id: EXC-001
 *     controls: [PAL-POD-001]
 *     resources: [{kind: DaemonSet, namespace: logging, name: "fluent-*"}]
 *     justification: …
 *     owner: …
 *     approvedBy: …
 *     expires: 2027-03-31
 */
const SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'exceptions'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'palisade.dev/v1' },
    kind: { const: 'ExceptionList' },
    exceptions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'controls', 'resources', 'justification', 'owner', 'approvedBy', 'expires'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', minLength: 1 },
          controls: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          resources: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              minProperties: 1,
              properties: {
                kind: { type: 'string' },
                namespace: { type: 'string' },
                name: { type: 'string' },
                labels: { type: 'object', additionalProperties: { type: 'string' } },
              },
            },
          },
          justification: { type: 'string', minLength: 10 },
          owner: { type: 'string', minLength: 1 },
          approvedBy: { type: 'string', minLength: 1 },
          expires: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: false }).compile(SCHEMA);

function explain(keyword: string, params: Record<string, unknown>, message?: string): string {
  switch (keyword) {
    case 'required':
      return `missing required field "${String(params.missingProperty)}"`;
    case 'additionalProperties':
      return `unknown field "${String(params.additionalProperty)}"`;
    case 'pattern':
      return 'expected a date as YYYY-MM-DD';
    case 'minLength':
      return `too short (at least ${String(params.limit)} characters)`;
    case 'const':
      return `expected ${JSON.stringify(params.allowedValue)}`;
    case 'minProperties':
      return 'a resource selector needs at least one of kind, namespace, name, labels';
    default:
      return message ?? keyword;
  }
}

/**
 * Reads an exceptions file. Malformed entries are reported (file, line, field) and left
 * out; the valid ones are returned. Unknown control ids are reported too.
 */
export function parseExceptions(text: string, file: string, knownControls: ReadonlySet<string>): { exceptions: RiskException[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const { documents, lineCounter } = parseStream(text);
  const doc = documents[0];
  if (!doc || doc.errors.length) {
    const err = doc?.errors[0];
    const pos = err ? lineCounter.linePos(err.pos[0]) : { line: 1, col: 1 };
    diagnostics.push(diagnostic('PALISADE_SOURCE_YAML_SYNTAX', { detail: err?.message.split('\n')[0] ?? 'empty file' }, { file, line: pos.line, column: pos.col }));
    return { exceptions: [], diagnostics };
  }
  const value = doc.toJS({ maxAliasCount: 10 }) as { exceptions?: unknown[] } | null;
  const bad = new Set<number>();
  const report = (path: (string | number)[], detail: string) => {
    const loc = locateInDocument(doc, lineCounter, file, [], path);
    const field = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') || '(top level)';
    diagnostics.push(diagnostic('PALISADE_EXCEPTION_INVALID', { field, detail }, { file, line: loc.line, column: loc.column, field }));
  };
  if (!validate(value)) {
    for (const e of validate.errors ?? []) {
      const path = e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
      if (path[0] === 'exceptions' && typeof path[1] === 'number') bad.add(path[1]);
      else if (path.length === 0 || path[0] !== 'exceptions') {
        report(path, explain(e.keyword, e.params as Record<string, unknown>, e.message));
        if (!Array.isArray(value?.exceptions)) return { exceptions: [], diagnostics };
        continue;
      }
      report(e.keyword === 'additionalProperties' ? [...path, String((e.params as { additionalProperty: string }).additionalProperty)] : path, explain(e.keyword, e.params as Record<string, unknown>, e.message));
    }
  }
  const out: RiskException[] = [];
  const ids = new Set<string>();
  ((value?.exceptions ?? []) as unknown[]).forEach((raw: unknown, i: number) => {
    if (bad.has(i) || !raw || typeof raw !== 'object') return;
    const e = raw as RiskException;
    if (Number.isNaN(Date.parse(`${e.expires}T00:00:00Z`))) return report(['exceptions', i, 'expires'], 'not a valid date');
    if (ids.has(e.id)) return report(['exceptions', i, 'id'], `duplicate exception id ${e.id}`);
    const unknown = e.controls.findIndex((c) => c !== '*' && !knownControls.has(c));
    if (unknown >= 0) return report(['exceptions', i, 'controls', unknown], `unknown control id ${e.controls[unknown]}`);
    ids.add(e.id);
    const line = locateInDocument(doc, lineCounter, file, [], ['exceptions', i]).line;
    out.push({ ...e, source: { file, line } });
  });
  return { exceptions: out, diagnostics };
}

export function loadExceptions(path: string, shownAs: string, knownControls: ReadonlySet<string>): { exceptions: RiskException[]; diagnostics: Diagnostic[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { exceptions: [], diagnostics: [diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: shownAs })] };
  }
  return parseExceptions(text, shownAs, knownControls);
}
