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

const REQUEST = Buffer.from('request');
const OBJECT = Buffer.from('object');
const OLD_OBJECT = Buffer.from('oldObject');
const METADATA = Buffer.from('metadata');
const MANAGED_FIELDS = Buffer.from('managedFields');

/** Whether the key between body[from] and body[to] (quotes excluded) is `name`, byte for byte (an escaped key never is). */
function keyIs(body: Uint8Array, from: number, to: number, name: Uint8Array): boolean {
  if (to - from !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (body[from + k] !== name[k]) return false;
  return true;
}

/**
 * The text of a review body to parse, or undefined when it nests arrays and objects deeper
 * than `limit` (nestsDeeperThan, in the same pass). The `managedFields` of
 * `request.object.metadata` and `request.oldObject.metadata` are left out, as the live-cluster
 * scan leaves them out (src/sources/cluster/objects.ts): no control reads them, and they are
 * a tenth of a review's bytes and many small objects to build. What is left out is not
 * parsed, so it is not checked either: the API server sends what it stored.
 *
 * The scan follows the path review → request → object | oldObject → metadata by its keys
 * (only unescaped keys match), and cuts the managedFields member with its comma.
 */
export function reviewText(body: Buffer, limit: number): string | undefined {
  const n = body.length;
  let depth = 0;
  /** Bit d: the container open at depth d is an object (depths up to 30; keys deeper are not looked at). */
  let objects = 0;
  /** Containers 1..onPath are the review, request, object or oldObject, and metadata. */
  let onPath = 0;
  /** The last key read at depth onPath names the next step of the path. */
  let keyOk = false;
  let expectKey = false;
  /** Index of the last '{' or ',' of the metadata object on the path. */
  let lastSep = -1;
  let cutFrom = -1;
  let cutFirst = false;
  let cuts: number[] | undefined;
  for (let i = 0; i < n; i++) {
    const b = body[i]!;
    if (b === 0x22) {
      const start = i;
      // Inside a string only its end and escapes matter: a tighter loop for most of the bytes.
      for (i++; i < n; i++) {
        const c = body[i]!;
        if (c === 0x22) break;
        if (c === 0x5c) i++; // backslash: skip the escaped byte
      }
      if (expectKey && depth === onPath) {
        if (depth === 1) keyOk = keyIs(body, start + 1, i, REQUEST);
        else if (depth === 2) keyOk = keyIs(body, start + 1, i, OBJECT) || keyIs(body, start + 1, i, OLD_OBJECT);
        else if (depth === 3) keyOk = keyIs(body, start + 1, i, METADATA);
        else if (depth === 4 && keyIs(body, start + 1, i, MANAGED_FIELDS)) {
          cutFirst = body[lastSep] === 0x7b;
          cutFrom = cutFirst ? start : lastSep;
        }
      }
      expectKey = false;
    } else if (b === 0x7b || b === 0x5b) {
      if (++depth > limit) return undefined;
      if (b === 0x7b) {
        if (depth <= 30) objects |= 1 << depth;
        if (depth === onPath + 1 && (depth === 1 || keyOk)) {
          onPath = depth;
          if (depth === 4) lastSep = i;
        }
        expectKey = true;
      } else {
        if (depth <= 30) objects &= ~(1 << depth);
        expectKey = false;
      }
      keyOk = false;
    } else if (b === 0x7d || b === 0x5d) {
      if (depth === 4 && onPath === 4 && cutFrom >= 0) {
        (cuts ??= []).push(cutFrom, i);
        cutFrom = -1;
      }
      if (onPath === depth) onPath--;
      depth--;
      keyOk = false;
      expectKey = false;
    } else if (b === 0x2c) {
      if (depth === 4 && onPath === 4) {
        if (cutFrom >= 0) {
          // The first member goes with the comma after it; any other with the comma before it.
          (cuts ??= []).push(cutFrom, cutFirst ? i + 1 : i);
          cutFrom = -1;
          if (cutFirst) {
            // What follows is now the first member.
            expectKey = true;
            keyOk = false;
            continue;
          }
        }
        lastSep = i;
      }
      keyOk = false;
      expectKey = depth <= 30 && (objects & (1 << depth)) !== 0;
    }
  }
  if (!cuts) return body.toString('utf8');
  let text = '';
  let from = 0;
  for (let k = 0; k < cuts.length; k += 2) {
    text += body.toString('utf8', from, cuts[k]);
    from = cuts[k + 1]!;
  }
  return text + body.toString('utf8', from);
}

/** Finds the uid of a body that is JSON but not a valid review, to answer it anyway when possible. */
export function uidOf(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body.request)) return undefined;
  const uid = body.request.uid;
  return typeof uid === 'string' && uid.length > 0 && uid.length <= 256 ? uid : undefined;
}
