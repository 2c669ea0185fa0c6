import { outputText } from '../audit/alerts.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDiagnostic } from '../../core/errors.js';
import { AuditDetector, loadAuditRules } from '../audit/detector.js';
import { event, podSpec } from '../audit/test-events.js';
import { formatValue, parseTemplate } from './output.js';

function load(...files: string[]) {
  return loadAuditRules(files.map((text, i) => ({ name: `f${i + 1}.yaml`, text })));
}
function errors(...files: string[]): string[] {
  return load(...files).diagnostics.filter((d) => d.level === 'error').map(formatDiagnostic);
}
function fired(files: string[], ev = event()): string[] {
  const l = load(...files);
  assert.deepEqual(l.diagnostics.filter((d) => d.level === 'error').map(formatDiagnostic), []);
  return new AuditDetector(l.rules, { hostname: 'h' }).evaluate(ev).map((a) => `${a.rule} ${a.priority}: ${outputText(a)}`);
}

const BASE = `- rule: Pod Created
  desc: a pod was created
  condition: ka.verb = create and ka.target.resource = pods
  output: pod %ka.target.name by %ka.user.name
  priority: warning
  source: k8s_audit
  tags: [a]
`;

describe('error positions', () => {
  it('points into a plain scalar', () => {
    assert.deepEqual(errors('- rule: R\n  desc: d\n  condition: ka.verb = create and ka.nope = 1\n  output: o\n  priority: info\n  source: k8s_audit\n'), [
      'f1.yaml:3:35: error: unknown field ka.nope for source k8s_audit [PALISADE_RULES_UNKNOWN_FIELD]',
    ]);
  });
  it('points into a double-quoted scalar', () => {
    assert.deepEqual(errors('- rule: R\n  desc: d\n  condition: "ka.verb = \\"create\\" and (ka.verb = get"\n  output: o\n  priority: info\n  source: k8s_audit\n'), [
      'f1.yaml:3:40: error: condition syntax error: rule R: missing ")" at the end of the condition [PALISADE_RULES_SYNTAX]',
    ]);
  });
  it('points into a folded block scalar, on its own line', () => {
    const text = '- rule: R\n  desc: d\n  condition: >\n    ka.verb = create\n    and not unknown_macro\n  output: o\n  priority: info\n  source: k8s_audit\n';
    assert.deepEqual(errors(text), ['f1.yaml:5:13: error: undefined macro or identifier unknown_macro (not a macro, and no operator follows) [PALISADE_RULES_UNKNOWN_MACRO]']);
  });
  it('points into a literal block scalar', () => {
    const text = '- rule: R\n  desc: d\n  condition: |\n    ka.verb = create and\n      ka.verb in (a, b\n  output: o\n  priority: info\n  source: k8s_audit\n';
    assert.deepEqual(errors(text), ['f1.yaml:5:18: error: condition syntax error: rule R: missing ")" to close the list [PALISADE_RULES_SYNTAX]']);
  });
  it('points into the macro that holds the problem', () => {
    const text = '- macro: m\n  condition: ka.verb = create and ka.user.nam = x\n- rule: R\n  desc: d\n  condition: m\n  output: o\n  priority: info\n  source: k8s_audit\n';
    assert.deepEqual(errors(text), ['f1.yaml:2:35: error: unknown field ka.user.nam for source k8s_audit [PALISADE_RULES_UNKNOWN_FIELD]']);
  });
  it('points into the appending file for an appended condition', () => {
    assert.deepEqual(errors(BASE, '- rule: Pod Created\n  condition: and ka.bad exists\n  append: true\n'), ['f2.yaml:2:18: error: unknown field ka.bad for source k8s_audit [PALISADE_RULES_UNKNOWN_FIELD]']);
  });
  it('reports unknown output fields, bad values and bad items', () => {
    assert.deepEqual(errors('- rule: R\n  desc: d\n  condition: ka.verb = create\n  output: user %ka.user.nme\n  priority: info\n  source: k8s_audit\n'), ['f1.yaml:4:17: error: unknown field ka.user.nme for source k8s_audit [PALISADE_RULES_UNKNOWN_FIELD]']);
    assert.deepEqual(errors('- rule: R\n  desc: d\n  condition: ka.user.name regex "a("\n  output: o\n  priority: info\n  source: k8s_audit\n').length, 1);
    assert.deepEqual(errors('- rule: R\n  desc: d\n  condition: jevt.rawtime > soon\n  output: o\n  priority: info\n  source: k8s_audit\n'), ['f1.yaml:3:29: error: rule R: "soon" is not a number [PALISADE_RULES_BAD_VALUE]']);
    assert.deepEqual(errors('- rule: R\n  desc: d\n  condition: ka.uri.param exists\n  output: o\n  priority: info\n  source: k8s_audit\n'), ['f1.yaml:3:14: error: rule R: field ka.uri.param needs an argument: ka.uri.param[...] [PALISADE_RULES_BAD_VALUE]']);
    assert.deepEqual(errors('- rule: R\n  desc: d\n  condition: ka.verb = x\n  output: o\n  priority: urgent\n'), ['f1.yaml:5:3: error: rule R: unknown priority "urgent"; expected emergency, alert, critical, error, warning, notice, informational (info) or debug [PALISADE_RULES_INVALID_ITEM]']);
    assert.deepEqual(errors('- rule: R\n  condition: ka.verb = x\n'), ['f1.yaml:1:3: error: rule R lacks desc, output, priority [PALISADE_RULES_INVALID_ITEM]']);
    assert.deepEqual(errors('- required_engine_version: 9999\n'), ['f1.yaml:1:3: error: rules need engine version 0.9999.0; this engine is 0.43.0 [PALISADE_RULES_ENGINE_VERSION]']);
    assert.deepEqual(errors('- rule: R\n  condition: x\n  append: true\n'), ['f1.yaml:1:3: error: rule R has append: true but no earlier definition to apply it to [PALISADE_RULES_NO_PREVIOUS]']);
    assert.deepEqual(errors('rule: x\n'), ['f1.yaml:1:1: error: rules file: a rules file is a YAML sequence of rule, macro and list items [PALISADE_RULES_YAML]']);
    assert.match(errors('- rule: [\n')[0]!, /^f1\.yaml:\d+:\d+: error: rules file: .*[^:] \[PALISADE_RULES_YAML\]$/);
  });
  it('rejects operators other than exists, in and intersects on list fields, as libsinsp does', () => {
    assert.deepEqual(errors('- rule: R\n  desc: d\n  condition: ka.user.groups = admins\n  output: o\n  priority: info\n  source: k8s_audit\n'), ['f1.yaml:3:14: error: rule R: list field ka.user.groups only supports the operators exists, in and intersects, not = [PALISADE_RULES_BAD_VALUE]']);
  });
  it('checks syntax of rules of other sources but not their fields', () => {
    const l = load('- rule: S\n  desc: d\n  condition: evt.type = execve and proc.name in (bash\n  output: o\n  priority: info\n');
    assert.deepEqual(l.diagnostics.map((d) => d.code), ['PALISADE_RULES_SYNTAX']);
    assert.deepEqual(load('- rule: S\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: info\n').diagnostics.map((d) => d.level), ['note']);
  });
});

describe('append, override and enabled', () => {
  const ev = event({ objectRef: { resource: 'pods', namespace: 'shop', name: 'web-1' } });
  it('legacy append: true appends to a rule condition, a macro and a list', () => {
    const m = '- list: l\n  items: [get]\n- macro: pods\n  condition: ka.target.resource = pods\n- rule: R\n  desc: d\n  condition: pods and ka.verb in (l)\n  output: o\n  priority: info\n  source: k8s_audit\n';
    assert.deepEqual(fired([m], ev), []);
    assert.deepEqual(fired([m, '- list: l\n  items: [create]\n  append: true\n'], ev), ['R Informational: o']);
    assert.deepEqual(fired([m, '- list: l\n  items: [create]\n  append: true\n- macro: pods\n  condition: and ka.target.namespace = prod\n  append: true\n'], ev), []);
    assert.deepEqual(fired([BASE, '- rule: Pod Created\n  condition: and ka.target.namespace = prod\n  append: true\n'], ev), []);
  });
  it('override appends and replaces fields', () => {
    const o = `- rule: Pod Created
  condition: and ka.target.namespace = shop
  output: "(ns %ka.target.namespace)"
  priority: critical
  tags: [b]
  override:
    condition: append
    output: append
    priority: replace
    tags: append
`;
    assert.deepEqual(fired([BASE, o], ev), ['Pod Created Critical: pod web-1 by alice@example.com (ns shop)']);
    assert.deepEqual(load(BASE, o).loader.summaries()[0]!.tags, ['a', 'b']);
    const replace = '- rule: Pod Created\n  condition: ka.verb = delete\n  override:\n    condition: replace\n';
    assert.deepEqual(fired([BASE, replace], ev), []);
    assert.deepEqual(errors(BASE, '- rule: Pod Created\n  priority: info\n  override:\n    priority: append\n'), ['f2.yaml:2:3: error: rule Pod Created: priority cannot be appended to; use replace [PALISADE_RULES_INVALID_ITEM]']);
  });
  it('enabled: false disables, a later enabled-only item re-enables', () => {
    assert.deepEqual(fired([BASE, '- rule: Pod Created\n  enabled: false\n'], ev), []);
    assert.deepEqual(fired([BASE, '- rule: Pod Created\n  enabled: false\n', '- rule: Pod Created\n  enabled: true\n'], ev).length, 1);
    assert.deepEqual(fired([BASE, '- rule: Pod Created\n  enabled: false\n  override:\n    enabled: replace\n'], ev), []);
  });
  it('a later full definition replaces the rule', () => {
    assert.deepEqual(fired([BASE, BASE.replace('priority: warning', 'priority: debug')], ev), ['Pod Created Debug: pod web-1 by alice@example.com']);
  });
});

describe('exceptions', () => {
  const rule = (exc: string) => `${BASE}  exceptions:\n${exc}`;
  const shop = event({ objectRef: { resource: 'pods', namespace: 'shop', name: 'web-1' }, ...podSpec({ containers: [{ name: 'a', image: 'registry.example.com/shop/web:1' }] }) });
  it('tuple form: fields and comps, = by default', () => {
    assert.deepEqual(fired([rule('    - name: e\n      fields: [ka.target.namespace, ka.user.name]\n      values: [[shop, alice@example.com]]\n')], shop), []);
    assert.deepEqual(fired([rule('    - name: e\n      fields: [ka.target.namespace, ka.user.name]\n      values: [[shop, bob]]\n')], shop).length, 1);
    assert.deepEqual(fired([rule('    - name: e\n      fields: [ka.target.namespace, ka.user.name]\n      comps: [=, startswith]\n      values: [[shop, ali]]\n')], shop), []);
    assert.deepEqual(fired([rule('    - name: e\n      fields: [ka.target.namespace, ka.req.pod.containers.image.repository]\n      comps: [=, in]\n      values: [[shop, [registry.example.com/shop/web, x]]]\n')], shop), []);
  });
  it('single-field form: in by default; values may name lists', () => {
    assert.deepEqual(fired([rule('    - name: e\n      fields: ka.target.namespace\n      values: [dev, shop]\n')], shop), []);
    assert.deepEqual(fired([rule('    - name: e\n      fields: ka.target.namespace\n      values: [dev]\n')], shop).length, 1);
    assert.deepEqual(fired(['- list: quiet\n  items: [shop]\n' + rule('    - name: e\n      fields: ka.target.namespace\n      values: [quiet]\n')], shop), []);
    assert.deepEqual(fired([rule('    - name: e\n      fields: ka.target.namespace\n      comps: startswith\n      values: [sh]\n')], shop), []);
  });
  it('exceptions without values, and values appended later', () => {
    const base = rule('    - name: e\n      fields: [ka.target.namespace]\n');
    assert.deepEqual(fired([base], shop).length, 1);
    assert.deepEqual(fired([base, '- rule: Pod Created\n  exceptions:\n    - name: e\n      values: [[shop]]\n  append: true\n'], shop), []);
    assert.deepEqual(fired([base, '- rule: Pod Created\n  exceptions:\n    - name: e2\n      fields: ka.user.name\n      values: [alice@example.com]\n  override:\n    exceptions: append\n'], shop), []);
  });
  it('rejects malformed exceptions', () => {
    assert.equal(errors(rule('    - name: e\n      fields: [ka.target.namespace, ka.verb]\n      values: [[shop]]\n')).length, 1);
    assert.match(errors(rule('    - name: e\n      fields: [ka.nope]\n      values: [[x]]\n'))[0]!, /unknown field ka.nope/);
    assert.match(errors(rule('    - name: e\n      fields: ka.verb\n    - name: e\n      fields: ka.user.name\n'))[0]!, /exception names must be unique; e is given twice/);
  });
});

describe('constructs found in real k8s_audit rules files', () => {
  it('reads multi-line plain conditions, bare values with ? and =, and outputs with / between fields', () => {
    const text = `- macro: health_endpoint
  condition: ka.uri=/healthz or ka.uri startswith /healthz?
- rule:  Spaced Name
  desc: >
    Several lines
    of description.
  condition: ka.verb=get and not health_endpoint and
             ka.target.namespace!=kube-system and (ka.target.name startswith "web") and
             ka.auth.decision="allow"
  output: Seen (target=%ka.target.name/%ka.target.resource ns=%ka.target.namespace))
  priority: INFO
  source: k8s_audit
`;
    const ev = event({ verb: 'get', requestURI: '/api/v1/namespaces/shop/pods/web-1' });
    assert.deepEqual(fired([text], ev), ['Spaced Name Informational: Seen (target=web-1/pods ns=shop))']);
    assert.deepEqual(fired([text], event({ verb: 'get', requestURI: '/healthz?verbose=1' })), []);
  });
});

describe('rules-file structure as Falco reads it', () => {
  const rule = '- rule: R\n  desc: d\n  condition: ka.verb in (verbs)\n  output: o\n  priority: info\n  source: k8s_audit\n';
  it('skips an empty item (a bare dash) and loads what follows', () => {
    assert.deepEqual(fired(['- list: verbs\n  items: [create]\n-\n' + rule + '-\n']), ['R Informational: o']);
  });
  it('warns about an unknown top-level item and loads the rest', () => {
    const l = load('- list: verbs\n  items: [create]\n- rulez: X\n  desc: d\n' + rule);
    assert.deepEqual(l.diagnostics.map(formatDiagnostic), ['f1.yaml:3:3: warning: unknown item with keys rulez, desc ignored; expected rule, macro, list, required_engine_version or required_plugin_versions [PALISADE_RULES_INVALID_ITEM]']);
    assert.equal(l.rules.length, 1);
  });
  it('trims outputs, so a folded block ends without a newline, also when replaced', () => {
    const folded = '- rule: R\n  desc: d\n  condition: ka.verb = create\n  output: >\n    made %ka.target.name\n    by %ka.user.name\n  priority: info\n  source: k8s_audit\n';
    assert.deepEqual(fired([folded]), ['R Informational: made web-1 by alice@example.com']);
    const replaced = '- rule: R\n  output: |\n    now %ka.verb\n\n  override:\n    output: replace\n';
    assert.deepEqual(fired([folded, replaced]), ['R Informational: now create']);
    // Positions inside a trimmed output still point at the field.
    assert.deepEqual(errors('- rule: R\n  desc: d\n  condition: ka.verb = create\n  output: >\n    made %ka.nope\n  priority: info\n  source: k8s_audit\n'), ['f1.yaml:5:11: error: unknown field ka.nope for source k8s_audit [PALISADE_RULES_UNKNOWN_FIELD]']);
  });
  it('expands lists in lists as Falco does: earlier lists one level deep, later ones when the condition is filled in', () => {
    const verb = (list: string) => rule.replace('(verbs)', `(${list})`);
    const lists = '- list: a\n  items: [create]\n- list: b\n  items: [a, get]\n- list: c\n  items: [b]\n';
    assert.deepEqual(fired([lists + verb('b')]), ['R Informational: o']);
    // c holds b's items as written: the name a, which stays a word, and get.
    assert.deepEqual(fired([lists + verb('c')]), []);
    assert.deepEqual(fired([lists + verb('c')], event({ verb: 'a' })), ['R Informational: o']);
    // A list defined later is filled in after: early names later, later holds create.
    assert.deepEqual(fired(['- list: early\n  items: [later]\n- list: later\n  items: [create]\n' + verb('early')]), ['R Informational: o']);
    // And so on down a chain of later lists.
    const chain = '- list: second\n  items: [third]\n- list: third\n  items: [patch, fourth]\n- list: fourth\n  items: [get]\n';
    assert.deepEqual(fired([chain + verb('second')], event({ verb: 'get' })), ['R Informational: o']);
    assert.deepEqual(fired([chain + verb('second')], event({ verb: 'fourth' })), []);
    const none = '- list: empty\n  items: []\n- rule: N\n  desc: d\n  condition: ka.verb = create and not ka.req.pod.containers.image.repository in (empty) and not ka.verb in (undefined_list)\n  output: o\n  priority: info\n  source: k8s_audit\n';
    assert.deepEqual(fired([none], event(podSpec({ containers: [{ name: 'a', image: 'nginx' }] }))), ['N Informational: o']);
    assert.deepEqual(fired([none.replace('undefined_list', 'create')]), []);
  });
});

describe('output templates', () => {
  it('splits %field and %field[arg]', () => {
    const t = parseTemplate('a %ka.user.name b=%jevt.value[/objectRef/name]. %% c');
    assert.deepEqual(t.literals, ['a ', ' b=', '. %% c']);
    assert.deepEqual(t.fields.map((f) => f.key), ['ka.user.name', 'jevt.value[/objectRef/name]']);
  });
  it('renders <NA> for missing values and (a,b) for lists; output_fields keeps null and lists as arrays, as in Falco JSON output', () => {
    const text = '- rule: R\n  desc: d\n  condition: ka.verb = create\n  output: "imp=%ka.impuser.name groups=%ka.user.groups name=%jevt.value[/objectRef/name]"\n  priority: info\n  source: k8s_audit\n';
    const l = load(text);
    const [a] = new AuditDetector(l.rules, { hostname: 'h' }).evaluate(event());
    assert.equal(outputText(a!), 'imp=<NA> groups=(developers,system:authenticated) name=web-1');
    assert.deepEqual(a!.output_fields, { 'ka.impuser.name': null, 'ka.user.groups': ['developers', 'system:authenticated'], 'jevt.value[/objectRef/name]': 'web-1' });
  });
  it('ends a field token at the longest field name, as libsinsp does', () => {
    const t = parseTemplate('%ka.verbs at %ka.target.namespace/%ka.uri.param[x]y %ka.nope', (n) => ['ka.verb', 'ka.target.name', 'ka.target.namespace', 'ka.uri.param'].includes(n));
    assert.deepEqual(t.fields.map((f) => f.key), ['ka.verb', 'ka.target.namespace', 'ka.uri.param[x]', 'ka.nope']);
    assert.deepEqual(t.literals, ['', 's at ', '/', 'y ', '']);
    const rule = '- rule: R\n  desc: d\n  condition: ka.verb = create\n  output: "%ka.verbd %ka.target.names"\n  priority: info\n  source: k8s_audit\n';
    assert.deepEqual(fired([rule]), ['R Informational: created web-1s']);
  });
  it('prints list values as libsinsp does: no comma before the first non-empty text', () => {
    assert.equal(formatValue(['', 'apps', '', 'batch']), '(apps,,batch)');
    assert.equal(formatValue(['']), '()');
    assert.equal(formatValue(['a', 'b']), '(a,b)');
  });
});
