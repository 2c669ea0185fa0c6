/**
 * The OpenAPI 3.1 document of the API, built from the route table (api.ts) so the two
 * cannot drift: every route declares its method, path, role, parameters, body and answers,
 * and this file only adds the shared component schemas and the error answers every route
 * of its kind has (400, 401, 403, 404, 413, 503). Schemas are JSON Schema 2020-12 (what 3.1
 * uses) and deliberately open (extra properties allowed): clients must ignore fields they
 * do not know, and the tests validate real answers against them.
 */
import { VERSION } from '../core/version.js';
import { ROLES } from '../store/types.js';
import { SEVERITIES } from '../core/severity.js';
import { REQUIREMENT_STATUSES } from '../frameworks/scoring.js';
import type { ParamSpec } from './http.js';
import type { Route } from './api.js';

type Schema = Record<string, unknown>;

export const ref = (name: keyof typeof SCHEMAS): Schema => ({ $ref: `#/components/schemas/${name}` });
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const strings: Schema = { type: 'array', items: str };
const time: Schema = { type: 'string', format: 'date-time' };
const countsSchema: Schema = { type: 'object', required: [...REQUIREMENT_STATUSES], properties: Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, int])) };
export const pageOf = (item: Schema): Schema => ({
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: item }, next: { type: 'string', description: 'Cursor of the next page; absent on the last page.' }, total: int },
});
export const itemsOf = (item: Schema): Schema => ({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: item } } });

export const SCHEMAS = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string', pattern: '^PALISADE_[A-Z0-9_]+$' }, message: str, field: str } } },
  },
  Me: { type: 'object', required: ['id', 'name', 'role'], properties: { id: { type: 'string', description: 'The token id, as in GET /api/v1/tokens.' }, name: str, role: { enum: [...ROLES] } } },
  Cluster: { type: 'object', required: ['name'], properties: { name: str, lastScanId: int, lastScanAt: time } },
  StoredScan: {
    type: 'object',
    required: ['id', 'cluster', 'source', 'startedAt', 'durationMs', 'resources', 'failed', 'excepted', 'opened', 'resolved', 'scores'],
    properties: {
      id: int,
      cluster: str,
      source: { enum: ['cluster', 'ci', 'manifests'] },
      startedAt: time,
      durationMs: { type: 'number' },
      resources: int,
      failed: int,
      excepted: int,
      opened: int,
      resolved: int,
      scores: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
    },
  },
  JsonPath: { type: 'array', items: { type: ['string', 'integer'] }, description: 'Keys and array indexes from the object root.' },
  StoredFinding: {
    type: 'object',
    required: ['controlId', 'severity', 'status', 'messageId', 'message', 'resource', 'path', 'fingerprint', 'cluster', 'firstSeen', 'lastSeen', 'firstScanId', 'lastScanId'],
    properties: {
      controlId: str,
      severity: { enum: [...SEVERITIES] },
      status: { enum: ['fail', 'excepted', 'pass', 'skip'] },
      messageId: str,
      message: str,
      resource: { type: 'object', required: ['apiVersion', 'kind', 'name', 'key'], properties: { apiVersion: str, kind: str, namespace: str, name: str, key: str } },
      path: { $ref: '#/components/schemas/JsonPath' },
      location: { type: 'object', required: ['file', 'line', 'column'], properties: { file: str, line: int, column: int, exact: { type: 'boolean' }, path: { $ref: '#/components/schemas/JsonPath' } } },
      evidence: {},
      fix: { type: 'array', items: { type: 'object', required: ['op', 'path'], properties: { op: str, path: str } } },
      fingerprint: str,
      exception: { type: 'object', required: ['id', 'reason'], properties: { id: str, reason: str, owner: str, expires: str } },
      cluster: str,
      firstSeen: time,
      lastSeen: time,
      firstScanId: int,
      lastScanId: int,
      resolvedAt: time,
      resolvedScanId: int,
    },
  },
  FindingDetail: {
    allOf: [{ $ref: '#/components/schemas/StoredFinding' }],
    properties: {
      title: { type: 'string', description: "The control's title." },
      remediation: { type: 'string', description: 'How to fix findings of this control.' },
    },
  },
  FrameworkSummary: {
    type: 'object',
    required: ['id', 'title', 'version', 'score', 'counts', 'scanId', 'cluster'],
    properties: { id: str, title: str, version: str, score: { type: ['number', 'null'] }, counts: countsSchema, scanId: int, cluster: str },
  },
  FrameworkStatus: {
    type: 'object',
    required: ['id', 'title', 'version', 'score', 'counts', 'requirements', 'scanId', 'cluster'],
    properties: {
      id: str,
      title: str,
      version: str,
      score: { type: ['number', 'null'] },
      counts: countsSchema,
      scanId: int,
      cluster: str,
      requirements: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'title', 'assessment', 'status', 'controls', 'failed', 'excepted'],
          properties: { id: str, title: str, section: str, assessment: { enum: ['automated', 'partial', 'manual', 'node'] }, status: { enum: [...REQUIREMENT_STATUSES] }, controls: strings, failed: int, excepted: int },
        },
      },
    },
  },
  FrameworkSnapshot: {
    type: 'object',
    required: ['scanId', 'cluster', 'startedAt', 'framework', 'score', 'counts'],
    properties: { scanId: int, cluster: str, startedAt: time, framework: str, score: { type: ['number', 'null'] }, counts: countsSchema },
  },
  ResourceSelector: {
    type: 'object',
    description: 'namespace and name are globs with * and ? (at most two * each).',
    properties: { kind: str, namespace: str, name: str, labels: { type: 'object', additionalProperties: str } },
  },
  ExceptionRequest: {
    type: 'object',
    required: ['controls', 'resources', 'justification', 'owner', 'expires'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'Generated when absent.' },
      controls: { type: 'array', items: str, minItems: 1, description: 'Control ids; "*" for every control.' },
      resources: { type: 'array', items: { $ref: '#/components/schemas/ResourceSelector' }, minItems: 1 },
      justification: { type: 'string', minLength: 10 },
      owner: { type: 'string', minLength: 1 },
      expires: { type: 'string', format: 'date', description: 'YYYY-MM-DD, the last day (UTC) the exception applies.' },
    },
  },
  Decision: { type: 'object', additionalProperties: false, properties: { comment: { type: 'string', maxLength: 4000 } } },
  StoredException: {
    type: 'object',
    required: ['id', 'controls', 'resources', 'justification', 'owner', 'expires', 'state', 'requestedBy', 'requestedPrincipal', 'requestedAt'],
    properties: {
      id: str,
      controls: strings,
      resources: { type: 'array', items: { $ref: '#/components/schemas/ResourceSelector' } },
      justification: str,
      owner: str,
      approvedBy: str,
      expires: str,
      state: { enum: ['requested', 'approved', 'rejected', 'revoked', 'expired'] },
      requestedBy: str,
      requestedPrincipal: { type: 'string', description: 'The person the requesting token acts for; a token acting for them cannot approve it.' },
      requestedAt: time,
      decidedBy: str,
      decidedAt: time,
    },
  },
  ExceptionEvent: { type: 'object', required: ['id', 'exceptionId', 'action', 'actor', 'at'], properties: { id: int, exceptionId: str, action: str, actor: str, principal: { type: 'string', description: 'The person the actor acts for (absent on older entries and for expiry).' }, at: time, comment: str } },
  DetectionRecord: {
    type: 'object',
    required: ['id', 'cluster', 'time', 'rule', 'priority', 'output', 'source', 'tags', 'palisade'],
    description: "A Falco-shaped alert or incident (src/detect/correlate/record.ts) with the store's id and cluster.",
    properties: {
      id: int,
      cluster: str,
      time: str,
      rule: str,
      priority: str,
      output: str,
      output_fields: { type: 'object' },
      source: str,
      tags: strings,
      hostname: str,
      palisade: { type: 'object', required: ['mitre', 'frameworks', 'incident'], properties: { mitre: strings, frameworks: strings, incident: { type: ['string', 'null'] } } },
    },
  },
  ApiToken: {
    type: 'object',
    required: ['id', 'name', 'role', 'principal', 'createdAt'],
    properties: {
      id: str,
      name: str,
      role: { enum: [...ROLES] },
      principal: { type: 'string', description: 'The person the token acts for; separation of duties compares principals.' },
      createdBy: { type: 'string', description: 'Id of the token that made it (absent: the first token, or made with the CLI).' },
      createdAt: time,
      lastUsedAt: time,
      revokedAt: time,
    },
  },
  TokenRequest: {
    type: 'object',
    required: ['name', 'role'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$' },
      role: { enum: [...ROLES] },
      principal: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$', description: 'The person the token is for. Default: the principal of the token making it.' },
    },
  },
  CreatedToken: { type: 'object', required: ['token', 'secret'], properties: { token: { $ref: '#/components/schemas/ApiToken' }, secret: { type: 'string', description: 'Shown once; the server keeps only its hash.' } } },
  IngestedScan: { type: 'object', required: ['scanId', 'opened', 'resolved', 'stillOpen'], properties: { scanId: int, opened: int, resolved: int, stillOpen: int } },
  IngestedAudit: { type: 'object', required: ['events', 'alerts', 'incidents'], properties: { events: int, alerts: int, incidents: int, skipped: int } },
  ScanReport: { type: 'object', required: ['schemaVersion'], description: 'The Palisade JSON report (docs/json-output.md).', properties: { schemaVersion: { const: 'palisade.scan/v1' } } },
} satisfies Record<string, Schema>;

function paramObject(p: ParamSpec, where: 'path' | 'query'): Schema {
  const schema: Schema = { type: p.type };
  if (p.enum) schema.enum = [...p.enum];
  if (p.minimum !== undefined) schema.minimum = p.minimum;
  if (p.maximum !== undefined) schema.maximum = p.maximum;
  return { name: p.name, in: where, required: where === 'path' || !!p.required, description: p.description, schema };
}

const errorAnswer = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });

/** `operationId` of a route: method and path in camel case (getApiV1ScansId). */
export function operationId(r: Pick<Route, 'method' | 'path'>): string {
  const words = r.path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return r.method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

export function buildOpenApi(routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, a] of Object.entries(r.responses)) {
      responses[status] = { description: a.description, ...(a.schema || a.contentType ? { content: { [a.contentType ?? 'application/json']: { schema: a.schema ?? {} } } } : {}) };
    }
    if (r.query?.length || r.params?.length || r.body) responses['400'] ??= errorAnswer('A parameter or the body is not valid; `error.field` names it.');
    if (r.role) {
      responses['401'] = { ...errorAnswer('No valid bearer token.'), headers: { 'WWW-Authenticate': { schema: str } } };
      const own = (responses['403'] as { description?: string } | undefined)?.description;
      responses['403'] = errorAnswer(own ? `${own} Or: the token's role is below ${r.role}.` : `The token's role is below ${r.role}.`);
    }
    if (r.params?.length) responses['404'] ??= errorAnswer('No such item.');
    if (r.body) responses['413'] = errorAnswer(`The body is larger than the limit (${r.body.limitOption}).`);
    // Authentication reads the store, so every route with a role depends on it.
    if (r.role) responses['503'] = { ...errorAnswer('The store does not answer (PALISADE_API_STORE_UNAVAILABLE); retry after Retry-After seconds.'), headers: { 'Retry-After': { schema: int } } };
    const op: Record<string, unknown> = {
      operationId: operationId(r),
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      'x-palisade-role': r.role ?? 'none',
      security: r.role ? [{ bearer: [] }] : [],
      parameters: [...(r.params ?? []).map((p) => paramObject(p, 'path')), ...(r.query ?? []).map((p) => paramObject(p, 'query'))],
      ...(r.body ? { requestBody: { required: true, description: r.body.description, content: { [r.body.contentType]: { schema: r.body.schema } } } } : {}),
      responses,
    };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Palisade API',
      version: VERSION,
      description: 'The evidence store of `palisade serve`: scans, findings, framework status and trends, exceptions with their audit trail, alerts, ingestion and tokens. Roles: viewer < auditor < admin; a role may do what the roles before it may.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from `palisade serve token create` or POST /api/v1/tokens.' } },
      schemas: SCHEMAS,
    },
  };
}

/** The endpoint table of docs/serve.md (a test keeps the page equal to this). */
export function endpointsMarkdown(routes: readonly Route[]): string {
  const lines = ['| method | path | role | what |', '|---|---|---|---|'];
  for (const r of routes) {
    const query = r.query?.length ? `?${r.query.map((p) => p.name).join('&')}` : '';
    lines.push(`| ${r.method} | \`${r.path}${query}\` | ${r.role ?? 'none'} | ${r.summary.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n') + '\n';
}
