/**
 * Behavioural baselines per identity (user or service account): which verbs, resources,
 * namespaces, source IPs and user agents it uses, and how many requests it makes per
 * active minute. After a learning period (event time), a never-seen value is scored with
 * the Good–Turing probability of a new value for that identity and dimension, and a
 * minute's request count with Cantelli's bound against the learned mean and variance.
 * Alerts below `threshold` probability explain what was unusual and what was usual.
 * See docs/detection.md and stats.ts for the method.
 *
 * Bounded: at most `maxIdentities` identities (least recently seen evicted) and
 * `maxValues` values per dimension; a dimension that overflows is marked saturated and no
 * longer judged (an identity that uses that many values has no "usual" value).
 */
import { hostname as osHostname } from 'node:os';
import { classifyTags, falcoOutput } from '../audit/alerts.js';
import type { AuditEvent } from '../audit/event.js';
import { countsAsRequest, describeIdentity, type EventFacts } from '../correlate/entity.js';
import { describeDuration } from '../correlate/duration.js';
import type { DetectionRecord } from '../correlate/record.js';
import type { Priority } from '../rules-lang/priority.js';
import { cantelliTail, cantelliThreshold, newValueProbability, welford, welfordAdd, welfordVariance, type Welford } from './stats.js';

export const DIMENSIONS = ['verb', 'resource', 'namespace', 'sourceIP', 'userAgent'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const DEFAULT_THRESHOLD = 0.01;
export const DEFAULT_MAX_IDENTITIES = 50_000;
export const DEFAULT_MAX_VALUES = 100;
/** Active minutes of history before rates are judged: fewer make the variance meaningless. */
export const MIN_RATE_MINUTES = 30;
/** Bursts smaller than this many requests in a minute are never reported. */
export const MIN_BURST = 20;

const RULE: Record<Dimension | 'rate', string> = {
  verb: 'Anomalous verb for identity',
  resource: 'Anomalous resource for identity',
  namespace: 'Anomalous namespace for identity',
  sourceIP: 'Anomalous source IP for identity',
  userAgent: 'Anomalous user agent for identity',
  rate: 'Anomalous request rate for identity',
};
export const ANOMALY_RULES: readonly string[] = Object.values(RULE);

const PLURAL: Record<Dimension, string> = { verb: 'verbs', resource: 'resources', namespace: 'namespaces', sourceIP: 'source IPs', userAgent: 'user agents' };
const PAST: Record<string, string> = { get: 'read', list: 'listed', watch: 'watched', create: 'created', update: 'updated', patch: 'patched', delete: 'deleted', deletecollection: 'deleted all' };

interface DimensionState {
  values: Map<string, number>;
  total: number;
  saturated: boolean;
}

interface Profile {
  firstSeen: number;
  lastSeen: number;
  events: number;
  dims: Record<Dimension, DimensionState>;
  rate: Welford;
  minute: number;
  minuteCount: number;
  minuteAlerted: boolean;
}

export interface BaselineOptions {
  /** Probability at or below which an observation is reported (novelty and rate). */
  threshold?: number;
  /** Learn for this long from the first event seen (event time), then detect. */
  learnForMs?: number;
  /** Learn from every event and never report (a first run without a baseline). */
  learnOnly?: boolean;
  maxIdentities?: number;
  maxValues?: number;
  hostname?: string;
}

/**
 * The user agent's product token ("kubectl/v1.30.1 (linux/amd64) …" → "kubectl"): a
 * client upgrade is not an anomaly, a different client is.
 */
export function userAgentProduct(ua: string): string {
  const first = ua.split(' ')[0]!;
  const slash = first.indexOf('/');
  return (slash > 0 ? first.slice(0, slash) : first).slice(0, 128);
}

function valueOf(f: EventFacts, d: Dimension): string | undefined {
  switch (d) {
    case 'verb':
      return f.verb;
    case 'resource':
      return f.resource ? (f.subresource ? `${f.resource}/${f.subresource}` : f.resource) : undefined;
    case 'namespace':
      return f.namespace;
    case 'sourceIP':
      return f.sourceIP;
    case 'userAgent':
      return f.userAgent ? userAgentProduct(f.userAgent) : undefined;
  }
}

function newProfile(at: number): Profile {
  const dims = {} as Record<Dimension, DimensionState>;
  for (const d of DIMENSIONS) dims[d] = { values: new Map(), total: 0, saturated: false };
  return { firstSeen: at, lastSeen: at, events: 0, dims, rate: welford(), minute: Math.floor(at / 60_000), minuteCount: 0, minuteAlerted: false };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function pct(p: number): string {
  return p >= 0.01 ? `${(p * 100).toFixed(1)}%` : `${(p * 100).toPrecision(2)}%`;
}

/** What the event did, in words: "listed secrets in namespace payments". */
function action(f: EventFacts): string {
  const verb = PAST[f.verb ?? ''] ?? `${f.verb ?? 'called'}`;
  const res = f.resource ? (f.subresource ? `${f.resource}/${f.subresource}` : f.resource) : 'a non-resource URL';
  const what = f.name && f.verb !== 'list' ? `${res} ${f.name}` : res;
  return `${verb} ${what}${f.namespace ? ` in namespace ${f.namespace}` : ''}`;
}

/** MITRE tags an anomalous request earns from what it touched, so correlation can use it. */
function tagsFor(d: Dimension | 'rate', f: EventFacts): string[] {
  const tags = ['k8s', 'palisade_anomaly'];
  if (d === 'sourceIP' || d === 'userAgent') tags.push('T1078', 'mitre_initial_access');
  if (f.resource === 'secrets' && f.verb && ['get', 'list', 'watch'].includes(f.verb)) tags.push('T1552.007', 'mitre_credential_access');
  else if (f.resource === 'pods' && (f.subresource === 'exec' || f.subresource === 'attach')) tags.push('T1609', 'mitre_execution');
  else if (f.verb === 'list' || f.verb === 'watch') tags.push('T1613', 'mitre_discovery');
  return tags;
}

export class Baseline {
  private readonly profiles = new Map<string, Profile>();
  readonly threshold: number;
  private readonly maxIdentities: number;
  private readonly maxValues: number;
  private readonly hostname: string;
  private learnUntil: number;
  private readonly learnForMs?: number;
  /** Event time span this baseline has learned from, for the file and explanations. */
  learnedFrom?: number;
  learnedUntil?: number;
  evicted = 0;
  anomalies = 0;

  constructor(opts: BaselineOptions = {}) {
    this.threshold = opts.threshold ?? DEFAULT_THRESHOLD;
    this.maxIdentities = opts.maxIdentities ?? DEFAULT_MAX_IDENTITIES;
    this.maxValues = opts.maxValues ?? DEFAULT_MAX_VALUES;
    this.hostname = opts.hostname ?? osHostname();
    this.learnForMs = opts.learnForMs;
    this.learnUntil = opts.learnOnly ? Infinity : -Infinity;
  }

  get identities(): number {
    return this.profiles.size;
  }

  /** From now on, events only teach the baseline (a first run without a baseline file). */
  learnWithoutDetecting(): void {
    this.learnUntil = Infinity;
  }

  /** True while events only teach the baseline. */
  learning(atMs: number): boolean {
    if (this.learnForMs !== undefined && this.learnUntil === -Infinity) this.learnUntil = atMs + this.learnForMs;
    return atMs < this.learnUntil;
  }

  /** Learns from one event and, past the learning period, returns the anomalies it shows. */
  observe(event: AuditEvent, f: EventFacts): DetectionRecord[] {
    if (!f.user || !countsAsRequest(f)) return [];
    const detect = !this.learning(f.atMs);
    const p = this.profile(f.user, f.atMs);
    const out: DetectionRecord[] = [];
    if (detect) {
      for (const d of DIMENSIONS) {
        const a = this.novelty(event, f, f.user, p, d);
        if (a) out.push(a);
      }
    }
    this.learn(p, f);
    if (detect) {
      const r = this.rate(event, f, f.user, p);
      if (r) out.push(r);
    }
    this.anomalies += out.length;
    return out;
  }

  /** Learns without judging (--baseline-learn inputs). */
  learnOnly(f: EventFacts): void {
    if (!f.user || !countsAsRequest(f)) return;
    this.learn(this.profile(f.user, f.atMs), f);
  }

  private profile(user: string, at: number): Profile {
    let p = this.profiles.get(user);
    if (p) this.profiles.delete(user);
    else {
      p = newProfile(at);
      while (this.profiles.size >= this.maxIdentities) {
        this.profiles.delete(this.profiles.keys().next().value as string);
        this.evicted++;
      }
    }
    this.profiles.set(user, p);
    return p;
  }

  private learn(p: Profile, f: EventFacts): void {
    const at = f.atMs;
    this.learnedFrom = Math.min(this.learnedFrom ?? at, at);
    this.learnedUntil = Math.max(this.learnedUntil ?? at, at);
    p.firstSeen = Math.min(p.firstSeen, at);
    p.lastSeen = Math.max(p.lastSeen, at);
    p.events++;
    for (const d of DIMENSIONS) {
      const v = valueOf(f, d);
      if (v === undefined) continue;
      const s = p.dims[d];
      s.total++;
      const c = s.values.get(v);
      if (c !== undefined) s.values.set(v, c + 1);
      else if (s.values.size < this.maxValues) s.values.set(v, 1);
      else s.saturated = true;
    }
    const minute = Math.floor(at / 60_000);
    if (minute > p.minute) {
      // Minutes that were reported as bursts stay out of the model, so an attack does not
      // teach the baseline that bursts are normal.
      if (p.minuteCount > 0 && !p.minuteAlerted) welfordAdd(p.rate, p.minuteCount);
      p.minute = minute;
      p.minuteCount = 0;
      p.minuteAlerted = false;
    }
    p.minuteCount++;
  }

  private novelty(event: AuditEvent, f: EventFacts, user: string, p: Profile, d: Dimension): DetectionRecord | undefined {
    const v = valueOf(f, d);
    const s = p.dims[d];
    if (v === undefined || s.saturated || s.values.has(v) || s.total === 0) return undefined;
    let singletons = 0;
    for (const c of s.values.values()) if (c === 1) singletons++;
    const prob = newValueProbability(s.total, singletons);
    if (prob > this.threshold) return undefined;
    const usual = [...s.values.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const shown = usual.slice(0, 8).map(([k]) => k).join(', ') + (usual.length > 8 ? `, … (${usual.length - 8} more)` : '');
    const who = describeIdentity(user);
    const span = describeDuration(Math.max(1000, p.lastSeen - p.firstSeen));
    const seen = d === 'namespace' || d === 'verb' || d === 'resource' ? '' : ` from ${d === 'sourceIP' ? 'source IP' : 'user agent'} ${v}`;
    const novel = d === 'namespace' || d === 'verb' || d === 'resource' ? ` (${d} ${v} is new)` : '';
    const explanation = `${who} ${action(f)}${seen}${novel}; in ${span} of history ${user} used ${PLURAL[d]}: ${shown} (${usual.length} value${usual.length === 1 ? '' : 's'}, ${fmt(s.total)} events); estimated probability of a new ${d === 'sourceIP' ? 'source IP' : d === 'userAgent' ? 'user agent' : d}: ${pct(prob)}`;
    return this.record(event, f, d, v, prob, explanation, prob <= this.threshold / 10 ? 'Warning' : 'Notice');
  }

  private rate(event: AuditEvent, f: EventFacts, user: string, p: Profile): DetectionRecord | undefined {
    if (p.minuteAlerted || p.rate.n < MIN_RATE_MINUTES || p.minuteCount < MIN_BURST) return undefined;
    const mean = p.rate.mean;
    // Counts are at least as variable as a Poisson process of the same mean.
    const sd = Math.sqrt(Math.max(welfordVariance(p.rate), mean, 1));
    const limit = Math.ceil(cantelliThreshold(this.threshold, mean, sd));
    if (p.minuteCount < limit) return undefined;
    p.minuteAlerted = true;
    const prob = cantelliTail(p.minuteCount, mean, sd);
    const minuteStart = new Date(p.minute * 60_000).toISOString().slice(11, 16);
    const explanation = `${describeIdentity(user)} made ${p.minuteCount} requests in the minute from ${minuteStart} UTC (latest: ${action(f)}); in ${p.rate.n} active minutes of history its rate was ${mean.toFixed(1)} ± ${sd.toFixed(1)} per minute, so ${limit} or more has probability ≤ ${pct(this.threshold)} (Cantelli bound: ${pct(prob)})`;
    return this.record(event, f, 'rate', String(p.minuteCount), prob, explanation, 'Warning');
  }

  private record(event: AuditEvent, f: EventFacts, d: Dimension | 'rate', value: string, probability: number, explanation: string, priority: Priority): DetectionRecord {
    const tags = tagsFor(d, f);
    return {
      time: event.time,
      rule: RULE[d],
      priority,
      output: falcoOutput(event.time, priority, explanation),
      output_fields: {
        'ka.user.name': f.user ?? null,
        'ka.verb': f.verb ?? null,
        'ka.target.resource': f.resource ?? null,
        'ka.target.namespace': f.namespace ?? null,
        'ka.target.name': f.name ?? null,
        'ka.sourceips': f.sourceIP ?? null,
        'ka.useragent': f.userAgent ?? null,
        'ka.auditid': f.auditID ?? null,
      },
      source: 'k8s_audit',
      tags,
      hostname: this.hostname,
      palisade: { ...classifyTags(tags), incident: null, anomaly: { kind: d, value, probability: Number(probability.toPrecision(4)), explanation } },
    };
  }

  /** The persisted form (docs/detection.md describes it), including the minute in progress. */
  toJSON(): BaselineFile {
    const identities: BaselineFile['identities'] = {};
    for (const [user, p] of this.profiles) {
      const dims = {} as BaselineFile['identities'][string]['dims'];
      for (const d of DIMENSIONS) dims[d] = { values: Object.fromEntries(p.dims[d].values), total: p.dims[d].total, saturated: p.dims[d].saturated };
      identities[user] = { firstSeen: new Date(p.firstSeen).toISOString(), lastSeen: new Date(p.lastSeen).toISOString(), events: p.events, dims, rate: { ...p.rate, minute: p.minute, minuteCount: p.minuteCount } };
    }
    return {
      kind: 'PalisadeBaseline',
      version: 1,
      learnedFrom: this.learnedFrom === undefined ? null : new Date(this.learnedFrom).toISOString(),
      learnedUntil: this.learnedUntil === undefined ? null : new Date(this.learnedUntil).toISOString(),
      caps: { identities: this.maxIdentities, valuesPerDimension: this.maxValues },
      identities,
    };
  }

  /** Restores a saved baseline; throws an Error naming the first bad field. */
  load(data: unknown): void {
    const bad = (field: string, expected: string): never => {
      throw new Error(`${field}: expected ${expected}`);
    };
    if (typeof data !== 'object' || data === null) bad('(top level)', 'an object');
    const file = data as Record<string, unknown>;
    if (file.kind !== 'PalisadeBaseline') bad('kind', 'PalisadeBaseline');
    if (file.version !== 1) bad('version', '1');
    const ids = file.identities;
    if (typeof ids !== 'object' || ids === null || Array.isArray(ids)) bad('identities', 'an object');
    const time = (v: unknown, field: string): number => {
      const t = typeof v === 'string' ? Date.parse(v) : NaN;
      return Number.isNaN(t) ? bad(field, 'an RFC 3339 time') : t;
    };
    const num = (v: unknown, field: string): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : bad(field, 'a number ≥ 0'));
    if (file.learnedFrom) this.learnedFrom = time(file.learnedFrom, 'learnedFrom');
    if (file.learnedUntil) this.learnedUntil = time(file.learnedUntil, 'learnedUntil');
    // --learn-for counts from the first event this baseline ever learned, so a restarted
    // `audit serve` goes on with its learning period instead of starting it over.
    if (this.learnForMs !== undefined && this.learnedFrom !== undefined && this.learnUntil === -Infinity) this.learnUntil = this.learnedFrom + this.learnForMs;
    for (const [user, raw] of Object.entries(ids as Record<string, unknown>)) {
      const at = `identities["${user}"]`;
      if (typeof raw !== 'object' || raw === null) bad(at, 'an object');
      const r = raw as Record<string, unknown>;
      const p = newProfile(time(r.firstSeen, `${at}.firstSeen`));
      p.lastSeen = time(r.lastSeen, `${at}.lastSeen`);
      p.events = num(r.events, `${at}.events`);
      const dims = (r.dims ?? {}) as Record<string, unknown>;
      for (const d of DIMENSIONS) {
        const ds = dims[d] as { values?: unknown; total?: unknown; saturated?: unknown } | undefined;
        if (!ds) continue;
        if (typeof ds.values !== 'object' || ds.values === null) bad(`${at}.dims.${d}.values`, 'an object of counts');
        const s = p.dims[d];
        for (const [v, c] of Object.entries(ds.values as Record<string, unknown>)) {
          if (s.values.size >= this.maxValues) {
            s.saturated = true;
            break;
          }
          s.values.set(v, num(c, `${at}.dims.${d}.values["${v}"]`));
        }
        s.total = num(ds.total, `${at}.dims.${d}.total`);
        s.saturated ||= ds.saturated === true;
      }
      const rate = (r.rate ?? {}) as Record<string, unknown>;
      p.rate = { n: num(rate.n ?? 0, `${at}.rate.n`), mean: num(rate.mean ?? 0, `${at}.rate.mean`), m2: num(rate.m2 ?? 0, `${at}.rate.m2`) };
      p.minute = rate.minute === undefined ? Math.floor(p.lastSeen / 60_000) : num(rate.minute, `${at}.rate.minute`);
      p.minuteCount = num(rate.minuteCount ?? 0, `${at}.rate.minuteCount`);
      if (this.profiles.size >= this.maxIdentities) {
        this.evicted++;
        continue;
      }
      this.profiles.set(user, p);
    }
  }
}

export interface BaselineFile {
  kind: 'PalisadeBaseline';
  version: 1;
  learnedFrom: string | null;
  learnedUntil: string | null;
  caps: { identities: number; valuesPerDimension: number };
  identities: Record<
    string,
    {
      firstSeen: string;
      lastSeen: string;
      events: number;
      dims: Record<Dimension, { values: Record<string, number>; total: number; saturated: boolean }>;
      /** Welford state of per-active-minute counts, and the minute in progress (minutes since the epoch). */
      rate: Welford & { minute: number; minuteCount: number };
    }
  >;
}
