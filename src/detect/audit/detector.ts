/**
 * Runs compiled k8s_audit rules over events. Rules whose condition pins ka.verb,
 * ka.target.resource, ka.target.subresource or ka.stage (through macros too: `kcreate and
 * pod`) are only tried on events with one of those values (rule-index.ts), so most events
 * meet only the few rules that can match them.
 */
import { hostname as osHostname } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../core/version.js';
import type { Diagnostic } from '../../core/errors.js';
import { RulesLoader, type CompiledRule } from '../rules-lang/loader.js';
import { classifyTags, falcoOutput, type Alert } from './alerts.js';
import type { AuditEvent } from './event.js';
import { K8S_AUDIT_SOURCE } from './fields.js';
import { RuleIndex, type IndexValues } from './rule-index.js';

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

const NO_RULES: readonly CompiledRule<AuditEvent>[] = Object.freeze([]);

export class AuditDetector {
  private readonly index: RuleIndex;
  readonly hostname: string;

  constructor(rules: readonly CompiledRule<AuditEvent>[], opts: { hostname?: string } = {}) {
    this.index = new RuleIndex(rules.filter((r) => r.enabled));
    this.hostname = opts.hostname ?? osHostname();
  }

  /** Rules that can match an event with these verb, resource, subresource and stage values, in load order. */
  candidates(values: IndexValues): CompiledRule<AuditEvent>[] {
    return this.index.forValues(values);
  }

  /** The rules that match, without building alerts (benchmarks, tests). Most events match none: no array is made for them. */
  matches(event: AuditEvent): readonly CompiledRule<AuditEvent>[] {
    const candidates = this.index.forEvent(event);
    let out: CompiledRule<AuditEvent>[] | undefined;
    for (let i = 0; i < candidates.length; i++) {
      const r = candidates[i]!;
      if (r.test(event)) (out ??= []).push(r);
    }
    return out ?? NO_RULES;
  }

  evaluate(event: AuditEvent): Alert[] {
    return this.matches(event).map((r) => this.alert(r, event));
  }

  alert(r: CompiledRule<AuditEvent>, event: AuditEvent): Alert {
    const { output, fields } = r.output.render(event);
    const time = event.time;
    return {
      time,
      rule: r.name,
      priority: r.priority,
      output: falcoOutput(time, r.priority, output),
      output_fields: fields,
      source: 'k8s_audit',
      tags: r.tags,
      hostname: this.hostname,
      palisade: { ...classifyTags(r.tags), incident: null },
    };
  }
}
