/**
 * Stateful correlation: per (sequence, entity), the chains of ordered stages reached
 * within the sequence's window. For every k (stages reached) and last stage s only the
 * chain with the latest start matters — it is the one that stays inside the window
 * longest and any extension of another (k, s) chain extends it too — so the state is a
 * stages × stages table, updated in O(stages²) per matching event. One event advances a
 * chain by at most one stage. When a chain reaches `min_stages` an incident is emitted;
 * later matches of the same entity inside the window join it (their alerts carry its id)
 * instead of opening a second incident.
 *
 * Memory is bounded: states live in a Map used as an LRU (least recently touched first),
 * capped at `maxEntities`; states idle for longer than their window are swept.
 */
import { createHash } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { classifyTags, falcoOutput } from '../audit/alerts.js';
import type { AuditEvent } from '../audit/event.js';
import { describeDuration } from './duration.js';
import { countsAsRequest, entitiesOf, type EntityKind, type EventFacts } from './entity.js';
import type { DetectionRecord, TimelineEntry } from './record.js';
import type { EventMatch, Sequence, Stage } from './sequences.js';

export const DEFAULT_MAX_ENTITIES = 100_000;
/** Entries kept on an incident's timeline after it was emitted. */
const MAX_TIMELINE = 200;
/** Pods remembered as privileged (created with privileged containers or host namespaces). */
const MAX_PRIVILEGED_PODS = 100_000;

/** One matching event: `n` orders events and ties a chain entry to its buffered twin. */
interface Step {
  n: number;
  entry: TimelineEntry;
}

interface Chain {
  start: number;
  entries: Step[];
}

/** Matching events remembered per state for the incident's timeline. */
const MAX_RECENT = 32;

interface OpenIncident {
  id: string;
  lastAt: number;
  timeline: TimelineEntry[];
}

interface State {
  seq: Sequence;
  entity: { kind: EntityKind; id: string };
  /** chains[k-1][s]: the latest-starting chain of k stages ending at stage s. */
  chains: (Chain | undefined)[][];
  /** Every matching event in the window (the chain is the minimal proof; this is the story). */
  recent: Step[];
  lastAt: number;
  incident?: OpenIncident;
}

export interface CorrelatorOptions {
  maxEntities?: number;
  hostname?: string;
}

function nul(v: string | undefined): string | null {
  return v ?? null;
}

export class Correlator {
  private readonly states = new Map<string, State>();
  private readonly privilegedPods = new Map<string, true>();
  /** verb → resource → whether any stage matches such events; "" for absent. */
  private readonly stageIndex = new Map<string, Map<string, boolean>>();
  private stageIndexSize = 0;
  readonly maxEntities: number;
  private readonly hostname: string;
  private readonly maxWindow: number;
  private observed = 0;
  /** States dropped at the cap (not by expiry): a sign the cap is too low for the input. */
  evicted = 0;
  incidents = 0;

  constructor(
    readonly sequences: readonly Sequence[],
    opts: CorrelatorOptions = {},
  ) {
    this.maxEntities = Math.max(1, opts.maxEntities ?? DEFAULT_MAX_ENTITIES);
    this.hostname = opts.hostname ?? osHostname();
    this.maxWindow = Math.max(0, ...sequences.map((s) => s.windowMs));
  }

  get size(): number {
    return this.states.size;
  }

  /**
   * Feeds one event and the alerts it raised (rule and anomaly alerts). Sets
   * `palisade.incident` on alerts that belong to an incident and returns the incidents
   * this event completed.
   */
  observe(event: AuditEvent, facts: EventFacts, alerts: readonly DetectionRecord[]): DetectionRecord[] {
    this.trackPods(event, facts);
    if (!countsAsRequest(facts) && alerts.length === 0) return [];
    const now = facts.atMs;
    if (++this.observed % 4096 === 0) this.sweep(now);
    // Most events raise no alert and no stage asks for their verb and resource.
    if (alerts.length === 0 && !this.eventStageFor(facts.verb, facts.resource)) return [];
    const out: DetectionRecord[] = [];
    const entities = entitiesOf(facts);
    for (const seq of this.sequences) {
      if (!seq.enabled) continue;
      const entity = entities.find((e) => e.kind === seq.entity);
      if (!entity) continue;
      const matched: { stage: number; rules: DetectionRecord[] }[] = [];
      seq.stages.forEach((st, i) => {
        const rules = alerts.filter((a) => this.alertMatches(st, a));
        if (rules.length || (countsAsRequest(facts) && this.eventMatches(st, facts))) matched.push({ stage: i, rules });
      });
      if (!matched.length) continue;
      const incident = this.advance(seq, entity, event, facts, matched);
      if (incident) out.push(incident);
    }
    return out;
  }

  /** Whether a stage of an enabled sequence matches some events with this verb and resource (cached). */
  private eventStageFor(verb: string | undefined, resource: string | undefined): boolean {
    const v = verb ?? '';
    const r = resource ?? '';
    let byResource = this.stageIndex.get(v);
    const known = byResource?.get(r);
    if (known !== undefined) return known;
    const any = this.sequences.some((seq) => seq.enabled && seq.stages.some((st) => st.events.some((m) => (!m.verbs || (verb !== undefined && m.verbs.has(verb))) && (!m.resources || (resource !== undefined && m.resources.has(resource))))));
    // Verbs and resources come from the events: bound the cache.
    if (this.stageIndexSize >= 4096) {
      this.stageIndex.clear();
      this.stageIndexSize = 0;
      byResource = undefined;
    }
    if (!byResource) this.stageIndex.set(v, (byResource = new Map()));
    byResource.set(r, any);
    this.stageIndexSize++;
    return any;
  }

  private alertMatches(st: Stage, a: DetectionRecord): boolean {
    if (a.palisade.timeline) return false; // incidents do not feed incidents
    if (st.rules.has(a.rule)) return true;
    for (const t of a.tags) if (st.tags.has(t)) return true;
    return false;
  }

  private eventMatches(st: Stage, f: EventFacts): boolean {
    return st.events.some((m) => this.eventMatchesOne(m, f));
  }

  private eventMatchesOne(m: EventMatch, f: EventFacts): boolean {
    if (m.verbs && !(f.verb && m.verbs.has(f.verb))) return false;
    if (m.resources && !(f.resource && m.resources.has(f.resource))) return false;
    if (m.subresources && !m.subresources.has(f.subresource ?? '')) return false;
    if (m.outcome !== 'any') {
      const code = f.code ?? 200;
      const denied = code === 401 || code === 403;
      if (m.outcome === 'allowed' ? code >= 400 : !denied) return false;
    }
    if (m.privilegedTarget && !this.privilegedPods.has(`${f.namespace ?? ''}/${f.name ?? ''}`)) return false;
    return true;
  }

  private advance(seq: Sequence, entity: { kind: EntityKind; id: string }, event: AuditEvent, f: EventFacts, matched: { stage: number; rules: DetectionRecord[] }[]): DetectionRecord | undefined {
    const key = `${seq.name}\u0000${entity.kind}\u0000${entity.id}`;
    const now = f.atMs;
    let st = this.states.get(key);
    if (st) {
      this.states.delete(key); // re-inserted below: most recently used last
      if (now - st.lastAt > seq.windowMs) {
        // Idle longer than the window: nothing in it can still be part of a chain.
        st = undefined;
      }
    }
    if (!st) {
      st = { seq, entity, chains: seq.stages.map(() => seq.stages.map(() => undefined)), recent: [], lastAt: now };
      while (this.states.size >= this.maxEntities) {
        const oldest = this.states.keys().next().value as string;
        this.states.delete(oldest);
        this.evicted++;
      }
    }
    this.states.set(key, st);
    st.lastAt = Math.max(st.lastAt, now);
    const n = this.observed;
    const entryFor = (stage: number, rules: DetectionRecord[], chain: boolean): TimelineEntry => ({
      time: event.time,
      stage: seq.stages[stage]!.name,
      chain,
      rules: [...new Set(rules.map((r) => r.rule))],
      // What the alerts say when alerts matched; the stage's declared ids for a raw event.
      mitre: rules.length ? [...new Set(rules.flatMap((r) => r.palisade.mitre))] : [...seq.stages[stage]!.mitre],
      auditID: nul(f.auditID),
      user: nul(f.user),
      verb: nul(f.verb),
      resource: nul(f.subresource ? `${f.resource}/${f.subresource}` : f.resource),
      namespace: nul(f.namespace),
      name: nul(f.name),
    });

    if (st.incident && now - st.incident.lastAt <= seq.windowMs) {
      const inc = st.incident;
      inc.lastAt = now;
      for (const m of matched) {
        for (const a of m.rules) a.palisade.incident = inc.id;
        if (inc.timeline.length < MAX_TIMELINE) inc.timeline.push(entryFor(m.stage, m.rules, false));
      }
      return undefined;
    }
    st.incident = undefined;

    const all = matched.flatMap((m) => m.rules);
    st.recent.push({ n, entry: entryFor(matched[0]!.stage, all, false) });
    if (st.recent.length > MAX_RECENT) st.recent.shift();
    const stageCount = seq.stages.length;
    const valid = (c: Chain | undefined): c is Chain => c !== undefined && now - c.start <= seq.windowMs;
    const updates: { k: number; s: number; chain: Chain; rules: DetectionRecord[] }[] = [];
    for (const m of matched) {
      const s = m.stage;
      updates.push({ k: 1, s, chain: { start: now, entries: [{ n, entry: entryFor(s, m.rules, true) }] }, rules: m.rules });
      for (let k = 2; k <= stageCount; k++) {
        let best: Chain | undefined;
        for (let p = 0; p < s; p++) {
          const c = st.chains[k - 2]![p];
          if (valid(c) && (!best || c.start > best.start)) best = c;
        }
        if (best) updates.push({ k, s, chain: { start: best.start, entries: [...best.entries, { n, entry: entryFor(s, m.rules, true) }] }, rules: m.rules });
      }
    }
    let done: { chain: Chain; k: number } | undefined;
    for (const u of updates) {
      const cur = st.chains[u.k - 1]![u.s];
      if (!valid(cur) || u.chain.start >= cur.start) st.chains[u.k - 1]![u.s] = u.chain;
      if (u.k >= seq.minStages && (!done || u.k > done.k)) done = { chain: u.chain, k: u.k };
    }
    if (!done) return undefined;
    const inChain = new Map(done.chain.entries.map((e) => [e.n, e.entry]));
    const timeline = st.recent.filter((r) => inChain.has(r.n) || now - Date.parse(r.entry.time) <= seq.windowMs).map((r) => inChain.get(r.n) ?? r.entry);
    const record = this.incident(seq, entity, done.chain.entries.map((e) => e.entry), timeline, event.time);
    st.incident = { id: record.palisade.incident!, lastAt: now, timeline: [...timeline] };
    st.chains = seq.stages.map(() => seq.stages.map(() => undefined));
    st.recent = [];
    const lastStage = done.chain.entries[done.chain.entries.length - 1]!.entry.stage;
    for (const m of matched) if (seq.stages[m.stage]!.name === lastStage) for (const a of m.rules) a.palisade.incident = record.palisade.incident;
    this.incidents++;
    return record;
  }

  private incident(seq: Sequence, entity: { kind: EntityKind; id: string }, chain: TimelineEntry[], timeline: TimelineEntry[], time: string): DetectionRecord {
    const first = timeline[0] ?? chain[0]!;
    // Deterministic: analysing the same log twice gives the same incident ids.
    const id = 'inc-' + createHash('sha256').update(`${seq.name}\u0000${entity.kind}\u0000${entity.id}\u0000${first.time}\u0000${first.auditID ?? ''}`).digest('hex').slice(0, 16);
    const stages = chain.map((e) => e.stage);
    const tags = [...new Set([...seq.tags, ...timeline.flatMap((e) => e.mitre)])];
    const spanMs = Date.parse(time) - Date.parse(first.time);
    const values: Record<string, string> = {
      sequence: seq.name,
      entity: entity.id,
      entity_kind: entity.kind,
      stages: stages.join(' → '),
      duration: describeDuration(Math.max(0, spanMs)),
      count: String(timeline.length),
    };
    const output = seq.output.replace(/%(entity_kind|entity|stages|duration|sequence|count)\b/g, (_, k: string) => values[k]!);
    return {
      time,
      rule: seq.name,
      priority: seq.priority,
      output: falcoOutput(time, seq.priority, output),
      output_fields: { 'palisade.entity': entity.id, 'palisade.entity.kind': entity.kind, 'palisade.stages': stages.join(','), 'palisade.first': first.time },
      source: 'palisade_correlation',
      tags,
      hostname: this.hostname,
      palisade: { ...classifyTags(tags), incident: id, entity: { ...entity }, stages, timeline },
    };
  }

  /** Remembers which pods were created privileged, so a stage can ask for an exec into one. */
  private trackPods(event: AuditEvent, f: EventFacts): void {
    if (f.resource !== 'pods' || f.subresource || (f.code ?? 200) >= 400) return;
    if (f.verb === 'delete' && f.name) {
      this.privilegedPods.delete(`${f.namespace ?? ''}/${f.name}`);
      return;
    }
    if (f.verb !== 'create' || !countsAsRequest(f)) return;
    const req = event.raw.requestObject as { metadata?: { name?: unknown }; spec?: Record<string, unknown> } | undefined;
    const resp = event.raw.responseObject as { metadata?: { name?: unknown } } | undefined;
    const spec = req?.spec;
    if (!spec) return;
    const containers = [spec.containers, spec.initContainers, spec.ephemeralContainers].flatMap((c) => (Array.isArray(c) ? c : []));
    const privileged = spec.hostPID === true || spec.hostIPC === true || spec.hostNetwork === true || containers.some((c) => (c as { securityContext?: { privileged?: unknown } })?.securityContext?.privileged === true);
    if (!privileged) return;
    const name = f.name ?? (typeof resp?.metadata?.name === 'string' ? resp.metadata.name : typeof req?.metadata?.name === 'string' ? req.metadata.name : undefined);
    if (!name) return;
    const key = `${f.namespace ?? ''}/${name}`;
    this.privilegedPods.delete(key);
    this.privilegedPods.set(key, true);
    if (this.privilegedPods.size > MAX_PRIVILEGED_PODS) this.privilegedPods.delete(this.privilegedPods.keys().next().value as string);
  }

  /** Drops states idle for longer than any window, oldest first (the Map is in LRU order). */
  private sweep(now: number): void {
    for (const [k, s] of this.states) {
      if (now - s.lastAt <= this.maxWindow) break;
      this.states.delete(k);
    }
  }
}
