/**
 * The entities an audit event is about: who acted (the authenticated user or service
 * account), whom they impersonated, and the pod an exec/attach/port-forward reached.
 * Correlation keys its state by these; baselines learn per actor identity.
 */
import { eventMillis, type AuditEvent } from '../audit/event.js';

export const ENTITY_KINDS = ['user', 'impersonated', 'pod'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export interface Entity {
  kind: EntityKind;
  /** The user name, or "namespace/pod". */
  id: string;
}

const POD_ENTRY = new Set(['exec', 'attach', 'portforward']);

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function strOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The fields of an event correlation and baselines read, extracted once. */
export interface EventFacts {
  user?: string;
  impersonated?: string;
  verb?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  sourceIP?: string;
  userAgent?: string;
  stage?: string;
  code?: number;
  auditID?: string;
  /** Event time in milliseconds since the epoch. */
  atMs: number;
}

export function eventFacts(e: AuditEvent): EventFacts {
  const raw = e.raw;
  const ref = obj(raw.objectRef) ?? {};
  const ips = Array.isArray(raw.sourceIPs) ? raw.sourceIPs : [];
  const status = obj(raw.responseStatus);
  return {
    user: strOf(obj(raw.user)?.username),
    impersonated: strOf(obj(raw.impersonatedUser)?.username),
    verb: strOf(raw.verb),
    resource: strOf(ref.resource),
    subresource: strOf(ref.subresource),
    namespace: strOf(ref.namespace),
    name: strOf(ref.name),
    sourceIP: strOf(ips[0]),
    userAgent: strOf(raw.userAgent),
    stage: strOf(raw.stage),
    code: typeof status?.code === 'number' ? status.code : undefined,
    auditID: strOf(raw.auditID),
    atMs: eventMillis(e),
  };
}

export function entitiesOf(f: EventFacts): Entity[] {
  const out: Entity[] = [];
  if (f.user) out.push({ kind: 'user', id: f.user });
  if (f.impersonated) out.push({ kind: 'impersonated', id: f.impersonated });
  if (f.resource === 'pods' && f.subresource && POD_ENTRY.has(f.subresource) && f.name) out.push({ kind: 'pod', id: `${f.namespace ?? ''}/${f.name}` });
  return out;
}

const SA = /^system:serviceaccount:([^:]+):(.+)$/;

/** "service account payments/api", "user alice": how explanations name an identity. */
export function describeIdentity(user: string): string {
  const m = SA.exec(user);
  return m ? `service account ${m[1]}/${m[2]}` : `user ${user}`;
}

/**
 * The audit log records a request at several stages; count it once. RequestReceived
 * precedes ResponseStarted/ResponseComplete of the same request, so it is skipped.
 */
export function countsAsRequest(f: EventFacts): boolean {
  return f.stage !== 'RequestReceived';
}
