/**
 * Request and answer plumbing of the API: coded errors as `{"error":{"code","message"}}`,
 * bounded body reading, and typed query parameters that name the parameter when they are
 * wrong.
 */
import type { IncomingMessage } from 'node:http';
import { diagnostic, type ErrorCode } from '../core/errors.js';
import { BodyTooLarge, ClientGone, readBoundedBody } from './request-body.js';

/** An answer other than success; `field` names the parameter or body field at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function apiError(status: number, code: ErrorCode, data: Record<string, string | number>, extra: { field?: string; headers?: Record<string, string> } = {}): ApiError {
  return new ApiError(status, code, diagnostic(code, data).message, extra.field, extra.headers);
}

export const badRequest = (field: string, detail: string) => apiError(400, 'PALISADE_API_BAD_REQUEST', { field, detail }, { field });
export const notFound = (detail: string) => apiError(404, 'PALISADE_API_NOT_FOUND', { detail });

export function errorBody(e: ApiError): string {
  return JSON.stringify({ error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } });
}

export { ClientGone };

/** Reads a whole body up to `limit` bytes; a larger one is an ApiError 413 (`option` names the flag that sets the limit). */
export async function readBody(req: IncomingMessage, limit: number, option: string): Promise<Buffer> {
  const tooLarge = () => apiError(413, 'PALISADE_API_BODY_TOO_LARGE', { limit, option }, { headers: { connection: 'close' } });
  const declared = Number(req.headers['content-length']);
  // Refused before reading: the connection is closed rather than drained.
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  try {
    return await readBoundedBody(req, limit);
  } catch (e) {
    if (e instanceof BodyTooLarge) throw tooLarge();
    throw e;
  }
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** Reads and parses a JSON body; a wrong content type is 415, bad JSON 400 with the parser's position. */
export async function readJson(req: IncomingMessage, limit: number, option: string): Promise<unknown> {
  const type = req.headers['content-type'];
  if (type !== undefined && !JSON_TYPE.test(type)) throw apiError(415, 'PALISADE_API_UNSUPPORTED_MEDIA_TYPE', { expected: 'application/json' }, { headers: { connection: 'close' } });
  const body = await readBody(req, limit, option);
  if (body.length === 0) throw badRequest('(body)', 'empty; expected a JSON document');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw badRequest('(body)', `not valid JSON: ${(e as Error).message.slice(0, 200)}`);
  }
}

export type ParamType = 'string' | 'integer' | 'boolean';

export interface ParamSpec {
  name: string;
  type: ParamType;
  description: string;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  /** Path parameters are always required. */
  required?: boolean;
}

export type ParamValues = Record<string, string | number | boolean | undefined>;

function convert(spec: ParamSpec, raw: string, where: string): string | number | boolean {
  const field = `${where} ${spec.name}`;
  if (raw.length > 1000) throw badRequest(field, 'longer than 1000 characters');
  // No column holds a NUL (PostgreSQL refuses it in text), so no value with one can match.
  if (raw.includes('\0')) throw badRequest(field, 'must not contain a NUL character');
  if (spec.type === 'integer') {
    if (!/^-?\d{1,15}$/.test(raw)) throw badRequest(field, `expected a whole number, got ${JSON.stringify(raw.slice(0, 40))}`);
    const n = Number(raw);
    if (spec.minimum !== undefined && n < spec.minimum) throw badRequest(field, `must be ≥ ${spec.minimum}`);
    if (spec.maximum !== undefined && n > spec.maximum) throw badRequest(field, `must be ≤ ${spec.maximum}`);
    return n;
  }
  if (spec.type === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw badRequest(field, `expected true or false, got ${JSON.stringify(raw.slice(0, 40))}`);
    return raw === 'true';
  }
  if (spec.enum && !spec.enum.includes(raw)) throw badRequest(field, `expected one of ${spec.enum.join(', ')}, got ${JSON.stringify(raw.slice(0, 40))}`);
  if (raw.length === 0) throw badRequest(field, 'must not be empty');
  return raw;
}

/** Checks query parameters against their specs: unknown or repeated parameters are refused, so typos do not silently widen a query. */
export function parseQuery(search: URLSearchParams, specs: readonly ParamSpec[]): ParamValues {
  const out: ParamValues = {};
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const name of new Set(search.keys())) {
    const spec = byName.get(name);
    if (!spec) throw badRequest(`query ${name.slice(0, 60)}`, `unknown parameter; this endpoint takes ${specs.length ? specs.map((s) => s.name).join(', ') : 'none'}`);
    const values = search.getAll(name);
    if (values.length > 1) throw badRequest(`query ${name}`, 'given more than once');
    out[name] = convert(spec, values[0]!, 'query');
  }
  for (const s of specs) if (s.required && out[s.name] === undefined) throw badRequest(`query ${s.name}`, 'required');
  return out;
}

export function parsePathParams(raw: Record<string, string>, specs: readonly ParamSpec[]): ParamValues {
  const out: ParamValues = {};
  for (const s of specs) out[s.name] = convert(s, raw[s.name] ?? '', 'path');
  return out;
}
