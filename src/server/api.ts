/**
 * The route table of `palisade serve` (the contract is /work/helpers/API.md, the document
 * clients read is GET /api/v1/openapi.json, built from this same table). Each route
 * declares its method, path template, the least role that may call it, its parameters,
 * body and answers; the server checks the token and the parameters before a handler runs,
 * so handlers only see valid input.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CONTROLS } from '../controls/registry.js';
import type { ControlMeta } from '../core/control.js';
import { PalisadeError } from '../core/errors.js';
import type { ResourceSelector } from '../core/exception.js';
import { SEVERITIES } from '../core/severity.js';
import type { ScanResult } from '../engine/scan-result.js';
import { builtinFrameworks } from '../frameworks/loader.js';
import type { Formatter } from '../report/formatter.js';
import { FORMATTERS } from '../report/registry.js';
import { evidenceBundle } from '../report/bundle.js';
import type { ApiToken, ExceptionState, Role, Store } from '../store/types.js';
import { isRole, samePrincipal } from './auth.js';
import { ApiError, apiError, badRequest, notFound, readBody, readJson, type ParamSpec, type ParamValues } from './http.js';
import { parseScanReport, recordScan, type AuditPipeline } from './ingest.js';
import type { ServerMetrics } from './metrics.js';
import { buildOpenApi, itemsOf, pageOf, ref } from './openapi.js';

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface ServerLimits {
  /** Ingestions (scan or audit) read and processed at once; more get 429 (--max-ingests). Bounds memory: each may hold a body of up to its limit. */
  concurrentIngests: number;
  /** POST /ingest/scan (--max-scan-body). */
  scanBytes: number;
  /** POST /ingest/audit (--max-audit-body). */
  auditBytes: number;
  /** Every other JSON body. */
  jsonBytes: number;
}

/** What handlers share: the store, metrics, the audit pipeline, limits. */
export interface App {
  store: Store;
  metrics: ServerMetrics;
  log: LogFn;
  limits: ServerLimits;
  audit: AuditPipeline;
  scans: ScanResultCache;
  /** Signs evidence bundles (--sign-key). */
  signingKey?: KeyObject;
  /** Controls loaded from --policy, by id: they describe the findings they made. */
  policyControls: ReadonlyMap<string, ControlMeta>;
  /** Ingestions in progress. */
  ingesting: number;
  routes: readonly Route[];
  /** Store reachable and not shutting down. */
  ready(): Promise<{ ok: boolean; detail: string }>;
  now(): Date;
}

export interface RequestContext {
  req: IncomingMessage;
  params: ParamValues;
  query: ParamValues;
  /** Present on every route with a role. */
  token: ApiToken;
  app: App;
}

export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; body: string | Buffer | Iterable<string>; type: string; headers?: Record<string, string> }
  | { status: 204 };

export interface AnswerSpec {
  description: string;
  schema?: Record<string, unknown>;
  /** Default application/json. */
  contentType?: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** Least role that may call it; null: no token needed. */
  role: Role | null;
  tag: string;
  summary: string;
  description?: string;
  params?: readonly ParamSpec[];
  query?: readonly ParamSpec[];
  body?: { contentType: string; schema: Record<string, unknown>; description: string; limitOption: string };
  responses: Record<string, AnswerSpec>;
  handle(c: RequestContext): Promise<Reply>;
}

/**
 * The last few rebuilt ScanResults: an auditor downloads several formats and the bundle of
 * one scan together. Few, because a scan of a large cluster rebuilds to tens of megabytes.
 */
export class ScanResultCache {
  private readonly entries = new Map<number, Promise<ScanResult | undefined>>();
  constructor(private readonly store: Store, private readonly size = 4) {}

  get(id: number): Promise<ScanResult | undefined> {
    let p = this.entries.get(id);
    if (p) this.entries.delete(id);
    else {
      p = this.store.scanResult(id);
      // A failed rebuild is not kept.
      p.catch(() => this.entries.delete(id));
      if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(id, p);
    return p;
  }

  clear(): void {
    this.entries.clear();
  }
}

// ---- parameters ----

const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,126}$/;
const q = {
  cluster: { name: 'cluster', type: 'string', description: 'Cluster name.' },
  limit: (max: number, what: string) => ({ name: 'limit', type: 'integer', minimum: 1, maximum: max, description: `At most this many ${what} (≤ ${max}).` }),
  cursor: { name: 'cursor', type: 'string', description: 'The `next` value of the previous page.' },
} as const satisfies Record<string, ParamSpec | ((...a: never[]) => ParamSpec)>;
const idParam: ParamSpec = { name: 'id', type: 'integer', minimum: 1, description: 'Scan id.' };

function clusterName(v: unknown, field = 'query cluster'): string {
  if (typeof v !== 'string' || !CLUSTER_NAME.test(v)) throw badRequest(field, 'expected a cluster name (letters, digits, . _ : -; at most 127 characters)');
  return v;
}
const optCluster = (v: unknown) => (v === undefined ? undefined : clusterName(v));

// ---- report formats ----

/** Media types of the report formats (the reports helper's formats included as they land). */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  json: 'application/json',
  sarif: 'application/sarif+json',
  junit: 'application/xml',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  oscal: 'application/json',
  csv: 'text/csv; charset=utf-8',
  policyreport: 'application/yaml',
  openreports: 'application/yaml',
  table: 'text/plain; charset=utf-8',
};
export const REPORT_FORMATS = ['html', 'pdf', 'oscal', 'sarif', 'junit', 'json', 'csv', 'policyreport', 'openreports'] as const;

async function renderReport(format: string, result: ScanResult): Promise<{ body: string | Buffer | Iterable<string>; type: string; ext: string }> {
  const f: Formatter | undefined = FORMATTERS[format];
  if (!f) throw apiError(400, 'PALISADE_API_BAD_REQUEST', { field: 'query format', detail: `the ${format} format is not available in this build; available: ${REPORT_FORMATS.filter((n) => FORMATTERS[n]).join(', ')}` }, { field: 'query format' });
  const type = MEDIA_TYPES[format] ?? 'application/octet-stream';
  if (f.renderBinary) return { body: await f.renderBinary(result), type, ext: f.extension };
  const body = f.chunks ? f.chunks(result, { color: false }) : f.render(result, { color: false });
  return { body, type, ext: f.extension };
}

// ---- store errors ----

/** Network failures between the server and PostgreSQL. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN']);
/** What pg and better-sqlite3 say when the connection is gone or closed (they give these no code). */
const CONNECTION_GONE = /^(Connection terminated|Client has encountered a connection error|Cannot use a pool after calling end on the pool|timeout exceeded when trying to connect|The database connection is not open)/;

/**
 * Why the store cannot answer now, when that is the problem (a retry may work) rather than a
 * bug: PostgreSQL unreachable, shutting down or out of connections, the pool or the SQLite
 * connection closed, SQLite locked beyond its busy timeout.
 */
export function storeUnavailable(e: unknown): string | undefined {
  if (e instanceof AggregateError) {
    for (const inner of e.errors) {
      const why = storeUnavailable(inner);
      if (why) return why;
    }
  }
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_CODES.has(code)) return `connection failed: ${code}`;
    if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return 'the database is locked';
    // SQLSTATE class 08 (connection exception), 57P01–57P03 (shutting down, cannot connect now), 53300 (too many connections).
    if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code) || code === '53300') return `PostgreSQL ${code}`;
  }
  if (CONNECTION_GONE.test(e.message)) return 'the connection is closed';
  return undefined;
}

/** Maps the store's coded errors to HTTP: not found 404, conflicts 409, bad queries 400, unavailable 503. */
export function storeError(e: unknown): ApiError | undefined {
  const unavailable = storeUnavailable(e);
  if (unavailable) return apiError(503, 'PALISADE_API_STORE_UNAVAILABLE', { reason: unavailable }, { headers: { 'retry-after': '5' } });
  if (!(e instanceof PalisadeError)) return undefined;
  const d = e.diagnostic;
  switch (d.code) {
    case 'PALISADE_STORE_NOT_FOUND':
      return new ApiError(404, 'PALISADE_API_NOT_FOUND', d.message);
    case 'PALISADE_STORE_CONFLICT':
    case 'PALISADE_STORE_EXCEPTION_STATE':
      return new ApiError(409, 'PALISADE_API_CONFLICT', d.message);
    case 'PALISADE_STORE_QUERY':
    case 'PALISADE_EXCEPTION_INVALID':
      return new ApiError(400, 'PALISADE_API_BAD_REQUEST', d.message, d.field);
    default:
      return undefined;
  }
}

// ---- exceptions ----

const EXCEPTION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;
const CONTROL_REF = /^(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,99})$/;

const MAX_GLOB_STARS = 2;

function selectorOf(v: unknown, field: string): ResourceSelector {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest(field, 'expected an object with kind, namespace, name and/or labels');
  const o = v as Record<string, unknown>;
  const out: ResourceSelector = {};
  for (const k of Object.keys(o)) if (!['kind', 'namespace', 'name', 'labels'].includes(k)) throw badRequest(`${field}.${k}`, 'unknown field; a selector has kind, namespace, name, labels');
  for (const k of ['kind', 'namespace', 'name'] as const) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'string' || !o[k] || (o[k] as string).length > 253) throw badRequest(`${field}.${k}`, 'expected a non-empty string (namespace and name may use * and ?)');
    // Globs become backtracking regular expressions matched against every resource of every scan: each * more multiplies the worst case by the name's length.
    if (((o[k] as string).match(/\*/g)?.length ?? 0) > MAX_GLOB_STARS) throw badRequest(`${field}.${k}`, `at most ${MAX_GLOB_STARS} * in a pattern`);
    out[k] = o[k] as string;
  }
  if (o.labels !== undefined) {
    if (typeof o.labels !== 'object' || o.labels === null || Array.isArray(o.labels)) throw badRequest(`${field}.labels`, 'expected an object of label values');
    const labels: Record<string, string> = {};
    for (const [k, val] of Object.entries(o.labels)) {
      if (typeof val !== 'string') throw badRequest(`${field}.labels.${k}`, 'expected a string');
      labels[k] = val;
    }
    out.labels = labels;
  }
  // An empty selector would except every resource; `namespace: "*"` says so on purpose.
  if (Object.keys(out).length === 0) throw badRequest(field, 'an empty selector matches every resource; name at least one of kind, namespace, name, labels (namespace "*" to mean all)');
  return out;
}

function exceptionRequest(body: unknown, today: string) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('(body)', 'expected an object {controls, resources, justification, owner, expires}');
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['id', 'controls', 'resources', 'justification', 'owner', 'expires'].includes(k)) throw badRequest(k, 'unknown field');
  if (o.id !== undefined && (typeof o.id !== 'string' || !EXCEPTION_ID.test(o.id))) throw badRequest('id', 'expected letters, digits, . _ - (at most 64)');
  if (!Array.isArray(o.controls) || o.controls.length === 0 || o.controls.length > 200) throw badRequest('controls', 'expected a list of 1–200 control ids ("*" for all)');
  o.controls.forEach((c, i) => {
    if (typeof c !== 'string' || !CONTROL_REF.test(c)) throw badRequest(`controls[${i}]`, 'expected a control id or "*"');
  });
  if (!Array.isArray(o.resources) || o.resources.length === 0 || o.resources.length > 200) throw badRequest('resources', 'expected a list of 1–200 resource selectors');
  const resources = o.resources.map((s, i) => selectorOf(s, `resources[${i}]`));
  if (typeof o.justification !== 'string' || o.justification.trim().length < 10 || o.justification.length > 4000) throw badRequest('justification', 'expected the reason the risk is accepted (10–4000 characters)');
  if (typeof o.owner !== 'string' || !o.owner.trim() || o.owner.length > 200) throw badRequest('owner', 'expected who owns the risk (1–200 characters)');
  if (typeof o.expires !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(o.expires) || new Date(`${o.expires}T00:00:00Z`).toISOString().slice(0, 10) !== o.expires) throw badRequest('expires', 'expected a date YYYY-MM-DD');
  if (o.expires < today) throw badRequest('expires', `${o.expires} is in the past`);
  const id = typeof o.id === 'string' ? o.id : `EXC-${today.replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
  return { id, controls: o.controls as string[], resources, justification: o.justification.trim(), owner: o.owner.trim(), expires: o.expires };
}

async function exceptionById(store: Store, id: string) {
  const e = (await store.listExceptions()).find((x) => x.id === id);
  if (!e) throw notFound(`exception ${id} does not exist`);
  return e;
}

function decisionRoute(action: 'approve' | 'reject' | 'revoke', decision: 'approved' | 'rejected' | 'revoked'): Route {
  return {
    method: 'POST',
    path: `/api/v1/exceptions/{id}/${action}`,
    role: 'admin',
    tag: 'exceptions',
    summary: `${action[0]!.toUpperCase()}${action.slice(1)} an exception`,
    description:
      action === 'approve'
        ? 'The approver must not be the requester (segregation of duties): a token cannot approve an exception that a token acting for the same principal requested (403 PALISADE_API_SELF_APPROVAL).'
        : undefined,
    params: [{ name: 'id', type: 'string', description: 'Exception id.' }],
    body: { contentType: 'application/json', schema: ref('Decision'), description: 'An optional comment, kept in the audit trail. The body may be empty.', limitOption: '--max-json-body' },
    responses: {
      '200': { description: 'The exception after the decision.', schema: ref('StoredException') },
      ...(action === 'approve' ? { '403': { description: 'The approving token acts for the principal that requested the exception.', schema: ref('Error') } } : {}),
      '409': { description: 'The exception is not in a state that allows this.', schema: ref('Error') },
    },
    async handle(c) {
      const id = c.params.id as string;
      const raw = c.req.headers['content-length'] === '0' ? {} : await readJsonOrEmpty(c.req, c.app.limits.jsonBytes);
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest('(body)', 'expected an object {comment?}');
      const body = raw as Record<string, unknown>;
      for (const k of Object.keys(body)) if (k !== 'comment') throw badRequest(k, 'unknown field; the body is {comment?}');
      if (body.comment !== undefined && (typeof body.comment !== 'string' || body.comment.length > 4000)) throw badRequest('comment', 'expected a string of at most 4000 characters');
      const current = await exceptionById(c.app.store, id);
      // By person, not by token: a second token of one's own acts for the same principal.
      if (decision === 'approved' && (current.requestedBy === c.token.name || samePrincipal(current.requestedPrincipal, c.token.principal))) {
        throw apiError(403, 'PALISADE_API_SELF_APPROVAL', { id, requester: current.requestedBy, principal: current.requestedPrincipal, approver: c.token.name });
      }
      const e = await c.app.store.decideException(id, decision, c.token.name, body.comment as string | undefined, c.token.principal);
      c.app.log('info', `exception ${id} ${decision}`, { exception: id, actor: c.token.name, principal: c.token.principal });
      return { status: 200, json: e };
    },
  };
}

/** A JSON body that may also be absent (Transfer-Encoding without data). */
async function readJsonOrEmpty(req: IncomingMessage, limit: number): Promise<unknown> {
  try {
    return await readJson(req, limit, '--max-json-body');
  } catch (e) {
    if (e instanceof ApiError && e.field === '(body)' && /empty/.test(e.message)) return {};
    throw e;
  }
}

/** Runs an ingestion when a slot is free; otherwise 429 before the body is read (the client retries). */
async function ingestSlot(c: RequestContext, fn: () => Promise<Reply>): Promise<Reply> {
  const limit = c.app.limits.concurrentIngests;
  if (c.app.ingesting >= limit) {
    throw apiError(429, 'PALISADE_API_UNAVAILABLE', { detail: `${c.app.ingesting} ingestion(s) in progress (limit ${limit}, --max-ingests); retry in a few seconds` }, { headers: { 'retry-after': '5', connection: 'close' } });
  }
  c.app.ingesting++;
  try {
    return await fn();
  } finally {
    c.app.ingesting--;
  }
}

// ---- controls ----

/**
 * What describes a finding's control: the built-in registry, then the server's --policy
 * controls, then the metadata recorded with the scan that last saw the finding (a CI report
 * carries a policy control's title, not its remediation).
 */
async function controlMetaOf(app: App, id: string, scanId: number): Promise<ControlMeta | undefined> {
  const known = CONTROLS[id]?.meta ?? app.policyControls.get(id);
  if (known) return known;
  return (await app.store.controlRuns(scanId)).find((r) => r.meta.id === id)?.meta;
}

// ---- the table ----

const latestScanOf = async (store: Store, cluster: string | undefined, field: string): Promise<{ scanId: number; cluster: string }> => {
  const clusters = await store.listClusters();
  const withScans = clusters.filter((c) => c.lastScanId !== undefined);
  if (cluster !== undefined) {
    const c = withScans.find((x) => x.name === cluster);
    if (!c) throw notFound(`cluster ${cluster} has no scans`);
    return { scanId: c.lastScanId!, cluster };
  }
  if (withScans.length === 1) return { scanId: withScans[0]!.lastScanId!, cluster: withScans[0]!.name };
  if (withScans.length === 0) throw notFound('no scans have been recorded yet');
  throw badRequest(field, `required: ${withScans.length} clusters have scans (${withScans.slice(0, 5).map((c) => c.name).join(', ')}${withScans.length > 5 ? ', …' : ''})`);
};

export function apiRoutes(): Route[] {
  const routes: Route[] = [
    {
      method: 'GET',
      path: '/healthz',
      role: null,
      tag: 'operations',
      summary: 'Liveness: the process answers',
      responses: { '200': { description: 'ok', contentType: 'text/plain', schema: { type: 'string' } } },
      async handle() {
        return { status: 200, body: 'ok\n', type: 'text/plain; charset=utf-8' };
      },
    },
    {
      method: 'GET',
      path: '/readyz',
      role: null,
      tag: 'operations',
      summary: 'Readiness: the store answers and the server is not shutting down',
      responses: { '200': { description: 'ready', contentType: 'text/plain', schema: { type: 'string' } }, '503': { description: 'not ready, and why', contentType: 'text/plain', schema: { type: 'string' } } },
      async handle(c) {
        const r = await c.app.ready();
        return { status: r.ok ? 200 : 503, body: `${r.detail}\n`, type: 'text/plain; charset=utf-8' };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      role: 'viewer',
      tag: 'operations',
      summary: 'Prometheus metrics (text exposition format 0.0.4)',
      responses: { '200': { description: 'Metrics.', contentType: 'text/plain', schema: { type: 'string' } } },
      async handle(c) {
        try {
          c.app.metrics.storeBytes.set({}, await c.app.store.sizeBytes());
        } catch {
          c.app.metrics.storeErrors.inc({ operation: 'sizeBytes' });
        }
        return { status: 200, body: c.app.metrics.render(), type: 'text/plain; version=0.0.4; charset=utf-8' };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/openapi.json',
      role: 'viewer',
      tag: 'meta',
      summary: 'This API as an OpenAPI 3.1 document',
      responses: { '200': { description: 'The OpenAPI document.', schema: { type: 'object', required: ['openapi', 'paths'] } } },
      async handle(c) {
        return { status: 200, json: buildOpenApi(c.app.routes) };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/me',
      role: 'viewer',
      tag: 'meta',
      summary: 'The token making the request',
      responses: { '200': { description: 'Its id (not its secret), name and role.', schema: ref('Me') } },
      async handle(c) {
        return { status: 200, json: { id: c.token.id, name: c.token.name, role: c.token.role } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/clusters',
      role: 'viewer',
      tag: 'scans',
      summary: 'Clusters with recorded scans',
      responses: { '200': { description: 'Every cluster and its latest scan.', schema: itemsOf(ref('Cluster')) } },
      async handle(c) {
        return { status: 200, json: { items: await c.app.store.listClusters() } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/scans',
      role: 'viewer',
      tag: 'scans',
      summary: 'Recorded scans, newest first',
      query: [q.cluster, q.limit(1000, 'scans'), { name: 'before', type: 'integer', minimum: 1, description: 'Only scans with a smaller id (paging).' }],
      responses: { '200': { description: 'Scans.', schema: itemsOf(ref('StoredScan')) } },
      async handle(c) {
        const items = await c.app.store.listScans({ cluster: optCluster(c.query.cluster), limit: (c.query.limit as number | undefined) ?? 50, before: c.query.before as number | undefined });
        return { status: 200, json: { items } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/scans/{id}',
      role: 'viewer',
      tag: 'scans',
      summary: 'One scan',
      params: [idParam],
      responses: { '200': { description: 'The scan.', schema: ref('StoredScan') } },
      async handle(c) {
        const s = await c.app.store.getScan(c.params.id as number);
        if (!s) throw notFound(`scan ${c.params.id} does not exist`);
        return { status: 200, json: s };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/scans/{id}/report',
      role: 'auditor',
      tag: 'reports',
      summary: 'A report of one scan in any format',
      description: 'The findings open at the scan, its control runs and framework status, rendered like `palisade scan --format F`.',
      params: [idParam],
      query: [{ name: 'format', type: 'string', enum: REPORT_FORMATS, description: 'Report format. Default: json.' }],
      responses: {
        '200': {
          description: 'The report (Content-Type by format; Content-Disposition names a file).',
          contentType: '*/*',
          schema: {},
        },
      },
      async handle(c) {
        const format = (c.query.format as string | undefined) ?? 'json';
        const id = c.params.id as number;
        const result = await c.app.scans.get(id);
        if (!result) throw notFound(`scan ${id} does not exist`);
        const r = await renderReport(format, result);
        return { status: 200, body: r.body, type: r.type, headers: { 'content-disposition': `attachment; filename="palisade-scan-${id}.${r.ext}"` } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/scans/{id}/bundle',
      role: 'auditor',
      tag: 'reports',
      summary: 'Evidence bundle of one scan (tar.gz with a SHA-256 manifest)',
      description: 'The html, oscal, sarif, junit, csv, policyreport and json reports of the scan, the exception audit trail, and manifest.json with the size and SHA-256 of each file; signed (Ed25519, manifest.sig) when the server has --sign-key.',
      params: [idParam],
      responses: { '200': { description: 'A gzip-compressed tar archive.', contentType: 'application/gzip', schema: { type: 'string', contentEncoding: 'binary' } } },
      async handle(c) {
        const id = c.params.id as number;
        const scan = await c.app.store.getScan(id);
        const result = scan && (await c.app.scans.get(id));
        if (!scan || !result) throw notFound(`scan ${id} does not exist`);
        // The whole exception audit trail goes in: an auditor reads who accepted which risk, and when.
        const body = await evidenceBundle(result, { scanId: id, cluster: scan.cluster, exceptionEvents: await c.app.store.exceptionEvents(), signingKey: c.app.signingKey });
        return { status: 200, body, type: 'application/gzip', headers: { 'content-disposition': `attachment; filename="palisade-scan-${id}-evidence.tar.gz"` } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/findings',
      role: 'viewer',
      tag: 'findings',
      summary: 'Findings, filtered and paged',
      description: 'By default the findings open at the latest scan of each cluster.',
      query: [
        q.cluster,
        { name: 'scan', type: 'integer', minimum: 1, description: 'Findings open at this scan.' },
        { name: 'state', type: 'string', enum: ['open', 'resolved', 'all'], description: 'Default: open.' },
        { name: 'control', type: 'string', description: 'Control id.' },
        { name: 'severity', type: 'string', enum: SEVERITIES, description: 'Severity.' },
        { name: 'namespace', type: 'string', description: 'Namespace.' },
        { name: 'kind', type: 'string', description: 'Resource kind.' },
        { name: 'framework', type: 'string', description: 'Findings of the controls mapped to this framework.' },
        { name: 'requirement', type: 'string', description: 'With framework: of this requirement only.' },
        { name: 'q', type: 'string', description: 'Text in the resource name or the message.' },
        q.limit(500, 'findings'),
        q.cursor,
      ],
      responses: { '200': { description: 'A page of findings.', schema: pageOf(ref('StoredFinding')) } },
      async handle(c) {
        const v = c.query;
        if (v.requirement !== undefined && v.framework === undefined) throw badRequest('query requirement', 'needs query framework');
        const page = await c.app.store.findings({
          cluster: optCluster(v.cluster),
          scanId: v.scan as number | undefined,
          state: v.state as 'open' | 'resolved' | 'all' | undefined,
          controlId: v.control as string | undefined,
          severity: v.severity as string | undefined,
          namespace: v.namespace as string | undefined,
          kind: v.kind as string | undefined,
          framework: v.framework as string | undefined,
          requirement: v.requirement as string | undefined,
          text: v.q as string | undefined,
          limit: (v.limit as number | undefined) ?? 100,
          cursor: v.cursor as string | undefined,
        });
        return { status: 200, json: page };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/findings/{fingerprint}',
      role: 'viewer',
      tag: 'findings',
      summary: 'One finding with its history',
      params: [{ name: 'fingerprint', type: 'string', description: 'The finding fingerprint.' }],
      query: [q.cluster],
      description: 'With the title and remediation of the control that made it, when known (built-in, loaded with --policy, or recorded with the scan).',
      responses: { '200': { description: 'The finding.', schema: ref('FindingDetail') } },
      async handle(c) {
        const f = await c.app.store.finding(c.params.fingerprint as string, optCluster(c.query.cluster));
        if (!f) throw notFound(`finding ${String(c.params.fingerprint).slice(0, 80)} does not exist`);
        const meta = await controlMetaOf(c.app, f.controlId, f.lastScanId);
        const title = meta?.title && meta.title !== f.controlId ? meta.title : undefined;
        return { status: 200, json: { ...f, ...(title ? { title } : {}), ...(meta?.remediation ? { remediation: meta.remediation } : {}) } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/frameworks',
      role: 'viewer',
      tag: 'frameworks',
      summary: 'Framework scores at the latest scan of each cluster',
      query: [q.cluster],
      responses: { '200': { description: 'One item per framework and cluster.', schema: itemsOf(ref('FrameworkSummary')) } },
      async handle(c) {
        const want = optCluster(c.query.cluster);
        const items = [];
        for (const cl of await c.app.store.listClusters()) {
          if ((want !== undefined && cl.name !== want) || cl.lastScanId === undefined) continue;
          for (const fw of await c.app.store.frameworkStatuses(cl.lastScanId)) {
            items.push({ id: fw.id, title: fw.title, version: fw.version, score: fw.score, counts: fw.counts, scanId: cl.lastScanId, cluster: cl.name });
          }
        }
        return { status: 200, json: { items } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/frameworks/{id}',
      role: 'viewer',
      tag: 'frameworks',
      summary: 'Status of one framework at one scan, per requirement',
      description: 'At `scan`, or at the latest scan of `cluster` (which may be left out when only one cluster has scans).',
      params: [{ name: 'id', type: 'string', description: 'Framework id (see `palisade frameworks`).' }],
      query: [q.cluster, { name: 'scan', type: 'integer', minimum: 1, description: 'Scan id.' }],
      responses: { '200': { description: 'The framework status.', schema: ref('FrameworkStatus') } },
      async handle(c) {
        let scanId = c.query.scan as number | undefined;
        let cluster: string;
        if (scanId !== undefined) {
          const s = await c.app.store.getScan(scanId);
          if (!s) throw notFound(`scan ${scanId} does not exist`);
          const want = optCluster(c.query.cluster);
          if (want !== undefined && want !== s.cluster) throw badRequest('query scan', `scan ${scanId} is of cluster ${s.cluster}, not ${want}`);
          cluster = s.cluster;
        } else ({ scanId, cluster } = await latestScanOf(c.app.store, optCluster(c.query.cluster), 'query cluster'));
        const [fw] = await c.app.store.frameworkStatuses(scanId, c.params.id as string);
        if (!fw) throw notFound(`framework ${String(c.params.id).slice(0, 80)} was not evaluated by scan ${scanId}`);
        return { status: 200, json: { ...fw, scanId, cluster } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/frameworks/{id}/trend',
      role: 'viewer',
      tag: 'frameworks',
      summary: 'Score and requirement counts of one framework over time, oldest first',
      params: [{ name: 'id', type: 'string', description: 'Framework id.' }],
      query: [q.cluster, q.limit(1000, 'points')],
      responses: { '200': { description: 'Snapshots, oldest first.', schema: itemsOf(ref('FrameworkSnapshot')) } },
      async handle(c) {
        const id = c.params.id as string;
        const items = await c.app.store.frameworkTrend(id, { cluster: optCluster(c.query.cluster), limit: (c.query.limit as number | undefined) ?? 100 });
        if (items.length === 0 && !builtinFrameworks().has(id)) throw notFound(`framework ${id.slice(0, 80)} is not known and has no recorded status`);
        return { status: 200, json: { items } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/exceptions',
      role: 'viewer',
      tag: 'exceptions',
      summary: 'Exceptions governed by the server',
      query: [{ name: 'state', type: 'string', enum: ['requested', 'approved', 'rejected', 'revoked', 'expired'], description: 'Only exceptions in this state.' }],
      responses: { '200': { description: 'Exceptions.', schema: itemsOf(ref('StoredException')) } },
      async handle(c) {
        return { status: 200, json: { items: await c.app.store.listExceptions({ state: c.query.state as ExceptionState | undefined }) } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/exceptions',
      role: 'auditor',
      tag: 'exceptions',
      summary: 'Request an exception (an accepted risk); an admin approves or rejects it',
      body: { contentType: 'application/json', schema: ref('ExceptionRequest'), description: 'The exception requested; the requester is the token.', limitOption: '--max-json-body' },
      responses: { '201': { description: 'The exception, in state requested.', schema: ref('StoredException') }, '409': { description: 'An exception with this id exists.', schema: ref('Error') } },
      async handle(c) {
        const req = exceptionRequest(await readJson(c.req, c.app.limits.jsonBytes, '--max-json-body'), c.app.now().toISOString().slice(0, 10));
        const e = await c.app.store.requestException({ ...req, requestedBy: c.token.name, requestedPrincipal: c.token.principal });
        c.app.log('info', `exception ${e.id} requested`, { exception: e.id, actor: c.token.name, principal: c.token.principal });
        return { status: 201, json: e, headers: { location: `/api/v1/exceptions/${encodeURIComponent(e.id)}/events` } };
      },
    },
    decisionRoute('approve', 'approved'),
    decisionRoute('reject', 'rejected'),
    decisionRoute('revoke', 'revoked'),
    {
      method: 'GET',
      path: '/api/v1/exceptions/{id}/events',
      role: 'auditor',
      tag: 'exceptions',
      summary: 'The append-only audit trail of one exception',
      params: [{ name: 'id', type: 'string', description: 'Exception id.' }],
      responses: { '200': { description: 'Events, oldest first.', schema: itemsOf(ref('ExceptionEvent')) } },
      async handle(c) {
        const id = c.params.id as string;
        await exceptionById(c.app.store, id);
        return { status: 200, json: { items: await c.app.store.exceptionEvents(id) } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/alerts',
      role: 'viewer',
      tag: 'alerts',
      summary: 'Alerts and incidents from audit events, newest first',
      query: [
        q.cluster,
        { name: 'since', type: 'string', description: 'Only alerts at or after this time (ISO 8601).' },
        { name: 'incidents', type: 'boolean', description: 'true: incidents (correlated kill chains) only.' },
        q.limit(1000, 'alerts'),
        q.cursor,
      ],
      responses: { '200': { description: 'A page of alerts.', schema: pageOf(ref('DetectionRecord')) } },
      async handle(c) {
        const since = c.query.since as string | undefined;
        if (since !== undefined && !(/^\d{4}-\d{2}-\d{2}(T|$)/.test(since) && Number.isFinite(Date.parse(since)))) throw badRequest('query since', 'expected an ISO 8601 time');
        const page = await c.app.store.alerts({
          cluster: optCluster(c.query.cluster),
          since: since === undefined ? undefined : new Date(Date.parse(since)).toISOString(),
          incidentsOnly: c.query.incidents === true,
          limit: (c.query.limit as number | undefined) ?? 100,
          cursor: c.query.cursor as string | undefined,
        });
        return { status: 200, json: page };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/ingest/scan',
      role: 'admin',
      tag: 'ingest',
      summary: 'Record a CI scan: the JSON report of `palisade scan --format json`',
      description: 'Findings are compared with the cluster\'s previous scan: new fingerprints open, missing ones resolve.',
      query: [{ ...q.cluster, required: true }],
      body: { contentType: 'application/json', schema: ref('ScanReport'), description: 'The Palisade JSON report (docs/json-output.md).', limitOption: '--max-scan-body' },
      responses: { '201': { description: 'Recorded.', schema: ref('IngestedScan') }, '429': { description: 'Too many ingestions in progress; retry after Retry-After seconds.', schema: ref('Error') } },
      handle: (c) => ingestSlot(c, async () => {
        const cluster = clusterName(c.query.cluster);
        const result = parseScanReport(await readJson(c.req, c.app.limits.scanBytes, '--max-scan-body'));
        const outcome = await recordScan(c.app.store, c.app.metrics, cluster, 'ci', result);
        c.app.log('info', `scan ${outcome.scanId} of ${cluster} recorded`, { cluster, scanId: outcome.scanId, opened: outcome.opened, resolved: outcome.resolved, actor: c.token.name });
        return { status: 201, json: outcome, headers: { location: `/api/v1/scans/${outcome.scanId}` } };
      }),
    },
    {
      method: 'POST',
      path: '/api/v1/ingest/audit',
      role: 'admin',
      tag: 'ingest',
      summary: 'Analyse an audit.k8s.io EventList and record its alerts and incidents',
      query: [{ ...q.cluster, required: true }],
      body: { contentType: 'application/json', schema: { type: 'object', required: ['kind', 'apiVersion'], properties: { kind: { const: 'EventList' }, apiVersion: { enum: ['audit.k8s.io/v1', 'audit.k8s.io/v1beta1'] }, items: { type: 'array' } } }, description: 'An audit.k8s.io/v1 or v1beta1 EventList.', limitOption: '--max-audit-body' },
      responses: { '200': { description: 'Events read, alerts and incidents recorded.', schema: ref('IngestedAudit') }, '429': { description: 'Too many ingestions in progress; retry after Retry-After seconds.', schema: ref('Error') } },
      handle: (c) => ingestSlot(c, async () => {
        const cluster = clusterName(c.query.cluster);
        const type = c.req.headers['content-type'];
        if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) throw apiError(415, 'PALISADE_API_UNSUPPORTED_MEDIA_TYPE', { expected: 'application/json' });
        const body = await readBody(c.req, c.app.limits.auditBytes, '--max-audit-body');
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch (e) {
          throw badRequest('(body)', `not valid JSON: ${(e as Error).message.slice(0, 200)}`);
        }
        const r = c.app.audit.analyze(cluster, parsed);
        if (r.records.length) {
          await c.app.store.recordAlerts(cluster, r.records);
          c.app.metrics.alertsIngested.inc({ cluster }, r.records.length);
        }
        return { status: 200, json: { events: r.events, alerts: r.alerts, incidents: r.incidents, skipped: r.skipped } };
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/tokens',
      role: 'admin',
      tag: 'tokens',
      summary: 'API tokens (never their secrets)',
      responses: { '200': { description: 'Tokens.', schema: itemsOf(ref('ApiToken')) } },
      async handle(c) {
        return { status: 200, json: { items: await c.app.store.listTokens() } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/tokens',
      role: 'admin',
      tag: 'tokens',
      summary: 'Create a token; its secret is in this answer only',
      body: {
        contentType: 'application/json',
        schema: ref('TokenRequest'),
        description: 'Name, role and, for a token given to another person, the principal (person) it acts for; without one it acts for the principal of the token making it.',
        limitOption: '--max-json-body',
      },
      responses: { '201': { description: 'The token and its secret.', schema: ref('CreatedToken') }, '409': { description: 'A token has (or had) this name: audit trails name the actor by it.', schema: ref('Error') } },
      async handle(c) {
        const body = await readJson(c.req, c.app.limits.jsonBytes, '--max-json-body');
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('(body)', 'expected an object {name, role, principal?}');
        const o = body as Record<string, unknown>;
        for (const k of Object.keys(o)) if (k !== 'name' && k !== 'role' && k !== 'principal') throw badRequest(k, 'unknown field; the body is {name, role, principal?}');
        if (typeof o.name !== 'string' || !TOKEN_NAME.test(o.name)) throw badRequest('name', 'expected 1–64 letters, digits, space, . _ @ -');
        if (!isRole(o.role)) throw badRequest('role', 'expected viewer, auditor or admin');
        if (o.principal !== undefined && (typeof o.principal !== 'string' || !TOKEN_NAME.test(o.principal))) throw badRequest('principal', 'expected the person the token acts for: 1–64 letters, digits, space, . _ @ -');
        // A token one makes for oneself acts for oneself: a second identity is the same principal unless
        // another person is named, and that claim stays on the token (createdBy) and in the log.
        const principal = (o.principal as string | undefined)?.trim() ?? c.token.principal;
        const created = await c.app.store.createToken(o.name, o.role, { principal, createdBy: c.token.id });
        c.app.log('info', `token ${created.token.name} (${created.token.role}) created for ${principal}`, {
          token: created.token.name,
          id: created.token.id,
          principal,
          actor: c.token.name,
          actorPrincipal: c.token.principal,
        });
        return { status: 201, json: created, headers: { 'cache-control': 'no-store' } };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/tokens/{id}',
      role: 'admin',
      tag: 'tokens',
      summary: 'Revoke a token',
      params: [{ name: 'id', type: 'string', description: 'Token id (not its secret).' }],
      responses: { '204': { description: 'Revoked.' } },
      async handle(c) {
        const id = c.params.id as string;
        if (!(await c.app.store.revokeToken(id))) throw notFound(`token ${id.slice(0, 80)} does not exist or is revoked already`);
        c.app.log('info', `token ${id} revoked`, { id, actor: c.token.name });
        return { status: 204 };
      },
    },
  ];
  return routes;
}
