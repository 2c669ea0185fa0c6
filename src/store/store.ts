/**
 * The evidence store over either SQL dialect (see driver.ts, migrations.ts). Findings are
 * kept once per (cluster, fingerprint) with open intervals per scan; recordScan writes only
 * what changed, so a scan that finds the same 100,000 problems as the last one writes a
 * scan row, its snapshots and the few findings whose observation moved.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { diagnostic, PalisadeError, type Diagnostic, type ErrorCode } from '../core/errors.js';
import { compareFindings, type Finding, type FindingStatus } from '../core/finding.js';
import { isSeverity, SEVERITIES, type Severity } from '../core/severity.js';
import type { ControlMeta } from '../core/control.js';
import { CONTROLS } from '../controls/registry.js';
import type { DetectionRecord } from '../detect/correlate/record.js';
import type { ControlRun } from '../engine/engine.js';
import type { ScanResult } from '../engine/scan-result.js';
import { builtinFrameworks, frameworkControlIds } from '../frameworks/loader.js';
import { REQUIREMENT_STATUSES, type FrameworkStatus, type RequirementResult, type RequirementStatus } from '../frameworks/scoring.js';
import type { ColumnType, Driver, Queryable, Row, SqlValue } from './driver.js';
import { applyMigrations, MigrationFailed, UnknownMigration } from './migrations.js';
import {
  ROLES,
  type ApiToken,
  type ExceptionEvent,
  type ExceptionState,
  type FindingQuery,
  type FrameworkSnapshot,
  type Page,
  type RecordScanOutcome,
  type RetentionPolicy,
  type Role,
  type ScanSource,
  type Store,
  type StoredAdmissionDecision,
  type StoredException,
  type StoredFinding,
  type StoredScan,
} from './types.js';

const SCAN_SOURCES: readonly ScanSource[] = ['cluster', 'ci', 'manifests'];
const STORED_STATUSES: ReadonlySet<FindingStatus> = new Set(['fail', 'excepted']);
/** Evidence is small by design (a value, redacted); anything bigger is cut to a preview. */
const MAX_EVIDENCE_CHARS = 8_192;
const MAX_DIAGNOSTICS = 1_000;
const IN_CHUNK = 500;
const PAGE_DEFAULT = 50;
const PAGE_MAX = 500;
const LIST_MAX = 1_000;
/** lastUsedAt is written at most this often per token, so authentication is not a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;
const SYSTEM_ACTOR = 'palisade';
const ANALYZE_MIN_CHANGES = 5_000;
const ANALYZE_CHANGE_RATIO = 0.1;

export function storeError(code: ErrorCode, data: Record<string, string | number> = {}, field?: string): PalisadeError {
  return new PalisadeError(diagnostic(code, data, field ? { field } : {}));
}

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const parse = <T>(s: unknown): T | undefined => (s === null || s === undefined ? undefined : (JSON.parse(String(s)) as T));
const num = (v: unknown): number => Number(v);
const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const optStr = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const severityOrder = (s: Severity) => SEVERITIES.length - 1 - SEVERITIES.indexOf(s);

function chunks<T>(xs: readonly T[], n = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** ISO 8601 in UTC with milliseconds when parseable, so text order is time order; otherwise as given. */
function canonicalTime(t: string): string {
  const ms = typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? String(t) : new Date(ms).toISOString();
}

function checkId(v: number | undefined, field: string): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw storeError('PALISADE_STORE_QUERY', { field, detail: `expected a scan id, found ${v}` }, field);
}

function boundedLimit(v: number | undefined, def: number, max: number, field = 'limit'): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < 1) throw storeError('PALISADE_STORE_QUERY', { field, detail: `expected a positive integer, found ${v}` }, field);
  return Math.min(v, max);
}

function boundedEvidence(v: unknown): unknown {
  if (v === undefined) return undefined;
  const text = JSON.stringify(v);
  if (text === undefined || text.length <= MAX_EVIDENCE_CHARS) return v;
  return { truncated: true, preview: text.slice(0, MAX_EVIDENCE_CHARS) };
}

/** What the store compares to decide whether a still-open finding's stored row needs rewriting. */
function observationOf(f: Finding, evidence: unknown): string {
  // The fingerprint already pins control, resource identity, path and message id.
  const l = f.location;
  const text = JSON.stringify([f.status, f.severity, f.message, f.resource.apiVersion, l?.file, l?.line, l?.column, l?.exact, evidence, f.fix, f.exception]);
  return createHash('sha1').update(text).digest('base64url');
}

/** A location's path is usually the finding's own path: stored once. */
function locationText(location: Finding['location'], pathText: string | null): string | null {
  if (!location) return null;
  if (JSON.stringify(location.path) !== pathText) return JSON.stringify(location);
  const { path: _same, ...rest } = location;
  return JSON.stringify(rest);
}

interface CompactRun {
  id: string;
  severity: Severity;
  evaluated: number;
  failed: number;
  excepted: number;
  /** Only for controls that are not built in (policies loaded from files). */
  meta?: ControlMeta;
}

type CompactRequirement = [id: string, status: RequirementStatus, failed: number, excepted: number];

const FINDING_COLUMNS =
  'cluster, fingerprint, control_id, severity, severity_order, status, message_id, message, api_version, kind, namespace, name, resource_key, observation, first_seen, first_scan, last_seen, last_scan, resolved_at, resolved_scan';
const FINDING_UPSERT = `ON CONFLICT (cluster, fingerprint) DO UPDATE SET ${['control_id', 'severity', 'severity_order', 'status', 'message_id', 'message', 'api_version', 'kind', 'namespace', 'name', 'resource_key', 'observation', 'last_seen', 'last_scan']
  .map((c) => `${c} = excluded.${c}`)
  .join(', ')}, resolved_at = NULL, resolved_scan = NULL`;
const FINDING_TYPES: ColumnType[] = ['text', 'text', 'text', 'text', 'integer', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'text', 'bigint', 'text', 'bigint'];
const DETAIL_COLUMNS = 'cluster, fingerprint, path, location, evidence, fix, exception';
const DETAIL_TYPES: ColumnType[] = ['text', 'text', 'text', 'text', 'text', 'text', 'text'];
const INTERVAL_TYPES: ColumnType[] = ['text', 'text', 'text', 'bigint', 'bigint'];
const DETAIL_UPSERT = `ON CONFLICT (cluster, fingerprint) DO UPDATE SET ${['path', 'location', 'evidence', 'fix', 'exception'].map((c) => `${c} = excluded.${c}`).join(', ')}`;
const FINDING_SELECT =
  'f.cluster, f.fingerprint, f.control_id, f.severity, f.severity_order, f.status, f.message_id, f.message, f.api_version, f.kind, f.namespace, f.name, f.resource_key, f.first_seen, f.first_scan, f.last_seen, f.last_scan, f.resolved_at, f.resolved_scan, d.path, d.location, d.evidence, d.fix, d.exception';
/** What a Finding needs, and no more: a rebuild reads every open finding of a cluster. */
const REBUILD_SELECT =
  'f.fingerprint, f.control_id, f.severity, f.status, f.message_id, f.message, f.api_version, f.kind, f.namespace, f.name, f.resource_key, d.path, d.location, d.evidence, d.fix, d.exception';
const WITH_DETAILS = 'JOIN finding_details d ON d.cluster = f.cluster AND d.fingerprint = f.fingerprint';

function findingFromRow(r: Row, status?: FindingStatus): Finding {
  const f: Finding = {
    controlId: String(r.control_id),
    severity: String(r.severity) as Severity,
    status: status ?? (String(r.status) as FindingStatus),
    messageId: String(r.message_id),
    message: String(r.message),
    resource: { apiVersion: String(r.api_version), kind: String(r.kind), ...(r.namespace != null ? { namespace: String(r.namespace) } : {}), name: String(r.name), key: String(r.resource_key) },
    path: parse(r.path) ?? [],
    fingerprint: String(r.fingerprint),
  };
  const location = parse<Finding['location']>(r.location);
  if (location) f.location = location.path ? location : { ...location, path: f.path };
  const evidence = parse(r.evidence);
  if (evidence !== undefined) f.evidence = evidence;
  const fix = parse<Finding['fix']>(r.fix);
  if (fix) f.fix = fix;
  const exception = parse<Finding['exception']>(r.exception);
  if (exception && f.status === 'excepted') f.exception = exception;
  return f;
}

interface ClusterRow {
  name: string;
  last_scan_id: number | null;
  last_scan_at: string | null;
}

function scanFromRow(r: Row): StoredScan {
  return {
    id: num(r.id),
    cluster: String(r.cluster),
    source: String(r.source) as ScanSource,
    startedAt: String(r.started_at),
    durationMs: num(r.duration_ms),
    resources: num(r.resources),
    failed: num(r.failed),
    excepted: num(r.excepted),
    opened: num(r.opened),
    resolved: num(r.resolved),
    scores: parse(r.scores) ?? {},
  };
}

function exceptionFromRow(r: Row): StoredException {
  const e: StoredException = {
    id: String(r.id),
    controls: parse(r.controls) ?? [],
    resources: parse(r.resources) ?? [],
    justification: String(r.justification),
    owner: String(r.owner),
    approvedBy: String(r.approved_by),
    expires: String(r.expires),
    state: String(r.state) as ExceptionState,
    requestedBy: String(r.requested_by),
    requestedPrincipal: String(r.requested_principal ?? r.requested_by),
    requestedAt: String(r.requested_at),
  };
  if (r.decided_by != null) e.decidedBy = String(r.decided_by);
  if (r.decided_at != null) e.decidedAt = String(r.decided_at);
  return e;
}

function tokenFromRow(r: Row): ApiToken {
  const t: ApiToken = { id: String(r.id), name: String(r.name), role: String(r.role) as Role, principal: String(r.principal ?? r.name), createdAt: String(r.created_at) };
  if (r.created_by != null) t.createdBy = String(r.created_by);
  if (r.last_used_at != null) t.lastUsedAt = String(r.last_used_at);
  if (r.revoked_at != null) t.revokedAt = String(r.revoked_at);
  return t;
}

function encodeCursor(parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}
const cursorText = (v: unknown): boolean => typeof v === 'string' && !v.includes('\0');
function decodeCursor<T extends unknown[]>(cursor: string, check: (v: unknown[]) => boolean): T {
  try {
    if (cursor.length > 2_048) throw new Error('too long');
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && check(v)) return v as T;
  } catch {
    // reported below
  }
  throw storeError('PALISADE_STORE_QUERY', { field: 'cursor', detail: 'not a cursor this API returned' }, 'cursor');
}

const EXCEPTION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TRANSITIONS: Record<'approved' | 'rejected' | 'revoked', readonly ExceptionState[]> = {
  approved: ['requested'],
  rejected: ['requested'],
  revoked: ['requested', 'approved'],
};

export class SqlStore implements Store {
  constructor(
    private readonly db: Driver,
    /** For messages: the URL with any password hidden. */
    private readonly label: string,
  ) {}

  get dialect() {
    return this.db.dialect;
  }

  async migrate(): Promise<void> {
    try {
      await applyMigrations((fn, opts) => this.db.tx(fn, opts));
    } catch (e) {
      if (e instanceof UnknownMigration) throw storeError('PALISADE_STORE_SCHEMA_NEWER', { id: e.id });
      if (e instanceof MigrationFailed) throw storeError('PALISADE_STORE_MIGRATION', { id: e.id, reason: e.reason });
      throw storeError('PALISADE_STORE_OPEN', { url: this.label, reason: e instanceof Error ? e.message : String(e) });
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // ---------- scans ----------

  async recordScan(cluster: string, source: ScanSource, result: ScanResult): Promise<RecordScanOutcome> {
    if (typeof cluster !== 'string' || cluster.length === 0 || cluster.length > 253) throw storeError('PALISADE_STORE_QUERY', { field: 'cluster', detail: 'expected a name of 1 to 253 characters' }, 'cluster');
    if (!SCAN_SOURCES.includes(source)) throw storeError('PALISADE_STORE_QUERY', { field: 'source', detail: `expected one of ${SCAN_SOURCES.join(', ')}` }, 'source');
    // Times are compared as text (retention, trends): one canonical form, UTC with milliseconds.
    if (typeof result.startedAt !== 'string' || Number.isNaN(Date.parse(result.startedAt))) throw storeError('PALISADE_STORE_QUERY', { field: 'startedAt', detail: 'expected an ISO 8601 time' }, 'startedAt');
    const at = new Date(result.startedAt).toISOString();
    const current = new Map<string, Finding>();
    for (const f of result.findings) if (STORED_STATUSES.has(f.status) && !current.has(f.fingerprint)) current.set(f.fingerprint, f);

    const outcome = await this.db.tx(async (q) => {
      await q.run('INSERT INTO clusters (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [cluster, new Date().toISOString()]);
      // A no-op write takes the cluster's row lock (PostgreSQL), so two servers recording scans of
      // one cluster diff one after the other; SQLite already has a single writer.
      await q.run('UPDATE clusters SET last_scan_id = last_scan_id WHERE name = ?', [cluster]);
      const prev = await q.get<ClusterRow>('SELECT name, last_scan_id, last_scan_at FROM clusters WHERE name = ?', [cluster]);
      const diagnostics = result.diagnostics.slice(0, MAX_DIAGNOSTICS);
      const summary = { root: result.root, files: result.files, byKind: result.resources.byKind, diagnosticsTotal: result.diagnostics.length };
      const scores = Object.fromEntries(result.frameworks.map((fw) => [fw.id, fw.score]));
      const inserted = await q.get<{ id: number }>(
        `INSERT INTO scans (cluster, source, started_at, recorded_at, duration_ms, resources, failed, excepted, opened, resolved, tool_version, inputs, diagnostics, details, scores)
         VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, ?, ?, ?) RETURNING id`,
        [cluster, source, at, new Date().toISOString(), Math.round(result.durationMs), result.resources.total, result.tool.version, json(result.inputs), json(diagnostics), json(summary), json(scores)],
      );
      const scanId = num(inserted!.id);

      // The open set: a finding's row carries the status of its open interval.
      const openByFp = new Map<string, { status: string; observation: string }>();
      await q.each<{ fingerprint: string; status: string; observation: string }>(
        'SELECT fingerprint, status, observation FROM findings WHERE cluster = ? AND resolved_scan IS NULL',
        [cluster],
        (o) => openByFp.set(o.fingerprint, { status: o.status, observation: o.observation }),
      );
      const closeIntervals: string[] = [];
      const newIntervals: SqlValue[][] = [];
      const upserts: SqlValue[][] = [];
      const details: SqlValue[][] = [];
      const resolvedFps: string[] = [];
      let opened = 0;
      let stillOpen = 0;
      let failed = 0;
      let excepted = 0;
      for (const f of current.values()) {
        if (f.status === 'fail') failed++;
        else excepted++;
        const evidence = boundedEvidence(f.evidence);
        const observation = observationOf(f, evidence);
        const was = openByFp.get(f.fingerprint);
        if (was) {
          stillOpen++;
          if (was.status !== f.status) {
            closeIntervals.push(f.fingerprint);
            newIntervals.push([cluster, f.fingerprint, f.status, scanId, null]);
          }
          if (was.observation === observation) continue;
        } else {
          opened++;
          newIntervals.push([cluster, f.fingerprint, f.status, scanId, null]);
        }
        const r = f.resource;
        upserts.push([
          cluster, f.fingerprint, f.controlId, f.severity, severityOrder(f.severity), f.status, f.messageId, f.message, r.apiVersion, r.kind, r.namespace ?? null, r.name, r.key,
          observation, at, scanId, at, scanId, null, null,
        ]); // prettier-ignore
        const path = json(f.path);
        details.push([cluster, f.fingerprint, path, locationText(f.location, path), json(evidence), json(f.fix), json(f.exception)]);
      }
      for (const fp of openByFp.keys()) {
        if (current.has(fp)) continue;
        closeIntervals.push(fp);
        resolvedFps.push(fp);
      }

      for (const ids of chunks(closeIntervals)) {
        await q.run(`UPDATE finding_intervals SET closed_scan = ? WHERE cluster = ? AND closed_scan IS NULL AND fingerprint IN (${marks(ids.length)})`, [scanId, cluster, ...ids]);
      }
      await q.insertMany('INSERT INTO finding_intervals (cluster, fingerprint, status, opened_scan, closed_scan)', newIntervals, '', INTERVAL_TYPES);
      await q.insertMany(`INSERT INTO findings (${FINDING_COLUMNS})`, upserts, FINDING_UPSERT, FINDING_TYPES);
      await q.insertMany(`INSERT INTO finding_details (${DETAIL_COLUMNS})`, details, DETAIL_UPSERT, DETAIL_TYPES);
      // A resolved finding was last seen by the cluster's previous scan.
      for (const fps of chunks(resolvedFps)) {
        await q.run(`UPDATE findings SET resolved_at = ?, resolved_scan = ?, last_seen = ?, last_scan = ? WHERE cluster = ? AND fingerprint IN (${marks(fps.length)})`, [
          at,
          scanId,
          prev?.last_scan_at ?? at,
          prev?.last_scan_id ?? scanId,
          cluster,
          ...fps,
        ]);
      }

      await q.run('UPDATE scans SET failed = ?, excepted = ?, opened = ?, resolved = ? WHERE id = ?', [failed, excepted, opened, resolvedFps.length, scanId]);
      await q.run('UPDATE clusters SET last_scan_id = ?, last_scan_at = ? WHERE name = ?', [scanId, at, cluster]);
      const runs: CompactRun[] = result.controls.map((r) => ({
        id: r.meta.id,
        severity: r.severity,
        evaluated: r.evaluated,
        failed: r.failed,
        excepted: r.excepted,
        ...(CONTROLS[r.meta.id] ? {} : { meta: r.meta }),
      }));
      await q.run('INSERT INTO control_runs (scan_id, runs) VALUES (?, ?)', [scanId, JSON.stringify(runs)]);
      await q.insertMany(
        'INSERT INTO framework_snapshots (scan_id, framework, cluster, started_at, title, version, score, counts, requirements)',
        result.frameworks.map((fw) => [
          scanId,
          fw.id,
          cluster,
          at,
          fw.title,
          fw.version,
          fw.score,
          JSON.stringify(fw.counts),
          JSON.stringify(fw.requirements.map((r): CompactRequirement => [r.id, r.status, r.failed, r.excepted])),
        ]),
      );
      return { scanId, opened, resolved: resolvedFps.length, stillOpen };
    });
    // Plans over stale statistics go badly wrong after a bulk change (a first ingest, a big fix).
    const changed = outcome.opened + outcome.resolved;
    if (changed >= ANALYZE_MIN_CHANGES && changed >= ANALYZE_CHANGE_RATIO * (outcome.stillOpen + outcome.resolved)) {
      await this.db.analyze(['findings', 'finding_details', 'finding_intervals']);
    }
    return outcome;
  }

  async listScans(opts: { cluster?: string; limit?: number; before?: number } = {}): Promise<StoredScan[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (opts.cluster !== undefined) where.push('cluster = ?'), params.push(opts.cluster);
    if (opts.before !== undefined) where.push('id < ?'), params.push(opts.before);
    const limit = boundedLimit(opts.limit, 50, LIST_MAX);
    checkId(opts.before, 'before');
    const rows = await this.db.all(`SELECT * FROM scans ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`, params);
    return rows.map(scanFromRow);
  }

  async getScan(id: number): Promise<StoredScan | undefined> {
    const r = await this.db.get('SELECT * FROM scans WHERE id = ?', [id]);
    return r && scanFromRow(r);
  }

  async controlRuns(scanId: number): Promise<ControlRun[]> {
    const r = await this.db.get<{ runs: string }>('SELECT runs FROM control_runs WHERE scan_id = ?', [scanId]);
    if (!r) return [];
    return (JSON.parse(r.runs) as CompactRun[]).map((c) => ({
      meta: CONTROLS[c.id]?.meta ?? c.meta ?? placeholderMeta(c.id, c.severity),
      severity: c.severity,
      evaluated: c.evaluated,
      failed: c.failed,
      excepted: c.excepted,
    }));
  }

  async scanResult(id: number): Promise<ScanResult | undefined> {
    const scan = await this.db.get('SELECT * FROM scans WHERE id = ?', [id]);
    if (!scan) return undefined;
    const latest = await this.db.get<{ last_scan_id: number | null }>('SELECT last_scan_id FROM clusters WHERE name = ?', [String(scan.cluster)]);
    // At the latest scan the open findings are the unresolved rows; older scans need the intervals.
    const findings: Finding[] = [];
    if (latest?.last_scan_id != null && num(latest.last_scan_id) === id) {
      await this.db.each(`SELECT ${REBUILD_SELECT} FROM findings f ${WITH_DETAILS} WHERE f.cluster = ? AND f.resolved_scan IS NULL`, [String(scan.cluster)], (r) => {
        findings.push(findingFromRow(r));
      });
    } else {
      // Two scans and a hash lookup instead of a three-way nested-loop join (SQLite has no hash join).
      const open = await this.db.all<{ fingerprint: string; status: string }>(
        'SELECT fingerprint, status FROM finding_intervals WHERE cluster = ? AND opened_scan <= ? AND (closed_scan IS NULL OR closed_scan > ?)',
        [String(scan.cluster), id, id],
      );
      const statusOf = new Map(open.map((o) => [o.fingerprint, o.status as FindingStatus]));
      await this.db.each(`SELECT ${REBUILD_SELECT} FROM findings f ${WITH_DETAILS} WHERE f.cluster = ? AND f.first_scan <= ?`, [String(scan.cluster), id], (r) => {
        const status = statusOf.get(String(r.fingerprint));
        if (status) findings.push(findingFromRow(r, status));
      });
    }
    findings.sort(compareFindings);
    const details = parse<{ root: string; files: number; byKind: Record<string, number> }>(scan.details) ?? { root: '', files: 0, byKind: {} };
    return {
      tool: { name: 'palisade', version: String(scan.tool_version) },
      startedAt: String(scan.started_at),
      durationMs: num(scan.duration_ms),
      root: details.root,
      inputs: parse(scan.inputs) ?? [],
      resources: { total: num(scan.resources), byKind: details.byKind },
      files: details.files,
      controls: await this.controlRuns(id),
      findings,
      diagnostics: parse<Diagnostic[]>(scan.diagnostics) ?? [],
      frameworks: await this.frameworkStatuses(id),
    };
  }

  /** Framework status at a scan, rebuilt from the compact snapshot and the framework's definition. */
  async frameworkStatuses(scanId: number, framework?: string): Promise<FrameworkStatus[]> {
    const rows = await this.db.all(`SELECT * FROM framework_snapshots WHERE scan_id = ?${framework ? ' AND framework = ?' : ''} ORDER BY framework`, framework ? [scanId, framework] : [scanId]);
    const defs = builtinFrameworks();
    return rows.map((r) => {
      const def = defs.get(String(r.framework));
      const reqDefs = new Map(def?.requirements.map((q) => [q.id, q]));
      const requirements = (JSON.parse(String(r.requirements)) as CompactRequirement[]).map(([rid, status, failed, excepted]): RequirementResult => {
        const d = reqDefs.get(rid);
        return { id: rid, title: d?.title ?? rid, section: d?.section, assessment: d?.assessment ?? 'automated', status, controls: d?.controls ?? [], failed, excepted };
      });
      return { id: String(r.framework), title: String(r.title), version: String(r.version), score: optNum(r.score) ?? null, counts: JSON.parse(String(r.counts)), requirements };
    });
  }

  // ---------- findings ----------

  async findings(q: FindingQuery): Promise<Page<StoredFinding>> {
    const limit = boundedLimit(q.limit, PAGE_DEFAULT, PAGE_MAX);
    checkId(q.scanId, 'scan');
    const state = q.state ?? 'open';
    if (!['open', 'resolved', 'all'].includes(state)) throw storeError('PALISADE_STORE_QUERY', { field: 'state', detail: 'expected open, resolved or all' }, 'state');
    const where: string[] = [];
    const params: SqlValue[] = [];
    let from = 'findings f';
    let statusColumn = 'f.status';
    if (q.scanId !== undefined) {
      const scan = await this.db.get<{ cluster: string }>('SELECT cluster FROM scans WHERE id = ?', [q.scanId]);
      if (!scan) throw storeError('PALISADE_STORE_NOT_FOUND', { what: 'scan', id: q.scanId }, 'scan');
      if (q.cluster !== undefined && q.cluster !== scan.cluster) return { items: [], total: 0 };
      where.push('f.cluster = ?');
      params.push(scan.cluster);
      if (state === 'open') {
        from = 'findings f JOIN finding_intervals i ON i.cluster = f.cluster AND i.fingerprint = f.fingerprint';
        statusColumn = 'i.status';
        where.push('i.opened_scan <= ? AND (i.closed_scan IS NULL OR i.closed_scan > ?)');
        params.push(q.scanId, q.scanId);
      } else if (state === 'resolved') {
        where.push('f.resolved_scan = ?');
        params.push(q.scanId);
      } else {
        where.push('f.first_scan <= ?');
        params.push(q.scanId);
      }
    } else {
      if (q.cluster !== undefined) where.push('f.cluster = ?'), params.push(q.cluster);
      if (state === 'open') where.push('f.resolved_scan IS NULL');
      else if (state === 'resolved') where.push('f.resolved_scan IS NOT NULL');
    }
    if (q.controlId !== undefined) where.push('f.control_id = ?'), params.push(q.controlId);
    if (q.severity !== undefined) {
      if (!isSeverity(q.severity)) throw storeError('PALISADE_STORE_QUERY', { field: 'severity', detail: `expected one of ${SEVERITIES.join(', ')}` }, 'severity');
      where.push('f.severity_order = ?');
      params.push(severityOrder(q.severity));
    }
    if (q.namespace !== undefined) where.push('f.namespace = ?'), params.push(q.namespace);
    if (q.kind !== undefined) where.push('f.kind = ?'), params.push(q.kind);
    if (q.framework !== undefined || q.requirement !== undefined) {
      const ids = controlsOf(q.framework, q.requirement);
      if (ids.length === 0) where.push('1 = 0');
      else where.push(`f.control_id IN (${marks(ids.length)})`), params.push(...ids);
    }
    if (q.text !== undefined && q.text !== '') {
      if (q.text.length > 200) throw storeError('PALISADE_STORE_QUERY', { field: 'q', detail: 'longer than 200 characters' }, 'q');
      const like = `%${q.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push("(LOWER(f.name) LIKE ? ESCAPE '\\' OR LOWER(f.message) LIKE ? ESCAPE '\\')");
      params.push(like, like);
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    let total: number | undefined;
    if (q.cursor === undefined) {
      total = num((await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${from} ${filter}`, params))?.n ?? 0);
    }
    const pageWhere = [...where];
    const pageParams = [...params];
    if (q.cursor !== undefined) {
      // Checked as tightly as the columns: PostgreSQL fails on a fraction, an INTEGER overflow or a NUL.
      const [o, c, fp] = decodeCursor<[number, string, string]>(q.cursor, (v) => v.length === 3 && Number.isSafeInteger(v[0]) && (v[0] as number) >= 0 && (v[0] as number) <= 0x7fffffff && cursorText(v[1]) && cursorText(v[2]));
      pageWhere.push('(f.severity_order, f.cluster, f.fingerprint) > (?, ?, ?)');
      pageParams.push(o, c, fp);
    }
    // The page is chosen on the narrow table; only its rows fetch their details.
    const rows = await this.db.all(
      `SELECT ${FINDING_SELECT}, f.open_status FROM (
         SELECT f.*, ${statusColumn} AS open_status FROM ${from} ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''}
         ORDER BY f.severity_order, f.cluster, f.fingerprint LIMIT ${limit + 1}
       ) f ${WITH_DETAILS} ORDER BY f.severity_order, f.cluster, f.fingerprint`,
      pageParams,
    );
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const clusters = await this.clusterRows();
    const items = page.map((r) => this.storedFinding(r, clusters));
    const last = page[page.length - 1];
    return { items, ...(more && last ? { next: encodeCursor([num(last.severity_order), String(last.cluster), String(last.fingerprint)]) } : {}), ...(total !== undefined ? { total } : {}) };
  }

  async finding(fingerprint: string, cluster?: string): Promise<StoredFinding | undefined> {
    const r = await this.db.get(
      `SELECT ${FINDING_SELECT} FROM findings f ${WITH_DETAILS} WHERE f.fingerprint = ?${cluster !== undefined ? ' AND f.cluster = ?' : ''}
       ORDER BY CASE WHEN f.resolved_scan IS NULL THEN 0 ELSE 1 END, f.last_scan DESC LIMIT 1`,
      cluster !== undefined ? [fingerprint, cluster] : [fingerprint],
    );
    return r && this.storedFinding(r, await this.clusterRows());
  }

  private async clusterRows(): Promise<Map<string, ClusterRow>> {
    const rows = await this.db.all<ClusterRow>('SELECT name, last_scan_id, last_scan_at FROM clusters');
    return new Map(rows.map((r) => [r.name, r]));
  }

  /** An open finding was, by construction, seen by its cluster's latest scan. */
  private storedFinding(r: Row, clusters: Map<string, ClusterRow>): StoredFinding {
    const f = findingFromRow(r, r.open_status != null ? (String(r.open_status) as FindingStatus) : undefined);
    const c = clusters.get(String(r.cluster));
    const resolved = r.resolved_scan != null;
    const out: StoredFinding = {
      ...f,
      cluster: String(r.cluster),
      firstSeen: String(r.first_seen),
      firstScanId: num(r.first_scan),
      lastSeen: !resolved && c?.last_scan_at ? c.last_scan_at : String(r.last_seen),
      lastScanId: !resolved && c?.last_scan_id != null ? num(c.last_scan_id) : num(r.last_scan),
    };
    if (resolved) {
      out.resolvedAt = optStr(r.resolved_at);
      out.resolvedScanId = optNum(r.resolved_scan);
    }
    return out;
  }

  async frameworkTrend(framework: string, opts: { cluster?: string; limit?: number } = {}): Promise<FrameworkSnapshot[]> {
    const limit = boundedLimit(opts.limit, 100, LIST_MAX);
    const rows = await this.db.all(
      `SELECT scan_id, cluster, started_at, framework, score, counts FROM framework_snapshots WHERE framework = ?${opts.cluster !== undefined ? ' AND cluster = ?' : ''}
       ORDER BY scan_id DESC LIMIT ${limit}`,
      opts.cluster !== undefined ? [framework, opts.cluster] : [framework],
    );
    return rows.reverse().map((r) => ({
      scanId: num(r.scan_id),
      cluster: String(r.cluster),
      startedAt: String(r.started_at),
      framework: String(r.framework),
      score: optNum(r.score) ?? null,
      counts: { ...Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, 0])), ...JSON.parse(String(r.counts)) },
    }));
  }

  async listClusters(): Promise<Array<{ name: string; lastScanId?: number; lastScanAt?: string }>> {
    const rows = await this.db.all<ClusterRow>('SELECT name, last_scan_id, last_scan_at FROM clusters ORDER BY name');
    return rows.map((r) => ({ name: r.name, ...(r.last_scan_id != null ? { lastScanId: num(r.last_scan_id) } : {}), ...(r.last_scan_at != null ? { lastScanAt: r.last_scan_at } : {}) }));
  }

  // ---------- exceptions ----------

  async requestException(e: Parameters<Store['requestException']>[0]): Promise<StoredException> {
    const id = e.id ? e.id : `EXC-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
    const bad = (field: string, detail: string) => new PalisadeError(diagnostic('PALISADE_EXCEPTION_INVALID', { field, detail }, { field }));
    if (!EXCEPTION_ID.test(id)) throw bad('id', 'expected 1 to 128 letters, digits, ".", "_" or "-"');
    if (!Array.isArray(e.controls) || e.controls.length === 0 || e.controls.length > 1_000 || e.controls.some((c) => typeof c !== 'string' || c === '')) throw bad('controls', 'expected a non-empty list of control ids (or "*")');
    if (!Array.isArray(e.resources) || e.resources.length > 1_000) throw bad('resources', 'expected a list of resource selectors');
    if (typeof e.justification !== 'string' || e.justification.trim() === '') throw bad('justification', 'must say why the risk is accepted');
    if (typeof e.owner !== 'string' || e.owner.trim() === '') throw bad('owner', 'must name who owns the risk');
    if (typeof e.expires !== 'string' || !DAY.test(e.expires) || Number.isNaN(Date.parse(`${e.expires}T00:00:00Z`))) throw bad('expires', 'expected a date YYYY-MM-DD');
    if (typeof e.requestedBy !== 'string' || e.requestedBy === '') throw bad('requestedBy', 'must name who asks');
    const principal = e.requestedPrincipal ?? e.requestedBy;
    if (typeof principal !== 'string' || principal.trim() === '') throw bad('requestedPrincipal', 'must name the person who asks');
    const at = new Date().toISOString();
    return this.db.tx(async (q) => {
      if (await q.get('SELECT id FROM exceptions WHERE id = ?', [id])) throw storeError('PALISADE_STORE_CONFLICT', { what: 'exception', id }, 'id');
      await q.run(
        `INSERT INTO exceptions (id, controls, resources, justification, owner, approved_by, expires, state, requested_by, requested_principal, requested_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'requested', ?, ?, ?)`,
        [id, JSON.stringify(e.controls), JSON.stringify(e.resources), e.justification, e.owner, e.approvedBy ?? '', e.expires, e.requestedBy, principal, at],
      );
      await q.run("INSERT INTO exception_events (exception_id, action, actor, principal, at, comment) VALUES (?, 'requested', ?, ?, ?, ?)", [id, e.requestedBy, principal, at, null]);
      return exceptionFromRow((await q.get('SELECT * FROM exceptions WHERE id = ?', [id]))!);
    });
  }

  async decideException(id: string, decision: 'approved' | 'rejected' | 'revoked', actor: string, comment?: string, principal?: string): Promise<StoredException> {
    if (!(decision in TRANSITIONS)) throw storeError('PALISADE_STORE_QUERY', { field: 'decision', detail: 'expected approved, rejected or revoked' }, 'decision');
    if (typeof actor !== 'string' || actor === '') throw storeError('PALISADE_STORE_QUERY', { field: 'actor', detail: 'must name who decides' }, 'actor');
    if (comment !== undefined && (typeof comment !== 'string' || comment.length > 4_096)) throw storeError('PALISADE_STORE_QUERY', { field: 'comment', detail: 'expected text of at most 4096 characters' }, 'comment');
    const at = new Date().toISOString();
    return this.db.tx(async (q) => {
      const row = await q.get('SELECT * FROM exceptions WHERE id = ?', [id]);
      if (!row) throw storeError('PALISADE_STORE_NOT_FOUND', { what: 'exception', id });
      const from = String(row.state) as ExceptionState;
      const allowed = TRANSITIONS[decision];
      if (!allowed.includes(from)) throw storeError('PALISADE_STORE_EXCEPTION_STATE', { id, state: from, action: decision });
      const changed = await q.run(
        `UPDATE exceptions SET state = ?, decided_by = ?, decided_at = ?${decision === 'approved' ? ', approved_by = ?' : ''} WHERE id = ? AND state = ?`,
        decision === 'approved' ? [decision, actor, at, actor, id, from] : [decision, actor, at, id, from],
      );
      if (changed !== 1) throw storeError('PALISADE_STORE_EXCEPTION_STATE', { id, state: 'changing', action: decision });
      await q.run('INSERT INTO exception_events (exception_id, action, actor, principal, at, comment) VALUES (?, ?, ?, ?, ?, ?)', [id, decision, actor, principal ?? null, at, comment ?? null]);
      return exceptionFromRow((await q.get('SELECT * FROM exceptions WHERE id = ?', [id]))!);
    });
  }

  async expireExceptions(today: string): Promise<number> {
    if (!DAY.test(today)) throw storeError('PALISADE_STORE_QUERY', { field: 'today', detail: 'expected a date YYYY-MM-DD' }, 'today');
    const at = new Date().toISOString();
    return this.db.tx(async (q) => {
      // expires is the last day the exception applies.
      const due = await q.all<{ id: string }>("SELECT id FROM exceptions WHERE state = 'approved' AND expires < ? ORDER BY id", [today]);
      for (const { id } of due) {
        await q.run("UPDATE exceptions SET state = 'expired' WHERE id = ? AND state = 'approved'", [id]);
        await q.run("INSERT INTO exception_events (exception_id, action, actor, at, comment) VALUES (?, 'expired', ?, ?, ?)", [id, SYSTEM_ACTOR, at, `expired after ${today}`]);
      }
      return due.length;
    });
  }

  async listExceptions(opts: { state?: ExceptionState } = {}): Promise<StoredException[]> {
    const rows = await this.db.all(`SELECT * FROM exceptions${opts.state ? ' WHERE state = ?' : ''} ORDER BY requested_at, id`, opts.state ? [opts.state] : []);
    return rows.map(exceptionFromRow);
  }

  async exceptionEvents(exceptionId?: string): Promise<ExceptionEvent[]> {
    const rows = await this.db.all(`SELECT * FROM exception_events${exceptionId !== undefined ? ' WHERE exception_id = ?' : ''} ORDER BY id`, exceptionId !== undefined ? [exceptionId] : []);
    return rows.map((r) => ({
      id: num(r.id),
      exceptionId: String(r.exception_id),
      action: String(r.action),
      actor: String(r.actor),
      ...(r.principal != null ? { principal: String(r.principal) } : {}),
      at: String(r.at),
      ...(r.comment != null ? { comment: String(r.comment) } : {}),
    }));
  }

  // ---------- alerts and admission ----------

  async recordAlerts(cluster: string, alerts: readonly DetectionRecord[]): Promise<number> {
    await this.db.tx((q) =>
      q.insertMany(
        'INSERT INTO alerts (cluster, time, rule, priority, incident, is_incident, record)',
        alerts.map((a) => [cluster, canonicalTime(a.time), a.rule, a.priority, a.palisade?.incident ?? null, Array.isArray(a.palisade?.stages) ? 1 : 0, JSON.stringify(a)]),
      ),
    );
    return alerts.length;
  }

  async alerts(opts: { cluster?: string; since?: string; incidentsOnly?: boolean; limit?: number; cursor?: string } = {}): Promise<Page<DetectionRecord & { id: number; cluster: string }>> {
    const limit = boundedLimit(opts.limit, 100, LIST_MAX);
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (opts.cluster !== undefined) where.push('cluster = ?'), params.push(opts.cluster);
    if (opts.since !== undefined) where.push('time >= ?'), params.push(canonicalTime(opts.since));
    if (opts.incidentsOnly) where.push('is_incident = 1');
    if (opts.cursor !== undefined) {
      const [before] = decodeCursor<[number]>(opts.cursor, (v) => v.length === 1 && Number.isSafeInteger(v[0]) && (v[0] as number) >= 1);
      where.push('id < ?');
      params.push(before);
    }
    const rows = await this.db.all(`SELECT id, cluster, record FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit + 1}`, params);
    const page = rows.slice(0, limit);
    const items = page.map((r) => ({ ...(JSON.parse(String(r.record)) as DetectionRecord), id: num(r.id), cluster: String(r.cluster) }));
    return { items, ...(rows.length > limit ? { next: encodeCursor([num(page[page.length - 1].id)]) } : {}) };
  }

  async recordAdmissionDecisions(decisions: readonly StoredAdmissionDecision[]): Promise<number> {
    await this.db.tx((q) =>
      q.insertMany(
        'INSERT INTO admission_decisions (at, cluster, uid, operation, kind, namespace, name, user_name, allowed, dry_run, controls)',
        decisions.map((d) => [canonicalTime(d.at), d.cluster, d.uid, d.operation, d.kind, d.namespace ?? null, d.name ?? null, d.user ?? null, d.allowed, d.dryRun, JSON.stringify(d.controls)]),
      ),
    );
    return decisions.length;
  }

  // ---------- API tokens ----------

  async createToken(name: string, role: Role, opts: { principal?: string; createdBy?: string } = {}): Promise<{ token: ApiToken; secret: string }> {
    checkToken(name, role, opts.principal);
    // Audit trails name the actor by its token's name: a second token under a name in use (or once used) would act as someone else there.
    return this.db.tx(
      async (q) => {
        if (await q.get('SELECT id FROM api_tokens WHERE LOWER(TRIM(name)) = LOWER(TRIM(CAST(? AS TEXT)))', [name])) throw storeError('PALISADE_STORE_CONFLICT', { what: 'a token named', id: JSON.stringify(name) }, 'name');
        return insertToken(q, name, role, opts);
      },
      { lock: true },
    );
  }

  async createFirstToken(name: string, role: Role): Promise<{ token: ApiToken; secret: string } | undefined> {
    checkToken(name, role);
    // The lock (PostgreSQL advisory lock; SQLite BEGIN IMMEDIATE) makes count-then-insert one step across servers.
    return this.db.tx(
      async (q) => {
        if (num((await q.get<{ n: number }>('SELECT COUNT(*) AS n FROM api_tokens WHERE revoked_at IS NULL'))?.n ?? 0) > 0) return undefined;
        return insertToken(q, name, role);
      },
      { lock: true },
    );
  }

  async authenticate(secret: string): Promise<ApiToken | undefined> {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 256) return undefined;
    const hash = sha256(secret);
    const row = await this.db.get('SELECT * FROM api_tokens WHERE hash = ?', [hash]);
    if (!row || !timingSafeEqual(Buffer.from(String(row.hash), 'hex'), Buffer.from(hash, 'hex')) || row.revoked_at != null) return undefined;
    const token = tokenFromRow(row);
    const now = new Date();
    if (!token.lastUsedAt || now.getTime() - Date.parse(token.lastUsedAt) >= LAST_USED_RESOLUTION_MS) {
      token.lastUsedAt = now.toISOString();
      await this.db.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [token.lastUsedAt, token.id]);
    }
    return token;
  }

  async listTokens(): Promise<ApiToken[]> {
    return (await this.db.all('SELECT id, name, role, principal, created_by, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY created_at, id')).map(tokenFromRow);
  }

  async revokeToken(id: string): Promise<boolean> {
    return (await this.db.run('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [new Date().toISOString(), id])) > 0;
  }

  /** Tokens that are not revoked. */
  async countTokens(): Promise<number> {
    return num((await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM api_tokens WHERE revoked_at IS NULL'))?.n ?? 0);
  }

  // ---------- housekeeping ----------

  async applyRetention(policy: RetentionPolicy, now = new Date()): Promise<{ scans: number; findings: number; alerts: number; admission: number }> {
    const cutoff = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
    return this.db.tx(async (q) => {
      let scans = 0;
      let findings = 0;
      let alerts = 0;
      let admission = 0;
      if (policy.scansDays > 0) {
        // The latest scan of a cluster is its current state: never deleted.
        scans = await q.run('DELETE FROM scans WHERE started_at < ? AND id NOT IN (SELECT last_scan_id FROM clusters WHERE last_scan_id IS NOT NULL)', [cutoff(policy.scansDays)]);
        // Intervals that closed before a cluster's oldest remaining scan answer nothing any more.
        await q.run('DELETE FROM finding_intervals WHERE closed_scan IS NOT NULL AND closed_scan <= (SELECT MIN(s.id) FROM scans s WHERE s.cluster = finding_intervals.cluster)');
      }
      if (policy.resolvedFindingsDays > 0) {
        const c = cutoff(policy.resolvedFindingsDays);
        await q.run(
          'DELETE FROM finding_intervals WHERE EXISTS (SELECT 1 FROM findings f WHERE f.cluster = finding_intervals.cluster AND f.fingerprint = finding_intervals.fingerprint AND f.resolved_at < ?)',
          [c],
        );
        await q.run(
          'DELETE FROM finding_details WHERE EXISTS (SELECT 1 FROM findings f WHERE f.cluster = finding_details.cluster AND f.fingerprint = finding_details.fingerprint AND f.resolved_at < ?)',
          [c],
        );
        findings = await q.run('DELETE FROM findings WHERE resolved_at < ?', [c]);
      }
      if (policy.alertsDays > 0) alerts = await q.run('DELETE FROM alerts WHERE time < ?', [cutoff(policy.alertsDays)]);
      if (policy.admissionDays > 0) admission = await q.run('DELETE FROM admission_decisions WHERE at < ?', [cutoff(policy.admissionDays)]);
      return { scans, findings, alerts, admission };
    });
  }

  sizeBytes(): Promise<number> {
    return this.db.sizeBytes();
  }

  /** For tests and tools: a raw statement against the store's database. */
  raw(): Queryable & Pick<Driver, 'tx'> {
    return this.db;
  }
}

function checkToken(name: string, role: Role, principal?: string): void {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 100) throw storeError('PALISADE_STORE_QUERY', { field: 'name', detail: 'expected a name of 1 to 100 characters' }, 'name');
  if (principal !== undefined && (typeof principal !== 'string' || principal.trim() === '' || principal.length > 100)) throw storeError('PALISADE_STORE_QUERY', { field: 'principal', detail: 'expected a name of 1 to 100 characters' }, 'principal');
  if (!ROLES.includes(role)) throw storeError('PALISADE_STORE_QUERY', { field: 'role', detail: `expected one of ${ROLES.join(', ')}` }, 'role');
}

/** A random 32-byte secret, shown once; only its SHA-256 is stored. */
async function insertToken(q: Queryable, name: string, role: Role, opts: { principal?: string; createdBy?: string } = {}): Promise<{ token: ApiToken; secret: string }> {
  checkToken(name, role, opts.principal);
  const id = `tok_${randomBytes(8).toString('hex')}`;
  const secret = `pal_${randomBytes(32).toString('base64url')}`;
  const createdAt = new Date().toISOString();
  // A token made for no one in particular acts for itself (the first admin token, break-glass tokens from the CLI).
  const principal = opts.principal ?? name;
  await q.run('INSERT INTO api_tokens (id, name, role, principal, created_by, hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [id, name, role, principal, opts.createdBy ?? null, sha256(secret), createdAt]);
  return { token: { id, name, role, principal, ...(opts.createdBy ? { createdBy: opts.createdBy } : {}), createdAt }, secret };
}

function controlsOf(framework: string | undefined, requirement: string | undefined): string[] {
  if (framework === undefined) throw storeError('PALISADE_STORE_QUERY', { field: 'requirement', detail: 'a requirement needs its framework' }, 'requirement');
  const fw = builtinFrameworks().get(framework);
  if (!fw) throw storeError('PALISADE_STORE_QUERY', { field: 'framework', detail: `unknown framework ${framework}; known: ${[...builtinFrameworks().keys()].join(', ')}` }, 'framework');
  if (requirement === undefined) return [...frameworkControlIds(fw)].sort();
  const req = fw.requirements.find((r) => r.id === requirement);
  if (!req) throw storeError('PALISADE_STORE_QUERY', { field: 'requirement', detail: `framework ${framework} has no requirement ${requirement}` }, 'requirement');
  return [...req.controls].sort();
}

/** For a run whose control is neither built in nor stored (should not happen; keeps reports rendering). */
function placeholderMeta(id: string, severity: Severity): ControlMeta {
  return { id, slug: id.toLowerCase(), title: id, severity, category: 'unknown', description: '', rationale: '', remediation: '', messages: {}, appliesTo: [], maturity: 'stable' as ControlMeta['maturity'] };
}
