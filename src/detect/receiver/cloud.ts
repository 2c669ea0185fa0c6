import { diagnostic } from '../../core/errors.js';
import { toAuditEvent } from '../audit/event.js';
import type { AuditRecord } from '../audit/reader.js';

/**
 * Managed clusters do not hand out the API server's audit log as audit.k8s.io Events but
 * wrapped in their cloud's logging records. These turn them back into Events:
 *  - GKE (Cloud Audit Logs, a LogEntry whose protoPayload is a google.cloud.audit.AuditLog):
 *    fields are mapped (methodName → verb, resourceName → objectRef, principalEmail → user,
 *    callerIp → sourceIPs, request/response → requestObject/responseObject, the gRPC status
 *    → an HTTP code, LogEntry labels → annotations).
 *  - EKS (CloudWatch Logs, exported or delivered by a subscription): each record's
 *    `message` is an Event as a JSON string; `logEvents` lists of subscription payloads
 *    are expanded.
 *  - AKS (diagnostic settings to a storage account or Event Hub, category kube-audit or
 *    kube-audit-admin): each record's `properties.log` is an Event as a JSON string;
 *    `records` lists are expanded.
 * Anything else — an Event, an EventList, an array — is left to the caller.
 */

export type CloudProvider = 'gke' | 'eks' | 'aks';

/** One audit Event candidate (a plain object: check it with toAuditEvent), or why an item is not one. */
export type AuditCandidate = { event: unknown } | { error: string };

export interface CloudNormalized {
  provider: CloudProvider;
  items: AuditCandidate[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseEmbedded(text: unknown, where: string): AuditCandidate {
  if (typeof text !== 'string') return { error: `${where} is not a string` };
  try {
    const v = JSON.parse(text) as unknown;
    return isObject(v) ? { event: v } : { error: `${where} is not a JSON object` };
  } catch (e) {
    return { error: `${where} is not JSON (${(e as Error).message.slice(0, 120)})` };
  }
}

// google.rpc.Code → HTTP status, as the API server's own mapping of its errors.
const GRPC_TO_HTTP: Record<number, number> = { 0: 200, 1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401 };

/** "core/v1/namespaces/shop/pods/web-1/exec" → objectRef. */
export function objectRefFromResourceName(name: string): Record<string, string> | undefined {
  const parts = name.split('/').filter(Boolean);
  if (parts.length < 3) return undefined;
  const [group, version, ...rest] = parts as [string, string, ...string[]];
  const ref: Record<string, string> = { apiGroup: group === 'core' ? '' : group, apiVersion: group === 'core' ? version : `${group}/${version}` };
  let i = 0;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    ref.namespace = rest[1]!;
    i = 2;
  }
  if (rest[i] === undefined) return undefined;
  ref.resource = rest[i]!;
  if (rest[i + 1] !== undefined) ref.name = rest[i + 1]!;
  if (rest[i + 2] !== undefined) ref.subresource = rest[i + 2]!;
  if (!ref.apiGroup) delete ref.apiGroup;
  return ref;
}

/** "io.k8s.core.v1.pods.exec.create" → "create"; "io.k8s.core.v1.namespaces.list" → "list". */
function verbOf(methodName: string): string | undefined {
  const last = methodName.split('.').at(-1);
  return last || undefined;
}

function fromGke(entry: Record<string, unknown>): AuditCandidate {
  const p = entry.protoPayload as Record<string, unknown>;
  const auth = isObject(p.authenticationInfo) ? p.authenticationInfo : {};
  const meta = isObject(p.requestMetadata) ? p.requestMetadata : {};
  const status = isObject(p.status) ? p.status : {};
  const op = isObject(entry.operation) ? entry.operation : {};
  const labels = isObject(entry.labels) ? entry.labels : {};
  const time = typeof entry.timestamp === 'string' ? entry.timestamp : typeof entry.receiveTimestamp === 'string' ? entry.receiveTimestamp : undefined;
  const auditID = typeof op.id === 'string' ? op.id : typeof entry.insertId === 'string' ? entry.insertId : undefined;
  if (!auditID) return { error: 'GKE log entry without operation.id or insertId' };
  if (!time) return { error: 'GKE log entry without timestamp' };
  const method = typeof p.methodName === 'string' ? p.methodName : '';
  const resourceName = typeof p.resourceName === 'string' ? p.resourceName : '';
  const ref = objectRefFromResourceName(resourceName);
  const code = typeof status.code === 'number' ? GRPC_TO_HTTP[status.code] ?? 500 : 200;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string' && k.includes('.k8s.io/')) annotations[k] = v;
  const event: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: p.request !== undefined || p.response !== undefined ? 'RequestResponse' : 'Metadata',
    auditID,
    stage: 'ResponseComplete',
    requestURI: '/' + resourceName.replace(/^core\//, 'api/').replace(/^(?!api\/)/, 'apis/'),
    verb: verbOf(method),
    user: { username: typeof auth.principalEmail === 'string' ? auth.principalEmail : typeof auth.principalSubject === 'string' ? auth.principalSubject : undefined },
    sourceIPs: typeof meta.callerIp === 'string' ? [meta.callerIp] : [],
    userAgent: typeof meta.callerSuppliedUserAgent === 'string' ? meta.callerSuppliedUserAgent : undefined,
    ...(ref ? { objectRef: ref } : {}),
    responseStatus: { metadata: {}, code, ...(typeof status.message === 'string' && status.message ? { message: status.message } : {}) },
    ...(p.request !== undefined ? { requestObject: p.request } : {}),
    ...(p.response !== undefined ? { responseObject: p.response } : {}),
    requestReceivedTimestamp: time,
    stageTimestamp: time,
    annotations,
  };
  return { event };
}

/** Unwraps a cloud logging record (or a list of them) into audit Events; undefined when `value` is none of the known wrappers. */
export function normalizeCloudRecord(value: unknown): CloudNormalized | undefined {
  if (!isObject(value)) return undefined;
  // GKE: a LogEntry with an AuditLog payload from the Kubernetes API server.
  const proto = value.protoPayload;
  if (isObject(proto) && (String(proto['@type'] ?? '').endsWith('google.cloud.audit.AuditLog') || proto.serviceName === 'k8s.io')) {
    return { provider: 'gke', items: [fromGke(value)] };
  }
  // EKS: a CloudWatch Logs subscription payload, or one exported record.
  if (Array.isArray(value.logEvents)) {
    return { provider: 'eks', items: value.logEvents.map((e, i) => (isObject(e) ? parseEmbedded(e.message, `logEvents[${i}].message`) : { error: `logEvents[${i}] is not an object` })) };
  }
  // One exported record: `message`, or `@message` from a Logs Insights export.
  const key = typeof value.message === 'string' ? 'message' : typeof value['@message'] === 'string' ? '@message' : undefined;
  if (key && value.auditID === undefined && String(value[key]).trimStart().startsWith('{')) {
    return { provider: 'eks', items: [parseEmbedded(value[key], key)] };
  }
  // AKS: diagnostic records, one by one or as a `records` list.
  if (Array.isArray(value.records)) {
    return { provider: 'aks', items: value.records.map((r, i) => (isObject(r) && isObject(r.properties) ? parseEmbedded(r.properties.log, `records[${i}].properties.log`) : { error: `records[${i}] has no properties` })) };
  }
  if (isObject(value.properties) && typeof value.properties.log === 'string') {
    return { provider: 'aks', items: [parseEmbedded(value.properties.log, 'properties.log')] };
  }
  return undefined;
}

/**
 * Every audit Event candidate in one decoded JSON value, for readers: cloud wrappers are
 * unwrapped, an EventList or an array gives its items, anything else is itself. Items that
 * cannot be unwrapped come back as `{ error }`.

 */
export function expandAuditValue(value: unknown): AuditCandidate[] {
  const cloud = normalizeCloudRecord(value);
  if (cloud) return cloud.items;
  if (Array.isArray(value)) return value.flatMap((v) => normalizeCloudRecord(v)?.items ?? [{ event: v }]);
  if (isObject(value) && value.kind === 'EventList') return Array.isArray(value.items) ? value.items.map((event: unknown) => ({ event })) : [{ error: 'EventList without an items list' }];
  return [{ event: value }];
}

/**
 * The reader's records for one decoded JSON value (a line, or a whole document): a drop-in
 * for fromValue() in src/detect/audit/reader.ts that also reads GKE, EKS and AKS exports.
 */
export function* auditRecordsFromValue(value: unknown, file: string, line: number): Generator<AuditRecord> {
  const items = expandAuditValue(value);
  for (let i = 0; i < items.length; i++) {
    const c = items[i]!;
    const ev = 'error' in c ? c.error : toAuditEvent(c.event);
    if (typeof ev !== 'string') {
      yield { event: ev, line };
      continue;
    }
    const many = items.length > 1 || (typeof value === 'object' && value !== null && (Array.isArray(value) || (value as { kind?: unknown }).kind === 'EventList'));
    yield { diagnostic: diagnostic('PALISADE_DETECT_BAD_EVENT', { line, detail: many ? `items[${i}]: ${ev}` : ev }, { file, line, ...(many ? { field: `items[${i}]` } : {}) }) };
  }
}
