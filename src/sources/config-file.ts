import { Ajv, type ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import { CONFIG_SCHEMA, EMPTY_CONFIG, type PalisadeConfig } from '../core/config.js';
import { diagnostic, PalisadeError, type Diagnostic } from '../core/errors.js';
import type { JsonPath } from '../core/path.js';
import { isSeverity } from '../core/severity.js';
import { locateInDocument, parseStream } from './yaml-document.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(CONFIG_SCHEMA);
const optionValidators = new WeakMap<object, ReturnType<typeof ajv.compile>>();
function optionValidator(schema: Record<string, unknown>) {
  let v = optionValidators.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    optionValidators.set(schema, v);
  }
  return v;
}

function describeError(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case 'enum':
      return `expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `expected ${(e.params as { type: string }).type}`;
    case 'pattern':
      return 'expected "latest" or a version like v1.30';
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * Reads and validates a configuration file. Problems come back as diagnostics with file,
 * line and field; a file that cannot be read or parsed throws PalisadeError.
 */
/** Control ids a configuration may name, with the JSON schema of each one's options. */
export type KnownControls = ReadonlySet<string> | ReadonlyMap<string, Record<string, unknown> | undefined>;

export function loadConfig(file: string, knownControlIds: KnownControls): { config: PalisadeConfig; diagnostics: Diagnostic[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PalisadeError(diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file }));
  }
  return parseConfig(text, file, knownControlIds);
}

export function parseConfig(text: string, file: string, knownControlIds: KnownControls): { config: PalisadeConfig; diagnostics: Diagnostic[] } {
  const { documents, lineCounter } = parseStream(text);
  const doc = documents[0];
  if (doc && doc.errors.length) {
    const err = doc.errors[0]!;
    const { line, col } = lineCounter.linePos(err.pos[0]);
    throw new PalisadeError(diagnostic('PALISADE_CONFIG_SYNTAX', { detail: err.message.split('\n')[0]! }, { file, line, column: col }));
  }
  const raw = doc ? doc.toJS({ maxAliasCount: 10 }) : {};
  const value = raw ?? {};
  const diagnostics: Diagnostic[] = [];
  const at = (path: JsonPath, field: string, detail: string) => {
    const loc = doc ? locateInDocument(doc, lineCounter, file, [], path) : { line: 1, column: 1 };
    diagnostics.push(diagnostic('PALISADE_CONFIG_INVALID', { field: field || '(top level)', detail }, { file, line: loc.line, column: loc.column, field }));
  };
  if (!validate(value)) {
    const seen = new Set<string>();
    for (const e of validate.errors ?? []) {
      // anyOf reports every branch; one message per field is enough.
      const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      const extra = e.keyword === 'additionalProperties' ? [(e.params as { additionalProperty: string }).additionalProperty] : [];
      const field = [...path, ...extra].join('.');
      if (seen.has(path.join('.'))) continue;
      seen.add(path.join('.'));
      at([...path, ...extra], field, e.keyword === 'anyOf' ? 'expected off, on, or a mapping with enabled, severity, options' : describeError(e));
    }
    return { config: EMPTY_CONFIG, diagnostics };
  }
  const v = value as Record<string, any>;
  const controls: PalisadeConfig['controls'] = {};
  for (const [id, setting] of Object.entries((v.controls ?? {}) as Record<string, unknown>)) {
    if (!knownControlIds.has(id)) {
      at(['controls', id], `controls.${id}`, 'unknown control id (see `palisade controls`)');
      continue;
    }
    if (setting === 'off' || setting === false) controls[id] = { enabled: false };
    else if (setting === 'on' || setting === true) controls[id] = { enabled: true };
    else {
      const s = setting as { enabled?: boolean; severity?: string; options?: Record<string, unknown> };
      const schema = knownControlIds instanceof Map ? knownControlIds.get(id) : undefined;
      if (s.options !== undefined) {
        if (!schema) {
          at(['controls', id, 'options'], `controls.${id}.options`, 'this control takes no options');
          continue;
        }
        const check = optionValidator(schema);
        if (!check(s.options)) {
          for (const e of check.errors ?? []) {
            const sub = e.instancePath.split('/').slice(1);
            const extra = e.keyword === 'additionalProperties' ? [(e.params as { additionalProperty: string }).additionalProperty] : [];
            const path = ['controls', id, 'options', ...sub, ...extra];
            at(path, path.join('.'), describeError(e));
          }
          continue;
        }
      }
      controls[id] = { enabled: s.enabled, severity: isSeverity(s.severity) ? s.severity : undefined, options: s.options };
    }
  }
  return {
    config: {
      controls,
      allowedRegistries: v.allowedRegistries ?? [],
      ignore: v.ignore ?? [],
      failOn: v.failOn,
      frameworks: v.frameworks ?? [],
      pssVersion: v.pssVersion,
      exceptions: v.exceptions,
      policies: v.policies ?? [],
      limits: v.limits ?? {},
      ...(v.admission ? { admission: v.admission } : {}),
    },
    diagnostics,
  };
}
