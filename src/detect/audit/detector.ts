/**
 * Runs compiled k8s_audit rules over events. Rules whose condition pins ka.verb or
 * ka.target.resource (through macros too: `kcreate and pod`) are only tried on events
 * with one of those values; the candidate list per (verb, resource) is computed once and
 * cached, so most events meet only the few rules that can match them.
 */
import { hostname as osHostname } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../core/version.js';
import type { Diagnostic } from '../../core/errors.js';
import { RulesLoader, type CompiledRule } from '../rules-lang/loader.js';
import { classifyTags, type Alert } from './alerts.js';
import type { AuditEvent } from './event.js';
import { K8S_AUDIT_SOURCE } from './fields.js';

export const BUILTIN_RULES_DIR = join(PACKAGE_ROOT, 'src', 'detect', 'rules');

/** The built-in rule files (src/detect/rules/*.yaml), sorted; none when the folder is absent. */
export function builtinRuleFiles(): string[] {
  try {
    return readdirSync(BUILTIN_RULES_DIR).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort().map((f) => join(BUILTIN_RULES_DIR, f));
  } catch {
    return [];
  }
}

export interface RuleInput {
  /** Shown in diagnostics. */
  name: string;
  text: string;
}

export interface LoadedRules {
  rules: CompiledRule<AuditEvent>[];
  loader: RulesLoader;
  diagnostics: Diagnostic[];
}

/** Loads rule files in order (later ones override/append) and compiles the k8s_audit rules. */
export function loadAuditRules(inputs: readonly RuleInput[]): LoadedRules {
  const loader = new RulesLoader();
  for (const i of inputs) loader.load(i.text, i.name);
  const rules = loader.compile(K8S_AUDIT_SOURCE);
  return { rules, loader, diagnostics: loader.diagnostics };
}

export function readRuleFiles(paths: readonly string[], display: (p: string) => string = (p) => p): RuleInput[] {
  return paths.map((p) => ({ name: display(p), text: readFileSync(p, 'utf8') }));
}

const CACHE_MAX = 4096;

export class AuditDetector {
  private readonly cache = new Map<string, CompiledRule<AuditEvent>[]>();
  private readonly rules: CompiledRule<AuditEvent>[];
  readonly hostname: string;

  constructor(rules: readonly CompiledRule<AuditEvent>[], opts: { hostname?: string } = {}) {
    this.rules = rules.filter((r) => r.enabled);
    this.hostname = opts.hostname ?? osHostname();
  }

  /** Rules that can match an event with this verb and resource, in load order. */
  candidates(verb: string | undefined, resource: string | undefined): CompiledRule<AuditEvent>[] {
    const key = `${verb ?? '\u0001'}\u0000${resource ?? '\u0001'}`;
    let list = this.cache.get(key);
    if (list) return list;
    list = this.rules.filter((r) => {
      const v = r.constraints.get('ka.verb');
      const res = r.constraints.get('ka.target.resource');
      return (!v || (verb !== undefined && v.has(verb))) && (!res || (resource !== undefined && res.has(resource)));
    });
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(key, list);
    return list;
  }

  /** The rules that match, without building alerts (benchmarks, tests). */
  matches(event: AuditEvent): CompiledRule<AuditEvent>[] {
    const raw = event.raw;
    const verb = typeof raw.verb === 'string' ? raw.verb : undefined;
    const ref = raw.objectRef as { resource?: unknown } | undefined;
    const resource = ref && typeof ref.resource === 'string' ? ref.resource : undefined;
    const out: CompiledRule<AuditEvent>[] = [];
    for (const r of this.candidates(verb, resource)) if (r.test(event)) out.push(r);
    return out;
  }

  evaluate(event: AuditEvent): Alert[] {
    return this.matches(event).map((r) => this.alert(r, event));
  }

  alert(r: CompiledRule<AuditEvent>, event: AuditEvent): Alert {
    const { output, fields } = r.output.render(event);
    return {
      time: event.time,
      rule: r.name,
      priority: r.priority,
      output,
      output_fields: fields,
      source: 'k8s_audit',
      tags: r.tags,
      hostname: this.hostname,
      palisade: { ...classifyTags(r.tags), incident: null },
    };
  }
}
