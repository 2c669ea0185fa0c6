/**
 * AdmissionReview admission.k8s.io/v1: what the API server sends a webhook and what it
 * accepts back. Parsing is strict about the fields the decision depends on (a review the
 * API server would never send is answered 400, so its failurePolicy decides) and lenient
 * about the rest.
 */
import type { K8sObject } from '../core/resource.js';
import type { JsonPatchOp } from '../core/finding.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATIONS: ReadonlySet<string> = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo: UserInfo;
  /** The object as it will be stored (CREATE, UPDATE), null for DELETE and CONNECT. */
  object: K8sObject | null;
  /** The stored object (UPDATE, DELETE). */
  oldObject: K8sObject | null;
  dryRun: boolean;
}

export interface AdmissionStatus {
  code: number;
  message: string;
  reason?: string;
  details?: { causes: { field: string; message: string; reason: string }[] };
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  patch?: string;
  patchType?: 'JSONPatch';
  auditAnnotations?: Record<string, string>;
  warnings?: string[];
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/** Why a body is not a review we can answer: the HTTP status and the catalogue code. */
export class ReviewError extends Error {
  constructor(
    readonly code: 'PALISADE_ADMISSION_MALFORMED_REVIEW' | 'PALISADE_ADMISSION_UNSUPPORTED_VERSION',
    message: string,
    /** The JSON path of the offending field, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function malformed(field: string, expected: string, found: unknown): ReviewError {
  return new ReviewError('PALISADE_ADMISSION_MALFORMED_REVIEW', `${field}: expected ${expected}, found ${typeName(found)}`, field);
}

function str(obj: Record<string, unknown>, key: string, field: string, required: boolean): string | undefined {
  const v = obj[key];
  if (v === undefined || (v === null && !required)) {
    if (required) throw new ReviewError('PALISADE_ADMISSION_MALFORMED_REVIEW', `${field}: required`, field);
    return undefined;
  }
  if (typeof v !== 'string') throw malformed(field, 'a string', v);
  return v;
}

function rawObject(v: unknown, field: string): K8sObject | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw malformed(field, 'an object or null', v);
  return v as K8sObject;
}

/** The request of an AdmissionReview v1 body, or a ReviewError saying what is wrong with it. */
export function parseReview(body: unknown): AdmissionRequest {
  if (!isObject(body)) throw malformed('(body)', 'a JSON object (an AdmissionReview)', body);
  const apiVersion = body.apiVersion;
  if (typeof apiVersion !== 'string') throw malformed('apiVersion', `"${ADMISSION_API_VERSION}"`, apiVersion);
  if (body.kind !== 'AdmissionReview') {
    throw new ReviewError('PALISADE_ADMISSION_MALFORMED_REVIEW', `kind: expected "AdmissionReview", found ${JSON.stringify(body.kind) ?? 'nothing'}`, 'kind');
  }
  if (apiVersion !== ADMISSION_API_VERSION) {
    throw new ReviewError('PALISADE_ADMISSION_UNSUPPORTED_VERSION', `apiVersion ${JSON.stringify(apiVersion).slice(0, 80)}`, 'apiVersion');
  }
  const r = body.request;
  if (!isObject(r)) throw malformed('request', 'an object', r);
  const uid = str(r, 'uid', 'request.uid', true)!;
  if (uid.length === 0 || uid.length > 256) throw new ReviewError('PALISADE_ADMISSION_MALFORMED_REVIEW', 'request.uid: expected 1 to 256 characters', 'request.uid');
  const operation = str(r, 'operation', 'request.operation', true)!;
  if (!OPERATIONS.has(operation)) {
    throw new ReviewError('PALISADE_ADMISSION_MALFORMED_REVIEW', `request.operation: expected CREATE, UPDATE, DELETE or CONNECT, found ${JSON.stringify(operation).slice(0, 40)}`, 'request.operation');
  }
  const k = r.kind;
  if (!isObject(k)) throw malformed('request.kind', 'an object {group, version, kind}', k);
  const kind: GroupVersionKind = {
    group: str(k, 'group', 'request.kind.group', false) ?? '',
    version: str(k, 'version', 'request.kind.version', false) ?? '',
    kind: str(k, 'kind', 'request.kind.kind', true)!,
  };
  const res = r.resource;
  if (res !== undefined && !isObject(res)) throw malformed('request.resource', 'an object {group, version, resource}', res);
  const resource = {
    group: (res && str(res, 'group', 'request.resource.group', false)) ?? '',
    version: (res && str(res, 'version', 'request.resource.version', false)) ?? '',
    resource: (res && str(res, 'resource', 'request.resource.resource', false)) ?? '',
  };
  const ui = r.userInfo;
  if (ui !== undefined && ui !== null && !isObject(ui)) throw malformed('request.userInfo', 'an object', ui);
  const groups = ui?.groups;
  if (groups !== undefined && groups !== null && !(Array.isArray(groups) && groups.every((g) => typeof g === 'string'))) {
    throw malformed('request.userInfo.groups', 'a list of strings', groups);
  }
  const userInfo: UserInfo = {
    username: (ui && str(ui, 'username', 'request.userInfo.username', false)) ?? '',
    uid: ui ? str(ui, 'uid', 'request.userInfo.uid', false) : undefined,
    groups: (groups as string[] | undefined | null) ?? [],
  };
  const dryRun = r.dryRun;
  if (dryRun !== undefined && dryRun !== null && typeof dryRun !== 'boolean') throw malformed('request.dryRun', 'a boolean', dryRun);
  const object = rawObject(r.object, 'request.object');
  const oldObject = rawObject(r.oldObject, 'request.oldObject');
  if ((operation === 'CREATE' || operation === 'UPDATE') && object === null) {
    throw new ReviewError('PALISADE_ADMISSION_MALFORMED_REVIEW', `request.object: required for ${operation}`, 'request.object');
  }
  return {
    uid,
    kind,
    resource,
    subResource: str(r, 'subResource', 'request.subResource', false) || undefined,
    name: str(r, 'name', 'request.name', false) || undefined,
    namespace: str(r, 'namespace', 'request.namespace', false) || undefined,
    operation: operation as Operation,
    userInfo,
    object,
    oldObject,
    dryRun: dryRun === true,
  };
}

/** The response envelope; the API server requires apiVersion and kind to match the request's. */
export function reviewResponse(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

/** patch and patchType of a mutating response: RFC 6902 operations, JSON, base64. */
export function encodePatch(ops: readonly JsonPatchOp[]): { patch: string; patchType: 'JSONPatch' } {
  return { patch: Buffer.from(JSON.stringify(ops)).toString('base64'), patchType: 'JSONPatch' };
}

/**
 * Deepest nesting any review may have: the API server's own JSON limits are far above what
 * objects use, and deeper structures would overflow the stack of code that walks them
 * (structuredClone, controls). Scan refuses manifests nested deeper than 200 levels; the
 * review envelope adds 3.
 */
export const MAX_REVIEW_DEPTH = 203;

/** True when the JSON text nests arrays and objects deeper than `limit` (strings are skipped). */
export function nestsDeeperThan(body: Uint8Array, limit: number): boolean {
  let depth = 0;
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const b = body[i]!;
    if (b === 0x22) {
      // Inside a string only its end and escapes matter: a tighter loop for most of the bytes.
      for (i++; i < n; i++) {
        const c = body[i]!;
        if (c === 0x22) break;
        if (c === 0x5c) i++; // backslash: skip the escaped byte
      }
    } else if (b === 0x7b || b === 0x5b) {
      if (++depth > limit) return true;
    } else if (b === 0x7d || b === 0x5d) depth--;
  }
  return false;
}

/** Finds the uid of a body that is JSON but not a valid review, to answer it anyway when possible. */
export function uidOf(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body.request)) return undefined;
  const uid = body.request.uid;
  return typeof uid === 'string' && uid.length > 0 && uid.length <= 256 ? uid : undefined;
}
