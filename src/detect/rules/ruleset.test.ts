/**
 * The built-in k8s_audit ruleset: every file loads with the engine, every rule carries
 * the metadata the conventions ask for (MITRE technique and tactic, real framework
 * requirement ids, a maturity tag, a never-true `user_known_*` tuning macro), and every
 * rule fires on its trigger events and stays quiet on the benign ones beside them
 * (src/detect/rules/__events__: JSON-lines audit events plus expected.json).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../../core/version.js';
import { AuditDetector, BUILTIN_RULES_DIR, builtinRuleFiles, loadAuditRules, readRuleFiles, type RuleInput } from '../audit/detector.js';
import { toAuditEvent, type AuditEvent } from '../audit/event.js';

const EVENTS_DIR = join(BUILTIN_RULES_DIR, '__events__');
const FRAMEWORKS_DIR = join(PACKAGE_ROOT, 'src', 'frameworks');

interface Item {
  rule?: string;
  macro?: string;
  list?: string;
  required_engine_version?: string | number;
  desc?: string;
  condition?: string;
  output?: string;
  priority?: string;
  source?: string;
  tags?: string[];
  enabled?: boolean;
}

interface Expected {
  events: Record<string, string[]>;
  cases: Record<string, { trigger: string[]; benign: string[] }>;
  disabled: Record<string, { trigger: string[]; benign: string[] }>;
}

const files = builtinRuleFiles();
const items = new Map<string, Item[]>(files.map((f) => [f, parse(readFileSync(f, 'utf8')) as Item[]]));
const allItems = [...items.values()].flat();
const ruleItems = allItems.filter((i) => i.rule !== undefined);
const macros = new Map(allItems.filter((i) => i.macro !== undefined).map((i) => [i.macro!, i.condition!]));
const expected = JSON.parse(readFileSync(join(EVENTS_DIR, 'expected.json'), 'utf8')) as Expected;

function fixtureEvents(): Map<string, AuditEvent> {
  const out = new Map<string, AuditEvent>();
  for (const f of readdirSync(EVENTS_DIR).filter((n) => n.endsWith('.jsonl')).sort()) {
    for (const line of readFileSync(join(EVENTS_DIR, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const e = toAuditEvent(JSON.parse(line));
      if (typeof e === 'string') throw new Error(`${f}: ${e}`);
      assert.ok(!out.has(e.raw.auditID as string), `auditID ${String(e.raw.auditID)} appears twice`);
      out.set(e.raw.auditID as string, e);
    }
  }
  return out;
}

/** Requirement ids of one framework data file. */
function requirementIds(file: string): Set<string> {
  const doc = parse(readFileSync(join(FRAMEWORKS_DIR, file), 'utf8')) as { requirements: { id: string | number }[] };
  return new Set(doc.requirements.map((r) => String(r.id)));
}

const FRAMEWORK_TAGS: [prefix: string, file: string][] = [
  ['soc2_', 'soc2.yaml'],
  ['pci_', 'pci-dss.yaml'],
  ['nist_800-190_', 'nist-800-190.yaml'],
];
const MATURITY = ['maturity_stable', 'maturity_incubating', 'maturity_sandbox', 'maturity_deprecated'];
const TACTICS = ['mitre_initial_access', 'mitre_execution', 'mitre_persistence', 'mitre_privilege_escalation', 'mitre_defense_evasion', 'mitre_credential_access', 'mitre_discovery', 'mitre_lateral_movement', 'mitre_collection', 'mitre_command_and_control', 'mitre_exfiltration', 'mitre_impact'];

function tuningMacro(condition: string): string | undefined {
  return /\bnot\s+(user_known_[a-z0-9_]+)\b/.exec(condition)?.[1];
}

const loaded = loadAuditRules(readRuleFiles(files));
const detector = new AuditDetector(loaded.rules, { hostname: 'test' });

describe('built-in k8s_audit rules: files', () => {
  it('ships at least 40 rules in more than one file, loaded in name order with the shared macros first', () => {
    assert.ok(files.length > 1);
    assert.match(files[0]!, /k8s-audit-00-base\.yaml$/);
    assert.ok(ruleItems.length >= 40, `${ruleItems.length} rules`);
  });

  it('every file starts with required_engine_version', () => {
    for (const [f, list] of items) assert.ok(list[0]?.required_engine_version !== undefined, `${f} does not start with required_engine_version`);
  });

  it('every file loads and every rule compiles with no diagnostics', () => {
    assert.deepEqual(loaded.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`), []);
    assert.equal(loaded.rules.length, ruleItems.length);
  });

  it('rule names are unique', () => {
    const names = ruleItems.map((r) => r.rule!);
    assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
  });
});

describe('built-in k8s_audit rules: metadata', () => {
  const frameworkIds = new Map(FRAMEWORK_TAGS.map(([p, f]) => [p, requirementIds(f)]));
  for (const r of ruleItems) {
    it(`${r.rule}: has desc, condition, output, priority and source k8s_audit`, () => {
      for (const k of ['desc', 'condition', 'output', 'priority'] as const) assert.ok(typeof r[k] === 'string' && r[k]!.trim().length > 0, `no ${k}`);
      assert.equal(r.source, 'k8s_audit');
      assert.match(r.output!, /%ka\./);
    });

    it(`${r.rule}: is tagged with a MITRE technique and tactic, one maturity and real framework requirements`, () => {
      const tags = r.tags ?? [];
      assert.ok(tags.some((t) => /^T\d{4}(\.\d{3})?$/.test(t)), 'no MITRE technique id');
      assert.ok(tags.some((t) => TACTICS.includes(t)), 'no mitre_<tactic> tag');
      assert.equal(tags.filter((t) => t.startsWith('maturity_')).length, 1, 'needs exactly one maturity tag');
      assert.ok(tags.every((t) => !t.startsWith('maturity_') || MATURITY.includes(t)), 'unknown maturity');
      for (const [prefix] of FRAMEWORK_TAGS) assert.ok(tags.some((t) => t.startsWith(prefix)), `no ${prefix} requirement`);
      for (const t of tags) {
        for (const [prefix, ids] of frameworkIds) {
          if (t.startsWith(prefix)) assert.ok(ids.has(t.slice(prefix.length)), `${t}: no requirement ${t.slice(prefix.length)} in the framework file`);
        }
      }
    });

    it(`${r.rule}: has its own user_known_ tuning macro that is never true by default`, () => {
      const m = tuningMacro(r.condition!);
      assert.ok(m, 'condition lacks "and not user_known_…"');
      assert.equal(macros.get(m)?.trim(), '(never_true)');
      const users = ruleItems.filter((x) => tuningMacro(x.condition!) === m).map((x) => x.rule);
      assert.deepEqual(users, [r.rule], `${m} is shared`);
    });
  }

  it('never_true cannot match an event', () => {
    assert.equal(macros.get('never_true'), '(jevt.rawtime = 0)');
  });
});

describe('built-in k8s_audit rules: fixture events', () => {
  const events = fixtureEvents();
  const enabledRules = loaded.rules.filter((r) => r.enabled).map((r) => r.name);

  it('expected.json names every fixture event and only them', () => {
    assert.deepEqual([...events.keys()].sort(), Object.keys(expected.events).sort());
  });

  it('every enabled rule has trigger and benign events; every disabled rule has them too', () => {
    for (const name of enabledRules) {
      const c = expected.cases[name];
      assert.ok(c && c.trigger.length > 0 && c.benign.length > 0, `${name}: needs a trigger and a benign event`);
    }
    for (const r of loaded.rules.filter((x) => !x.enabled)) {
      const c = expected.disabled[r.name];
      assert.ok(c && c.trigger.length > 0 && c.benign.length > 0, `${r.name}: disabled, but needs a trigger and a benign event`);
    }
  });

  it('each event raises exactly the expected rules', () => {
    const wrong: string[] = [];
    for (const [id, ev] of events) {
      const got = detector.matches(ev).map((r) => r.name).sort();
      const want = [...expected.events[id]!].sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${id}: raised [${got.join(', ')}], expected [${want.join(', ')}]`);
    }
    assert.deepEqual(wrong, []);
  });

  for (const [name, c] of Object.entries(expected.cases)) {
    it(`${name}: fires on its trigger events and not on its benign ones`, () => {
      for (const id of c.trigger) assert.ok(detector.matches(events.get(id)!).some((r) => r.name === name), `${id} did not raise ${name}`);
      for (const id of c.benign) assert.ok(!detector.matches(events.get(id)!).some((r) => r.name === name), `${id} raised ${name}`);
    });
  }

  for (const [name, c] of Object.entries(expected.disabled)) {
    it(`${name}: ships disabled, and once enabled fires on its trigger events only`, () => {
      const rule = loaded.rules.find((r) => r.name === name);
      assert.ok(rule, `${name} is not a rule`);
      assert.equal(rule.enabled, false);
      const alone = new AuditDetector([{ ...rule, enabled: true }], { hostname: 'test' });
      for (const id of c.trigger) assert.equal(alone.matches(events.get(id)!).length, 1, `${id} did not raise ${name}`);
      for (const id of c.benign) assert.equal(alone.matches(events.get(id)!).length, 0, `${id} raised ${name}`);
    });
  }

  it('every trigger alert renders its output fields and carries MITRE and framework tags', () => {
    for (const [name, c] of Object.entries(expected.cases)) {
      for (const id of c.trigger) {
        const alert = detector.evaluate(events.get(id)!).find((a) => a.rule === name)!;
        assert.doesNotMatch(alert.output, /%(ka|jevt|evt)\.[a-z]/, `${name}: unrendered field`);
        assert.ok(alert.palisade.mitre.length > 0 && alert.palisade.frameworks.length > 0, `${name}: alert lacks MITRE or framework tags`);
      }
    }
  });

  it('redefining a rule’s user_known_ macro in a later file silences that rule', () => {
    const lines: string[] = [];
    for (const r of ruleItems) {
      const ids = expected.cases[r.rule!]?.trigger ?? expected.disabled[r.rule!]?.trigger ?? [];
      lines.push(`- macro: ${tuningMacro(r.condition!)}`, `  condition: (ka.auditid in (${ids.join(', ')}))`);
    }
    const tuning: RuleInput = { name: 'tuning.yaml', text: lines.join('\n') + '\n' };
    const tuned = loadAuditRules([...readRuleFiles(files), tuning]);
    assert.deepEqual(tuned.diagnostics, []);
    const quiet = new AuditDetector(tuned.rules, { hostname: 'test' });
    for (const [name, c] of Object.entries(expected.cases)) {
      for (const id of c.trigger) assert.ok(!quiet.matches(events.get(id)!).some((r) => r.name === name), `${name} still fires on ${id}`);
    }
  });
});

describe('built-in k8s_audit rules: documentation', () => {
  it('docs/detection-rules.md lists every rule with its tuning macro', () => {
    const doc = readFileSync(join(PACKAGE_ROOT, 'docs', 'detection-rules.md'), 'utf8');
    for (const r of ruleItems) {
      assert.ok(doc.includes(`| ${r.rule} |`), `${r.rule} is not in docs/detection-rules.md`);
      assert.ok(doc.includes(`\`${tuningMacro(r.condition!)}\``), `${tuningMacro(r.condition!)} is not in docs/detection-rules.md`);
    }
  });
});
