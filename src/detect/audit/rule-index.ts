/**
 * Which rules an event can meet. The compiler reports, per rule, the values its condition
 * requires (with = or in, through macros and `and`/`or`) of the indexed fields (INDEX_FIELDS:
 * verb, resource, subresource, stage); a rule that pins none of them is tried on every
 * event. The candidate list for a combination of values is computed once and cached in a
 * tree of Maps (one level per field, so a lookup builds no key), bounded against events
 * that make up values.
 */
import { INDEX_FIELDS } from '../rules-lang/compile.js';
import type { CompiledRule } from '../rules-lang/loader.js';
import type { AuditEvent } from './event.js';
import { K8S_AUDIT_FIELDS } from './fields.js';

/** Stands for an absent field in the cache; control characters do not occur in these fields. */
const ABSENT = '\u0001';
const CACHE_MAX = 4096;

type Level = Map<string, Level | CompiledRule<AuditEvent>[]>;

export type IndexValues = Partial<Record<(typeof INDEX_FIELDS)[number], string>>;

export class RuleIndex {
  /** The same memoized extractors the rules use, so reading a field here is not repeated by them. */
  private readonly getters = INDEX_FIELDS.map((f) => K8S_AUDIT_FIELDS.get(f)!.bind(undefined));
  private root: Level = new Map();
  private cached = 0;

  constructor(private readonly rules: readonly CompiledRule<AuditEvent>[]) {}

  /** The rules that can match `event`, in load order. */
  forEvent(event: AuditEvent): CompiledRule<AuditEvent>[] {
    let level = this.root;
    const last = this.getters.length - 1;
    for (let i = 0; i <= last; i++) {
      const v = this.getters[i]!(event);
      const next = level.get(typeof v === 'string' ? v : ABSENT);
      if (next === undefined) return this.fill(event);
      if (i === last) return next as CompiledRule<AuditEvent>[];
      level = next as Level;
    }
    return this.fill(event);
  }

  /** Candidates for the given field values (fields not given are absent). */
  forValues(values: IndexValues): CompiledRule<AuditEvent>[] {
    return this.rules.filter((r) => INDEX_FIELDS.every((f) => {
      const allowed = r.constraints.get(f);
      const v = values[f];
      return !allowed || (v !== undefined && allowed.has(v));
    }));
  }

  private fill(event: AuditEvent): CompiledRule<AuditEvent>[] {
    const values: IndexValues = {};
    const keys: string[] = [];
    INDEX_FIELDS.forEach((f, i) => {
      const v = this.getters[i]!(event);
      if (typeof v === 'string') values[f] = v;
      keys.push(typeof v === 'string' ? v : ABSENT);
    });
    const list = this.forValues(values);
    if (this.cached >= CACHE_MAX) {
      this.root = new Map();
      this.cached = 0;
    }
    let level = this.root;
    for (let i = 0; i < keys.length - 1; i++) {
      let next = level.get(keys[i]!) as Level | undefined;
      if (!next) level.set(keys[i]!, (next = new Map()));
      level = next;
    }
    level.set(keys[keys.length - 1]!, list);
    this.cached++;
    return list;
  }
}
