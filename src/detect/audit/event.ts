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

/** Parses an RFC 3339 timestamp keeping its full sub-second precision. */
export function parseTimestamp(s: string): { time: string; rawtime: string } | undefined {
  const m = TS.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[4]}`);
  if (Number.isNaN(ms)) return undefined;
  return new EventTime(Math.floor(ms / 1000), (m[3] ?? '').padEnd(9, '0'));
}

/** An event time whose text forms are made when a rule or an alert asks (most events raise none). */
class EventTime {
  private t?: string;
  private r?: string;
  constructor(
    readonly secs: number,
    readonly frac: string,
  ) {}
  get time(): string {
    return (this.t ??= `${new Date(this.secs * 1000).toISOString().slice(0, 19)}.${this.frac}Z`);
  }
  get rawtime(): string {
    return (this.r ??= (BigInt(this.secs) * 1_000_000_000n + BigInt(this.frac)).toString());
  }
  toJSON() {
    return { time: this.time, rawtime: this.rawtime };
  }
}

/** An audit event whose time strings are computed on first use. */
class ParsedEvent implements AuditEvent {
  constructor(
    readonly raw: Record<string, unknown>,
    private readonly ts: EventTime,
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
      const t = parseTimestamp(v);
      if (t) return new ParsedEvent(raw, t as EventTime);
      return `${key} "${v}" is not an RFC 3339 time`;
    }
  }
  return 'no stageTimestamp, requestReceivedTimestamp or timestamp';
}
