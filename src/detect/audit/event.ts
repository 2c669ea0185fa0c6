/**
 * A Kubernetes audit event (audit.k8s.io/v1 or v1beta1 Event) as the rules see it: the
 * raw JSON object, kept as it was read, plus its time in the two forms outputs need.
 */
export interface AuditEvent {
  raw: Record<string, unknown>;
  /** RFC 3339 with nanoseconds, UTC: "2026-01-02T03:04:05.123456000Z". */
  time: string;
  /** Nanoseconds since the epoch, as a decimal string (exceeds 2^53). */
  rawtime: string;
}

const TS = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** The last whole-second prefix parsed ("2026-01-02T03:04:05") and its seconds: logs are in time order. */
let lastPrefix = '';
let lastSecs = 0;

const digit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * The common form "YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z" without regex or Date.parse (most events
 * share the second of the one before); undefined for anything else, which the regex path reads.
 */
function fastTime(s: string): EventTime | undefined {
  const n = s.length;
  if (n < 20 || n > 30 || s.charCodeAt(n - 1) !== 90 /* Z */ || s.charCodeAt(19) !== (n === 20 ? 90 : 46 /* . */)) return undefined;
  let nanos = 0;
  if (n === 21) return undefined; // "." without digits
  for (let i = 20; i < n - 1; i++) {
    const c = s.charCodeAt(i);
    if (!digit(c)) return undefined;
    nanos = nanos * 10 + (c - 48);
  }
  for (let i = Math.max(0, n - 21); i < 9; i++) nanos *= 10;
  if (lastPrefix !== '' && s.startsWith(lastPrefix)) return new EventTime(lastSecs, nanos);
  const ms = Date.parse(`${s.slice(0, 19)}Z`);
  if (Number.isNaN(ms) || !TS.test(`${s.slice(0, 19)}Z`)) return undefined;
  lastPrefix = s.slice(0, 19);
  lastSecs = Math.floor(ms / 1000);
  return new EventTime(lastSecs, nanos);
}

function parseTime(s: string): EventTime | undefined {
  const fast = fastTime(s);
  if (fast) return fast;
  const m = TS.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[4]}`);
  if (Number.isNaN(ms)) return undefined;
  return new EventTime(Math.floor(ms / 1000), Number((m[3] ?? '').padEnd(9, '0')));
}

/** Parses an RFC 3339 timestamp keeping its full sub-second precision. */
export function parseTimestamp(s: string): { time: string; rawtime: string } | undefined {
  return parseTime(s);
}

/** An event time whose text forms are made when a rule or an alert asks (most events raise none). */
class EventTime {
  private t?: string;
  private r?: string;
  constructor(
    readonly secs: number,
    /** 0 … 999,999,999: a small integer, unlike nanoseconds since the epoch. */
    readonly nanos: number,
  ) {}
  get time(): string {
    return (this.t ??= `${new Date(this.secs * 1000).toISOString().slice(0, 19)}.${String(this.nanos).padStart(9, '0')}Z`);
  }
  get rawtime(): string {
    return (this.r ??= (BigInt(this.secs) * 1_000_000_000n + BigInt(this.nanos)).toString());
  }
  get ms(): number {
    return this.secs * 1000 + Math.floor(this.nanos / 1_000_000);
  }
  toJSON() {
    return { time: this.time, rawtime: this.rawtime };
  }
}

/** An audit event whose time strings are computed on first use. */
class ParsedEvent implements AuditEvent {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly ts: EventTime,
  ) {}
  get time(): string {
    return this.ts.time;
  }
  get rawtime(): string {
    return this.ts.rawtime;
  }
  toJSON() {
    return { raw: this.raw, time: this.time, rawtime: this.rawtime };
  }
}

/** The event time in milliseconds since the epoch (without BigInt for events read here). */
export function eventMillis(e: AuditEvent): number {
  return e instanceof ParsedEvent && e.ts.secs >= 0 ? e.ts.ms : Number(BigInt(e.rawtime) / 1_000_000n);
}

export const AUDIT_API_VERSIONS: readonly string[] = ['audit.k8s.io/v1', 'audit.k8s.io/v1beta1'];

/**
 * Checks and normalizes one decoded JSON value. v1beta1 differs from v1 for rules only in
 * its extra `timestamp` (v1 has stageTimestamp/requestReceivedTimestamp only), so the
 * event time is stageTimestamp, then requestReceivedTimestamp, then timestamp.
 * Returns a reason string when the value is not an audit event.
 */
export function toAuditEvent(value: unknown): AuditEvent | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const raw = value as Record<string, unknown>;
  const api = raw.apiVersion;
  if (api !== undefined && !AUDIT_API_VERSIONS.includes(String(api))) return `apiVersion ${String(api)} is not ${AUDIT_API_VERSIONS.join(' or ')}`;
  if (raw.kind !== undefined && raw.kind !== 'Event') return `kind ${String(raw.kind)} is not Event`;
  // The k8saudit plugin ignores JSON without auditID; so do we, but say so.
  if (typeof raw.auditID !== 'string') return 'no auditID: not an audit Event';
  for (const key of ['stageTimestamp', 'requestReceivedTimestamp', 'timestamp']) {
    const v = raw[key];
    if (typeof v === 'string') {
      const t = parseTime(v);
      if (t) return new ParsedEvent(raw, t);
      return `${key} "${v}" is not an RFC 3339 time`;
    }
  }
  return 'no stageTimestamp, requestReceivedTimestamp or timestamp';
}
