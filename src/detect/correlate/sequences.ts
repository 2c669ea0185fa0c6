/**
 * Correlation sequences as data (sequences.yaml): a sequence names an entity kind, a time
 * window and ordered stages; each stage matches alerts (by rule name or tag) and/or raw
 * events (verb, resource, subresource, outcome, privileged target pod).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument, isSeq, type Document } from 'yaml';
import { PACKAGE_ROOT } from '../../core/version.js';
import { diagnostic, type Diagnostic } from '../../core/errors.js';
import { parsePriority, type Priority } from '../rules-lang/priority.js';
import { parseDuration } from './duration.js';
import { ENTITY_KINDS, type EntityKind } from './entity.js';

export const BUILTIN_SEQUENCES_FILE = join(PACKAGE_ROOT, 'src', 'detect', 'correlate', 'sequences.yaml');

export interface EventMatch {
  verbs?: ReadonlySet<string>;
  resources?: ReadonlySet<string>;
  /** "" stands for "no subresource". */
  subresources?: ReadonlySet<string>;
  /** allowed (default): responses below 400; denied: 401/403; any. */
  outcome: 'allowed' | 'denied' | 'any';
  /** Only events whose target pod was seen created privileged (or with host namespaces). */
  privilegedTarget: boolean;
}

export interface Stage {
  name: string;
  rules: ReadonlySet<string>;
  tags: ReadonlySet<string>;
  /** MITRE ids reported when a raw event (not an alert) reaches this stage. */
  mitre: readonly string[];
  /** Any of these matches (empty: the stage matches alerts only). */
  events: EventMatch[];
}

export interface Sequence {
  name: string;
  desc: string;
  entity: EntityKind;
  windowMs: number;
  stages: Stage[];
  minStages: number;
  priority: Priority;
  /** %entity, %entity_kind, %stages, %duration, %sequence, %count. */
  output: string;
  tags: string[];
  enabled: boolean;
}

export interface LoadedSequences {
  sequences: Sequence[];
  diagnostics: Diagnostic[];
}

const SEQ_KEYS = new Set(['sequence', 'desc', 'entity', 'window', 'stages', 'min_stages', 'priority', 'output', 'tags', 'enabled']);
const STAGE_KEYS = new Set(['name', 'match', 'mitre']);
const MATCH_KEYS = new Set(['rules', 'tags', 'events']);
const EVENT_KEYS = new Set(['verbs', 'resources', 'subresources', 'outcome', 'target']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] | undefined {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' && typeof x !== 'number')) return undefined;
  return v.map(String);
}

/** Parses one sequences file; invalid sequences are reported (file:line, field) and skipped. */
export function parseSequences(text: string, file: string): LoadedSequences {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const diagnostics: Diagnostic[] = [];
  const lineOf = (path: (string | number)[]): number | undefined => {
    const node = (doc as Document).getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lc.linePos(node.range[0]).line : undefined;
  };
  const fail = (path: (string | number)[], field: string, detail: string): void => {
    diagnostics.push(diagnostic('PALISADE_DETECT_SEQUENCE_INVALID', { field, detail }, { file, line: lineOf(path) ?? lineOf(path.slice(0, 1)), field }));
  };
  for (const e of doc.errors) {
    diagnostics.push(diagnostic('PALISADE_DETECT_SEQUENCE_INVALID', { field: 'file', detail: e.message.split('\n')[0]! }, { file, line: e.linePos?.[0]?.line }));
  }
  if (doc.errors.length) return { sequences: [], diagnostics };
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return { sequences: [], diagnostics };
  if (!Array.isArray(data) || !isSeq(doc.contents)) {
    fail([], 'file', 'expected a list of sequences');
    return { sequences: [], diagnostics };
  }
  const sequences: Sequence[] = [];
  const names = new Set<string>();
  data.forEach((item: unknown, i: number) => {
    const before = diagnostics.length;
    if (!isObj(item) || typeof item.sequence !== 'string' || !item.sequence) {
      fail([i], `[${i}].sequence`, 'expected a mapping with a non-empty `sequence` name');
      return;
    }
    const name = item.sequence;
    for (const k of Object.keys(item)) if (!SEQ_KEYS.has(k)) fail([i, k], `${name}.${k}`, `unknown key; expected one of ${[...SEQ_KEYS].join(', ')}`);
    const entity = (item.entity ?? 'user') as EntityKind;
    if (!ENTITY_KINDS.includes(entity)) fail([i, 'entity'], `${name}.entity`, `expected one of ${ENTITY_KINDS.join(', ')}`);
    const windowMs = parseDuration(item.window ?? '30m');
    if (windowMs === undefined) fail([i, 'window'], `${name}.window`, 'expected a duration such as 30m, 2h or 1d');
    const priority = parsePriority(item.priority ?? 'Critical');
    if (!priority) fail([i, 'priority'], `${name}.priority`, 'expected a Falco priority (emergency … debug)');
    const tags = strings(item.tags);
    if (!tags) fail([i, 'tags'], `${name}.tags`, 'expected a list of strings');
    const stages: Stage[] = [];
    if (!Array.isArray(item.stages) || item.stages.length === 0) fail([i, 'stages'], `${name}.stages`, 'expected a non-empty list of stages');
    else
      item.stages.forEach((st: unknown, j: number) => {
        const where = `${name}.stages[${j}]`;
        if (!isObj(st) || typeof st.name !== 'string' || !isObj(st.match)) {
          fail([i, 'stages', j], where, 'expected a mapping with `name` and `match`');
          return;
        }
        for (const k of Object.keys(st)) if (!STAGE_KEYS.has(k)) fail([i, 'stages', j, k], `${where}.${k}`, 'unknown key; expected name, match, mitre');
        const mitre = strings(st.mitre);
        if (!mitre) fail([i, 'stages', j, 'mitre'], `${where}.mitre`, 'expected a list of MITRE ATT&CK ids');
        const m = st.match;
        for (const k of Object.keys(m)) if (!MATCH_KEYS.has(k)) fail([i, 'stages', j, 'match', k], `${where}.match.${k}`, 'unknown key; expected rules, tags, events');
        const rules = strings(m.rules);
        const stTags = strings(m.tags);
        if (!rules) fail([i, 'stages', j, 'match', 'rules'], `${where}.match.rules`, 'expected a list of rule names');
        if (!stTags) fail([i, 'stages', j, 'match', 'tags'], `${where}.match.tags`, 'expected a list of tags');
        const events: EventMatch[] = [];
        if (m.events !== undefined) {
          const list: unknown[] = Array.isArray(m.events) ? m.events : [m.events];
          list.forEach((ev: unknown, q: number) => {
            const at: (string | number)[] = Array.isArray(m.events) ? [i, 'stages', j, 'match', 'events', q] : [i, 'stages', j, 'match', 'events'];
            const w = `${where}.match.events${Array.isArray(m.events) ? `[${q}]` : ''}`;
            if (!isObj(ev)) {
              fail(at, w, 'expected a mapping (or a list of mappings) of verbs, resources, subresources, outcome, target');
              return;
            }
            for (const k of Object.keys(ev)) if (!EVENT_KEYS.has(k)) fail([...at, k], `${w}.${k}`, `unknown key; expected one of ${[...EVENT_KEYS].join(', ')}`);
            const lists: Record<string, string[] | undefined> = {};
            for (const k of ['verbs', 'resources', 'subresources']) {
              lists[k] = ev[k] === undefined ? undefined : strings(ev[k]);
              if (ev[k] !== undefined && !lists[k]) fail([...at, k], `${w}.${k}`, 'expected a list of strings');
            }
            const outcome = ev.outcome ?? 'allowed';
            if (outcome !== 'allowed' && outcome !== 'denied' && outcome !== 'any') fail([...at, 'outcome'], `${w}.outcome`, 'expected allowed, denied or any');
            if (ev.target !== undefined && ev.target !== 'privileged') fail([...at, 'target'], `${w}.target`, 'expected privileged');
            const set = (l: string[] | undefined): Set<string> | undefined => (l ? new Set(l) : undefined);
            events.push({ verbs: set(lists.verbs), resources: set(lists.resources), subresources: set(lists.subresources), outcome: outcome as EventMatch['outcome'], privilegedTarget: ev.target === 'privileged' });
          });
        }
        if (rules && stTags && !rules.length && !stTags.length && !events.length) fail([i, 'stages', j, 'match'], `${where}.match`, 'matches nothing: give rules, tags or events');
        stages.push({ name: st.name, rules: new Set(rules ?? []), tags: new Set(stTags ?? []), mitre: mitre ?? [], events });
      });
    const minStages = item.min_stages ?? stages.length;
    if (typeof minStages !== 'number' || !Number.isInteger(minStages) || minStages < 1 || minStages > Math.max(1, stages.length)) fail([i, 'min_stages'], `${name}.min_stages`, `expected an integer from 1 to ${stages.length}`);
    if (item.output !== undefined && typeof item.output !== 'string') fail([i, 'output'], `${name}.output`, 'expected a string');
    if (item.enabled !== undefined && typeof item.enabled !== 'boolean') fail([i, 'enabled'], `${name}.enabled`, 'expected true or false');
    if (names.has(name)) fail([i, 'sequence'], `${name}`, 'a sequence with this name is already defined');
    if (diagnostics.length > before) return;
    names.add(name);
    sequences.push({
      name,
      desc: typeof item.desc === 'string' ? item.desc : '',
      entity,
      windowMs: windowMs!,
      stages,
      minStages: minStages as number,
      priority: priority!,
      output: typeof item.output === 'string' ? item.output : '%sequence: %entity_kind %entity reached %stages within %duration',
      tags: tags!,
      enabled: item.enabled !== false,
    });
  });
  return { sequences, diagnostics };
}

export function loadSequenceFile(path: string, display = path): LoadedSequences {
  return parseSequences(readFileSync(path, 'utf8'), display);
}

/** Stage rule names that no loaded rule defines: likely typos, reported as warnings. */
export function unknownRuleReferences(sequences: readonly Sequence[], ruleNames: ReadonlySet<string>): { sequence: string; stage: string; rule: string }[] {
  const out: { sequence: string; stage: string; rule: string }[] = [];
  for (const s of sequences) for (const st of s.stages) for (const r of st.rules) if (!ruleNames.has(r) && !r.startsWith('Anomalous ')) out.push({ sequence: s.name, stage: st.name, rule: r });
  return out;
}
