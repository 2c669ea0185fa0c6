/**
 * The Palisade JSON report (docs/json-output.md, `palisade scan --format json`) read back
 * into a ScanResult, so a CI run can be recorded like a scan the server made itself. Every
 * field is checked; the first problem is thrown as a ReportError naming its JSON path
 * (`findings[12].resource.kind`), because a CI log line is all the user will see.
 */
import type { ControlMeta } from '../core/control.js';
import type { Diagnostic, ErrorCode } from '../core/errors.js';
import type { ExceptionRef, Finding, FindingResourceRef, FindingStatus, JsonPatchOp } from '../core/finding.js';
import type { JsonPath } from '../core/path.js';
import type { Location } from '../core/resource.js';
import { isSeverity, type Severity } from '../core/severity.js';
import { CONTROLS } from '../controls/registry.js';
import type { ControlRun } from '../engine/engine.js';
import type { ScanResult } from '../engine/scan-result.js';
import { REQUIREMENT_STATUSES, type FrameworkStatus, type RequirementResult, type RequirementStatus } from '../frameworks/scoring.js';

export const REPORT_SCHEMA_VERSION = 'palisade.scan/v1';

export class ReportError extends Error {
  constructor(readonly field: string, readonly detail: string) {
    super(`${field}: ${detail}`);
  }
}

type Obj = Record<string, unknown>;

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function obj(v: unknown, field: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ReportError(field, `expected an object, found ${kindOf(v)}`);
  return v as Obj;
}
function arr(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw new ReportError(field, `expected an array, found ${kindOf(v)}`);
  return v;
}
function str(v: unknown, field: string, opts: { empty?: boolean; max?: number } = {}): string {
  if (typeof v !== 'string') throw new ReportError(field, `expected a string, found ${kindOf(v)}`);
  if (!opts.empty && v.length === 0) throw new ReportError(field, 'must not be empty');
  if (v.length > (opts.max ?? 1 << 20)) throw new ReportError(field, `longer than ${opts.max ?? 1 << 20} characters`);
  return v;
}
function optStr(v: unknown, field: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, field, { empty: true });
}
function int(v: unknown, field: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ReportError(field, `expected a whole number ≥ ${min}, found ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}
function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ReportError(field, `expected a number ≥ 0, found ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}
function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new ReportError(field, `expected true or false, found ${kindOf(v)}`);
  return v;
}
function oneOf<T extends string>(v: unknown, field: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new ReportError(field, `expected one of ${values.join(', ')}, found ${JSON.stringify(v) ?? 'nothing'}`);
  return v as T;
}
function severity(v: unknown, field: string): Severity {
  if (!isSeverity(v)) throw new ReportError(field, `expected a severity (info, low, medium, high, critical), found ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}
function isoTime(v: unknown, field: string): string {
  const s = str(v, field);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s) || !Number.isFinite(Date.parse(s))) throw new ReportError(field, `expected an ISO 8601 time, found ${JSON.stringify(s.slice(0, 40))}`);
  return new Date(Date.parse(s)).toISOString();
}

/**
 * Parses the dotted form written by toDotted (`spec.containers[0]["a.b"]`) back into a
 * JsonPath. The dotted form, not the JSON pointer, is read because only it tells an array
 * index `[0]` from a key `["0"]`.
 */
export function parseDottedPath(text: string, field: string): JsonPath {
  const out: (string | number)[] = [];
  let i = 0;
  const bad = (why: string) => new ReportError(field, `not a path (${why} at character ${i + 1} of ${JSON.stringify(text.slice(0, 200))})`);
  while (i < text.length) {
    const c = text[i]!;
    if (c === '[') {
      if (text[i + 1] === '"') {
        // A JSON string: find its closing quote, skipping escapes.
        let j = i + 2;
        while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
        if (text[j + 1] !== ']') throw bad('unterminated ["…"]');
        try {
          out.push(JSON.parse(text.slice(i + 1, j + 1)) as string);
        } catch {
          throw bad('bad string');
        }
        i = j + 2;
      } else {
        const m = /^\[(\d{1,9})\]/.exec(text.slice(i, i + 12));
        if (!m) throw bad('expected [index] or ["key"]');
        out.push(Number(m[1]));
        i += m[0].length;
      }
    } else {
      if (c === '.') {
        if (out.length === 0) throw bad('leading "."');
        i++;
      } else if (out.length > 0) throw bad('expected "." or "["');
      const m = /^[A-Za-z_$][\w$-]*/.exec(text.slice(i));
      if (!m) throw bad('expected a key');
      out.push(m[0]);
      i += m[0].length;
    }
  }
  return out;
}

function resourceRef(v: unknown, field: string): FindingResourceRef {
  const o = obj(v, field);
  const ns = optStr(o.namespace, `${field}.namespace`);
  return {
    apiVersion: str(o.apiVersion, `${field}.apiVersion`),
    kind: str(o.kind, `${field}.kind`),
    ...(ns !== undefined ? { namespace: ns } : {}),
    name: str(o.name, `${field}.name`, { empty: true }),
    key: str(o.key, `${field}.key`),
  };
}

function location(v: unknown, field: string): Location | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, field);
  return {
    file: str(o.file, `${field}.file`),
    line: int(o.line, `${field}.line`, 1),
    column: int(o.column, `${field}.column`, 1),
    exact: bool(o.exact, `${field}.exact`),
    path: parseDottedPath(str(o.path, `${field}.path`, { empty: true }), `${field}.path`),
  };
}

function patch(v: unknown, field: string): JsonPatchOp[] | undefined {
  if (v === undefined || v === null) return undefined;
  return arr(v, field).map((op, i) => {
    const f = `${field}[${i}]`;
    const o = obj(op, f);
    const kind = oneOf(o.op, `${f}.op`, ['add', 'replace', 'test', 'remove'] as const);
    const path = str(o.path, `${f}.path`, { empty: true });
    if (kind === 'remove') return { op: kind, path };
    if (!('value' in o)) throw new ReportError(`${f}.value`, `required for op "${kind}"`);
    return { op: kind, path, value: o.value };
  });
}

function exceptionRef(v: unknown, field: string): ExceptionRef | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, field);
  const owner = optStr(o.owner, `${field}.owner`);
  const expires = optStr(o.expires, `${field}.expires`);
  return { id: str(o.id, `${field}.id`), reason: str(o.reason, `${field}.reason`, { empty: true }), ...(owner !== undefined ? { owner } : {}), ...(expires !== undefined ? { expires } : {}) };
}

const FINDING_STATUSES: readonly FindingStatus[] = ['fail', 'excepted', 'pass', 'skip'];

function finding(v: unknown, field: string): Finding {
  const o = obj(v, field);
  const f: Finding = {
    controlId: str(o.controlId, `${field}.controlId`, { max: 200 }),
    severity: severity(o.severity, `${field}.severity`),
    status: oneOf(o.status, `${field}.status`, FINDING_STATUSES),
    messageId: str(o.messageId, `${field}.messageId`, { max: 200 }),
    message: str(o.message, `${field}.message`, { empty: true }),
    resource: resourceRef(o.resource, `${field}.resource`),
    path: parseDottedPath(str(o.path, `${field}.path`, { empty: true }), `${field}.path`),
    fingerprint: str(o.fingerprint, `${field}.fingerprint`, { max: 200 }),
  };
  const loc = location(o.location, `${field}.location`);
  if (loc) f.location = loc;
  if (o.evidence !== undefined) f.evidence = o.evidence;
  const fix = patch(o.fix, `${field}.fix`);
  if (fix) f.fix = fix;
  const exc = exceptionRef(o.exception, `${field}.exception`);
  if (exc) f.exception = exc;
  if (f.status === 'excepted' && !exc) throw new ReportError(`${field}.exception`, 'required when status is "excepted"');
  return f;
}

/** Built-in controls keep their full metadata; others (policies) get what the report carries. */
function controlRun(v: unknown, field: string): ControlRun {
  const o = obj(v, field);
  const id = str(o.id, `${field}.id`, { max: 200 });
  const sev = severity(o.severity, `${field}.severity`);
  const known = (CONTROLS as Readonly<Record<string, { meta: ControlMeta }>>)[id]?.meta;
  const meta: ControlMeta = known ?? {
    id,
    slug: str(o.slug, `${field}.slug`),
    title: str(o.title, `${field}.title`, { empty: true }),
    severity: sev,
    category: str(o.category, `${field}.category`, { empty: true }),
    description: '',
    rationale: '',
    remediation: '',
    messages: {},
    appliesTo: [],
    maturity: 'stable',
  };
  return { meta, severity: sev, evaluated: int(o.evaluated, `${field}.evaluated`), failed: int(o.failed, `${field}.failed`), excepted: int(o.excepted, `${field}.excepted`) };
}

function counts(v: unknown, field: string): Record<RequirementStatus, number> {
  const o = obj(v, field);
  return Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, o[s] === undefined ? 0 : int(o[s], `${field}.${s}`)])) as Record<RequirementStatus, number>;
}

function requirement(v: unknown, field: string): RequirementResult {
  const o = obj(v, field);
  const section = optStr(o.section, `${field}.section`);
  return {
    id: str(o.id, `${field}.id`),
    title: str(o.title, `${field}.title`, { empty: true }),
    ...(section !== undefined ? { section } : {}),
    assessment: oneOf(o.assessment, `${field}.assessment`, ['automated', 'partial', 'manual', 'node'] as const),
    status: oneOf(o.status, `${field}.status`, REQUIREMENT_STATUSES),
    controls: arr(o.controls, `${field}.controls`).map((c, i) => str(c, `${field}.controls[${i}]`)),
    failed: int(o.failed, `${field}.failed`),
    excepted: int(o.excepted, `${field}.excepted`),
  };
}

function framework(v: unknown, field: string): FrameworkStatus {
  const o = obj(v, field);
  const score = o.score === null ? null : num(o.score, `${field}.score`);
  if (score !== null && score > 100) throw new ReportError(`${field}.score`, `expected 0–100 or null, found ${score}`);
  return {
    id: str(o.id, `${field}.id`, { max: 200 }),
    title: str(o.title, `${field}.title`, { empty: true }),
    version: str(o.version, `${field}.version`, { empty: true }),
    score,
    counts: counts(o.counts, `${field}.counts`),
    requirements: arr(o.requirements, `${field}.requirements`).map((r, i) => requirement(r, `${field}.requirements[${i}]`)),
  };
}

function diagnosticOf(v: unknown, field: string): Diagnostic {
  const o = obj(v, field);
  const code = str(o.code, `${field}.code`);
  // Reports from a newer palisade may carry codes this server does not know: kept as they are.
  if (!/^PALISADE_[A-Z0-9_]+$/.test(code)) throw new ReportError(`${field}.code`, `expected a PALISADE_… code, found ${JSON.stringify(code.slice(0, 60))}`);
  const d: Diagnostic = { code: code as ErrorCode, level: oneOf(o.level, `${field}.level`, ['error', 'warning', 'note'] as const), message: str(o.message, `${field}.message`, { empty: true }) };
  const file = optStr(o.file, `${field}.file`);
  if (file !== undefined) d.file = file;
  if (o.line !== undefined) d.line = int(o.line, `${field}.line`, 1);
  if (o.column !== undefined) d.column = int(o.column, `${field}.column`, 1);
  const f = optStr(o.field, `${field}.field`);
  if (f !== undefined) d.field = f;
  return d;
}

/** A ScanResult from a parsed JSON report; throws ReportError naming the first bad field. */
export function scanResultFromJson(value: unknown): ScanResult {
  const o = obj(value, '(document)');
  if (o.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new ReportError('schemaVersion', `expected "${REPORT_SCHEMA_VERSION}", found ${JSON.stringify(o.schemaVersion) ?? 'nothing'}`);
  }
  const tool = obj(o.tool, 'tool');
  if (tool.name !== 'palisade') throw new ReportError('tool.name', `expected "palisade", found ${JSON.stringify(tool.name) ?? 'nothing'}`);
  const summary = obj(o.summary, 'summary');
  const resources = obj(o.resources, 'resources');
  const byKind = obj(resources.byKind, 'resources.byKind');
  const controls = arr(o.controls, 'controls').map((c, i) => controlRun(c, `controls[${i}]`));
  const ids = new Set<string>();
  controls.forEach((c, i) => {
    if (ids.has(c.meta.id)) throw new ReportError(`controls[${i}].id`, `${c.meta.id} appears twice`);
    ids.add(c.meta.id);
  });
  const findings = arr(o.findings, 'findings').map((f, i) => finding(f, `findings[${i}]`));
  findings.forEach((f, i) => {
    if (!ids.has(f.controlId)) throw new ReportError(`findings[${i}].controlId`, `${f.controlId} is not among the report's controls`);
  });
  return {
    tool: { name: 'palisade', version: str(tool.version, 'tool.version', { max: 100 }) },
    startedAt: isoTime(o.startedAt, 'startedAt'),
    durationMs: num(o.durationMs, 'durationMs'),
    root: str(o.root, 'root', { empty: true }),
    inputs: arr(o.inputs, 'inputs').map((s, i) => str(s, `inputs[${i}]`, { empty: true })),
    resources: {
      total: int(resources.total, 'resources.total'),
      byKind: Object.fromEntries(Object.entries(byKind).map(([k, n]) => [k, int(n, `resources.byKind.${k}`)])),
    },
    files: summary.files === undefined ? 0 : int(summary.files, 'summary.files'),
    controls,
    findings,
    diagnostics: o.diagnostics === undefined ? [] : arr(o.diagnostics, 'diagnostics').map((d, i) => diagnosticOf(d, `diagnostics[${i}]`)),
    frameworks: o.frameworks === undefined ? [] : arr(o.frameworks, 'frameworks').map((f, i) => framework(f, `frameworks[${i}]`)),
  };
}
