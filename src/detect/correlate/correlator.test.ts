import { outputText } from '../audit/alerts.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeAuditLogs } from '../audit/analyze.js';
import { AuditDetector, builtinRuleFiles, loadAuditRules, readRuleFiles } from '../audit/detector.js';
import type { AuditEvent } from '../audit/event.js';
import { Correlator } from './correlator.js';
import { eventFacts } from './entity.js';
import type { DetectionRecord } from './record.js';
import { auditEvent, generateScenario } from './scenario.js';
import { BUILTIN_SEQUENCES_FILE, loadSequenceFile, parseSequences, unknownRuleReferences } from './sequences.js';

const builtin = loadSequenceFile(BUILTIN_SEQUENCES_FILE);

async function run(events: AuditEvent[], opts: { rules: boolean; correlator: Correlator }): Promise<DetectionRecord[]> {
  const loaded = loadAuditRules(opts.rules ? readRuleFiles(builtinRuleFiles()) : []);
  const out: DetectionRecord[] = [];
  await analyzeAuditLogs({
    inputs: [{ name: 'gen', open: async function* () { yield events.map((e) => JSON.stringify(e.raw)).join('\n') + '\n'; } }],
    detector: new AuditDetector(loaded.rules, { hostname: 'h' }),
    limiter: { dedupWindowMs: 0, ratePerSecond: 0, burst: 1 },
    correlator: opts.correlator,
    emit: (a) => {
      out.push(a);
    },
  });
  return out;
}

const incidents = (xs: DetectionRecord[]): DetectionRecord[] => xs.filter((x) => x.palisade.timeline);

describe('built-in sequences', () => {
  it('load without problems and name only rules that exist', () => {
    assert.deepEqual(builtin.diagnostics, []);
    assert.ok(builtin.sequences.length >= 1);
    const names = new Set(loadAuditRules(readRuleFiles(builtinRuleFiles())).rules.map((r) => r.name));
    assert.deepEqual(unknownRuleReferences(builtin.sequences, names), []);
  });
});

describe('correlating a generated day with one attack chain', () => {
  const sc = generateScenario({ days: 1, learnDays: 0 });
  const attack = sc.events.filter((e) => e.episode === 'kill-chain').map((e) => e.event.raw.auditID);

  for (const rules of [true, false]) {
    it(`produces exactly one incident, for the attacker, with the attack timeline (${rules ? 'built-in rules' : 'no rules: events only'})`, async () => {
      const out = await run(sc.events.map((e) => e.event), { rules, correlator: new Correlator(builtin.sequences, { hostname: 'h' }) });
      const inc = incidents(out);
      assert.equal(inc.length, 1, inc.map((i) => i.output).join('\n'));
      const i = inc[0]!;
      assert.equal(i.rule, 'Kill Chain Discovery Credential Access Execution');
      assert.equal(i.priority, 'Critical');
      assert.deepEqual(i.palisade.entity, { kind: 'user', id: sc.attacker });
      assert.deepEqual(i.palisade.stages, ['discovery', 'credential-access', 'execution']);
      assert.match(i.palisade.incident!, /^inc-[0-9a-f]{16}$/);
      const tl = i.palisade.timeline!;
      assert.deepEqual(tl.map((t) => t.auditID), attack, 'the timeline is the attack, in order, and nothing else');
      assert.deepEqual(tl.filter((t) => t.chain).map((t) => t.stage), ['discovery', 'credential-access', 'execution']);
      assert.equal(tl[4]!.resource, 'pods/exec');
      assert.equal(tl[4]!.name, 'node-exporter-7x2k9');
      assert.ok(i.palisade.mitre.includes('T1613') && i.palisade.mitre.includes('T1611') && i.palisade.mitre.includes('T1552.007'), i.palisade.mitre.join(','));
      assert.match(outputText(i), /^Kill chain by system:serviceaccount:shop:web: discovery → credential-access → execution within 9 minutes \(5 steps\)$/);
      // Emitted when completed: after every alert up to its event, before any later one.
      const at = out.indexOf(i);
      assert.ok(out.slice(0, at).every((a) => a.time <= i.time) && out.slice(at + 1).every((a) => a.time > i.time));
    });
  }
});

describe('sequence semantics', () => {
  const sa = 'system:serviceaccount:shop:web';
  const at = Date.parse('2026-03-01T10:00:00Z');
  const ev = (min: number, action: Parameters<typeof auditEvent>[0]['action'], extra?: Record<string, unknown>): AuditEvent => auditEvent({ user: sa, ua: 'x', ip: '10.0.0.1', at: at + min * 60_000, action, ...(extra ? { extra, code: 201 } : {}) });
  const privileged = auditEvent({ user: 'system:serviceaccount:kube-system:daemon-set-controller', ua: 'x', ip: '10.0.0.2', at: at - 60_000, action: ['create', 'pods', 'monitoring', undefined, 'ne-1'], code: 201, extra: { requestObject: { spec: { containers: [{ name: 'c', securityContext: { privileged: true } }] } } } });
  const feed = (c: Correlator, events: AuditEvent[]): DetectionRecord[] => events.flatMap((e) => c.observe(e, eventFacts(e), []));

  it('needs the stages in order', () => {
    const c = new Correlator(builtin.sequences, { hostname: 'h' });
    assert.equal(feed(c, [privileged, ev(0, ['create', 'pods', 'monitoring', 'exec', 'ne-1']), ev(1, ['get', 'secrets', 'shop', undefined, 's']), ev(2, ['list', 'pods', undefined])]).length, 0);
  });

  it('needs them within the window', () => {
    const c = new Correlator(builtin.sequences, { hostname: 'h' });
    assert.equal(feed(c, [privileged, ev(0, ['list', 'pods', undefined]), ev(20, ['get', 'secrets', 'shop', undefined, 's']), ev(45, ['create', 'pods', 'monitoring', 'exec', 'ne-1'])]).length, 0);
    // A fresh discovery restarts the chain inside the window.
    assert.equal(feed(c, [ev(46, ['list', 'namespaces', undefined]), ev(47, ['get', 'secrets', 'shop', undefined, 's']), ev(48, ['create', 'pods', 'monitoring', 'exec', 'ne-1'])]).length, 1);
  });

  it('does not count an exec into an unprivileged pod as execution', () => {
    const c = new Correlator(builtin.sequences, { hostname: 'h' });
    assert.equal(feed(c, [ev(0, ['list', 'pods', undefined]), ev(1, ['get', 'secrets', 'shop', undefined, 's']), ev(2, ['create', 'pods', 'shop', 'exec', 'web-1'])]).length, 0);
  });

  it('lets one event advance a chain by one stage only, and joins later matches to the open incident', () => {
    const c = new Correlator(builtin.sequences, { hostname: 'h' });
    // list secrets is both discovery and credential access: alone it is one stage.
    assert.equal(feed(c, [privileged, ev(0, ['list', 'secrets', undefined]), ev(1, ['create', 'pods', 'monitoring', 'exec', 'ne-1'])]).length, 0);
    const inc = feed(c, [ev(2, ['get', 'secrets', 'shop', undefined, 's']), ev(3, ['create', 'pods', 'monitoring', 'exec', 'ne-1'])]);
    assert.equal(inc.length, 1);
    const alert = { rule: 'Exec Into Pod', tags: ['T1611'], palisade: { incident: null } } as unknown as DetectionRecord;
    const again = ev(4, ['create', 'pods', 'monitoring', 'exec', 'ne-1']);
    assert.deepEqual(c.observe(again, eventFacts(again), [alert]), []);
    assert.equal(alert.palisade.incident, inc[0]!.palisade.incident);
  });

  it('matches earlier alerts by rule name and tag (sequences are data)', () => {
    const seqs = parseSequences(
      ['- sequence: Token then bind', '  entity: user', '  window: 10m', '  priority: warning', '  output: "%entity did %stages"', '  stages:', '    - name: token', '      match: { rules: [Service Account Token Requested By User] }', '    - name: bind', '      match: { tags: [T1098.006] }'].join('\n'),
      'x.yaml',
    );
    assert.deepEqual(seqs.diagnostics, []);
    const c = new Correlator(seqs.sequences, { hostname: 'h' });
    const mk = (rule: string, tags: string[]): DetectionRecord => ({ time: '', rule, priority: 'Notice', output: '', output_fields: {}, source: 'k8s_audit', tags, hostname: 'h', palisade: { mitre: [], frameworks: [], incident: null } });
    const e1 = ev(0, ['create', 'serviceaccounts', 'shop', 'token', 'x']);
    const e2 = ev(3, ['create', 'clusterrolebindings', undefined]);
    assert.deepEqual(c.observe(e1, eventFacts(e1), [mk('Service Account Token Requested By User', ['T1528'])]), []);
    const bind = mk('Cluster-Admin Binding Created', ['T1098.006']);
    const [inc] = c.observe(e2, eventFacts(e2), [bind]);
    assert.equal(outputText(inc!), `${sa} did token → bind`);
    assert.equal(inc!.priority, 'Warning');
    assert.deepEqual(inc!.palisade.timeline!.map((t) => t.rules), [['Service Account Token Requested By User'], ['Cluster-Admin Binding Created']]);
    assert.equal(bind.palisade.incident, inc!.palisade.incident);
  });

  it('follows a pod across identities when the sequence entity is pod', () => {
    const seqs = parseSequences(['- sequence: Pod entered twice', '  entity: pod', '  window: 5m', '  stages:', '    - name: exec', '      match: { events: { subresources: [exec] } }', '    - name: attach', '      match: { events: { subresources: [attach] } }'].join('\n'), 'p.yaml');
    assert.deepEqual(seqs.diagnostics, []);
    const c = new Correlator(seqs.sequences, { hostname: 'h' });
    const e1 = auditEvent({ user: 'alice', ua: 'x', ip: '10.0.0.1', at, action: ['create', 'pods', 'shop', 'exec', 'web-1'] });
    const e2 = auditEvent({ user: 'bob', ua: 'x', ip: '10.0.0.2', at: at + 60_000, action: ['create', 'pods', 'shop', 'attach', 'web-1'] });
    const [inc] = [...c.observe(e1, eventFacts(e1), []), ...c.observe(e2, eventFacts(e2), [])];
    assert.deepEqual(inc!.palisade.entity, { kind: 'pod', id: 'shop/web-1' });
    assert.deepEqual(inc!.palisade.timeline!.map((t) => t.user), ['alice', 'bob']);
  });

  it('keeps state for at most maxEntities entities however many it sees', () => {
    const c = new Correlator(builtin.sequences, { hostname: 'h', maxEntities: 100 });
    for (let i = 0; i < 5000; i++) {
      const e = auditEvent({ user: `user-${i}`, ua: 'x', ip: '10.0.0.1', at: at + i, action: ['list', 'pods', undefined] });
      c.observe(e, eventFacts(e), []);
      assert.ok(c.size <= 100);
    }
    assert.equal(c.size, 100);
    assert.equal(c.evicted, 4900);
  });

  it('reports bad sequence files with the line and field', () => {
    const r = parseSequences(['- sequence: Bad', '  window: soon', '  stages:', '    - name: a', '      match: { colour: red }'].join('\n'), 'bad.yaml');
    assert.equal(r.sequences.length, 0);
    const msgs = r.diagnostics.map((d) => `${d.file}:${d.line} ${d.field}`);
    assert.ok(msgs.includes('bad.yaml:2 Bad.window'), msgs.join('\n'));
    assert.ok(msgs.some((m) => m.startsWith('bad.yaml:5 Bad.stages[0].match.colour')), msgs.join('\n'));
    assert.ok(r.diagnostics.every((d) => d.code === 'PALISADE_DETECT_SEQUENCE_INVALID'));
  });
});
