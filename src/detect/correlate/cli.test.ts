import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../cli/testing.js';
import { generateScenario } from './scenario.js';

describe('palisade audit analyze with correlation and baselines', () => {
  const sc = generateScenario({ days: 3, learnDays: 2 });
  const cut = sc.events.findIndex((e) => Date.parse(e.event.time) >= sc.startMs + sc.learnMs);
  const jsonl = (from: number, to?: number): string => sc.events.slice(from, to).map((e) => JSON.stringify(e.event.raw)).join('\n') + '\n';
  const dir = mkdtempSync(join(tmpdir(), 'palisade-correlate-'));
  writeFileSync(join(dir, 'all.jsonl'), jsonl(0));
  writeFileSync(join(dir, 'history.jsonl'), jsonl(0, cut));
  writeFileSync(join(dir, 'today.jsonl'), jsonl(cut));

  it('learns for 2 days, then writes anomaly alerts and one incident in the alert format', async () => {
    const r = await runCli(['audit', 'analyze', '--learn-for', '2d', '--baseline', 'b.json', 'all.jsonl'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { rule: string; palisade: { incident: string | null; timeline?: unknown[]; anomaly?: unknown } });
    const incidents = out.filter((a) => a.palisade.timeline);
    assert.equal(incidents.length, 1);
    assert.equal(incidents[0]!.rule, 'Kill Chain Discovery Credential Access Execution');
    assert.ok(out.some((a) => a.rule === 'Anomalous namespace for identity'));
    assert.match(r.stderr, /1 incident\(s\), \d+ anomaly alert\(s\), baseline of 7 identities/);
    assert.ok(existsSync(join(dir, 'b.json')));
    assert.equal((JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')) as { kind: string }).kind, 'PalisadeBaseline');
  });

  it('with --no-builtin, the built-in kill chains are left out too (Falco-compatible runs), unless --sequences is given', async () => {
    const rules = '- rule: Any Secret Read\n  desc: d\n  condition: ka.verb in (get, list) and ka.target.resource = secrets\n  output: "secret read by %ka.user.name"\n  priority: warning\n  source: k8s_audit\n';
    writeFileSync(join(dir, 'own-rules.yaml'), rules);
    const plain = await runCli(['audit', 'analyze', '--no-builtin', '--rules', 'own-rules.yaml', 'today.jsonl'], { cwd: dir });
    assert.equal(plain.code, 0, plain.stderr);
    const records = plain.stdout.trim().split('\n').map((l) => JSON.parse(l) as { rule: string; palisade: { timeline?: unknown } });
    assert.ok(records.length > 0);
    assert.deepEqual([...new Set(records.map((a) => a.rule))], ['Any Secret Read']);
    assert.doesNotMatch(plain.stderr, /PALISADE_DETECT_SEQUENCE_UNKNOWN_RULE/);
    const seq = '- sequence: Secret Then Exec\n  entity: user\n  window: 1h\n  priority: Critical\n  output: "%entity read secrets then exec"\n  stages:\n    - name: secret\n      match: { rules: [Any Secret Read] }\n    - name: exec\n      match: { events: { verbs: [create, get], resources: [pods], subresources: [exec, attach] } }\n';
    writeFileSync(join(dir, 'own-seq.yaml'), seq);
    const withSeq = await runCli(['audit', 'analyze', '--no-builtin', '--rules', 'own-rules.yaml', '--sequences', 'own-seq.yaml', 'today.jsonl'], { cwd: dir });
    assert.equal(withSeq.code, 0, withSeq.stderr);
    assert.ok(withSeq.stdout.trim().split('\n').some((l) => (JSON.parse(l) as { rule: string }).rule === 'Secret Then Exec'), withSeq.stderr);
  });

  it('learns from --baseline-learn, and --no-correlate turns incidents off', async () => {
    const r = await runCli(['audit', 'analyze', '--no-correlate', '--baseline-learn', 'history.jsonl', '--format', 'text', 'today.jsonl'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Anomalous source IP for identity: service account ci\/deployer patched deployments web in namespace shop from source IP 198\.51\.100\.23/);
    assert.doesNotMatch(r.stdout, /Kill Chain/);
  });

  it('first run without a baseline file only learns; the second run detects with it', async () => {
    const first = await runCli(['audit', 'analyze', '--no-builtin', '--baseline', 'fresh.json', 'history.jsonl'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /does not exist yet: this run learns the baseline/);
    assert.equal(first.stdout, '');
    const second = await runCli(['audit', 'analyze', '--no-builtin', '--no-correlate', '--baseline', 'fresh.json', '--anomaly-threshold', '0.001', 'today.jsonl'], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /"rule":"Anomalous user agent for identity"/);
  });

  it('rejects bad option values and bad sequence files with exit 2', async () => {
    writeFileSync(join(dir, 'seq.yaml'), '- sequence: S\n  window: whenever\n  stages: [{ name: a, match: { tags: [x] } }]\n');
    const bad = await runCli(['audit', 'analyze', '--sequences', 'seq.yaml', 'today.jsonl'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /seq\.yaml:2: error: sequences file: S\.window: expected a duration/);
    const dur = await runCli(['audit', 'analyze', '--learn-for', 'a while', 'today.jsonl'], { cwd: dir });
    assert.equal(dur.code, 2);
    assert.match(dur.stderr, /--learn-for: expected a duration/);
    writeFileSync(join(dir, 'broken.json'), '{"kind":"PalisadeBaseline","version":2}');
    const bl = await runCli(['audit', 'analyze', '--baseline', 'broken.json', 'today.jsonl'], { cwd: dir });
    assert.equal(bl.code, 2);
    assert.match(bl.stderr, /broken\.json: error: baseline file: version: expected 1 \[PALISADE_DETECT_BASELINE_INVALID\]/);
    assert.equal(readFileSync(join(dir, 'broken.json'), 'utf8'), '{"kind":"PalisadeBaseline","version":2}');
  });
});
