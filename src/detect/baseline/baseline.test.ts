import { outputText } from '../audit/alerts.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventFacts } from '../correlate/entity.js';
import type { DetectionRecord } from '../correlate/record.js';
import { auditEvent, generateScenario, rng, type Scenario } from '../correlate/scenario.js';
import { Baseline, userAgentProduct } from './baseline.js';
import { loadBaselineFile, saveBaselineFile } from './file.js';
import { cantelliTail, cantelliThreshold, newValueProbability, welford, welfordAdd, welfordVariance } from './stats.js';

function runBaseline(b: Baseline, sc: Scenario, from = 0): { record: DetectionRecord; episode?: string }[] {
  const out: { record: DetectionRecord; episode?: string }[] = [];
  for (const le of sc.events.slice(from)) for (const record of b.observe(le.event, eventFacts(le.event))) out.push({ record, episode: le.episode });
  return out;
}

describe('baseline statistics', () => {
  it('Welford matches the two-pass mean and sample variance', () => {
    const r = rng(1);
    const xs = Array.from({ length: 1000 }, () => 1e6 + r() * 10);
    const w = welford();
    for (const x of xs) welfordAdd(w, x);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
    assert.ok(Math.abs(w.mean - mean) < 1e-6);
    assert.ok(Math.abs(welfordVariance(w) - v) / v < 1e-9);
  });

  it('Good–Turing with add-one: certain for no history, small for a long history of repeats', () => {
    assert.equal(newValueProbability(0, 0), 1);
    assert.equal(newValueProbability(3120, 0), 1 / 3121);
    assert.equal(newValueProbability(99, 49), 0.5);
  });

  it('Cantelli bound and its threshold agree', () => {
    assert.equal(cantelliTail(5, 10, 2), 1);
    const x = cantelliThreshold(0.01, 10, 2);
    assert.ok(Math.abs(cantelliTail(x, 10, 2) - 0.01) < 1e-12);
  });

  it('keys user agents by product, so upgrades are not anomalies', () => {
    assert.equal(userAgentProduct('kubectl/v1.30.1 (linux/amd64) kubernetes/7c48c2b'), 'kubectl');
    assert.equal(userAgentProduct('python-requests/2.31.0'), 'python-requests');
  });
});

describe('learning then detecting on a generated history', () => {
  const sc = generateScenario();
  const b = new Baseline({ learnForMs: sc.learnMs, hostname: 'h' });
  const found = runBaseline(b, sc);
  const byEpisode = (id: string): DetectionRecord[] => found.filter((f) => f.episode === id).map((f) => f.record);

  it('raises nothing during the learning period', () => {
    assert.ok(found.every((f) => Date.parse(f.record.time) >= sc.startMs + sc.learnMs));
  });

  it('explains a novel namespace against the namespaces the identity used', () => {
    const [a] = byEpisode('alice-namespace').filter((r) => r.rule === 'Anomalous namespace for identity');
    assert.ok(a, 'namespace anomaly raised');
    assert.match(outputText(a), /^user alice@example\.com listed secrets in namespace payments \(namespace payments is new\); in 2 days of history alice@example\.com used namespaces: dev, staging \(2 values, [\d,]+ events\); estimated probability of a new namespace: /);
    assert.ok(a.tags.includes('T1552.007'));
    assert.equal(a.palisade.anomaly!.kind, 'namespace');
    assert.ok(a.palisade.anomaly!.probability <= 0.01);
  });

  it('flags a new source IP and a new user agent', () => {
    const ip = byEpisode('ci-ip').find((r) => r.rule === 'Anomalous source IP for identity');
    assert.ok(ip);
    assert.match(outputText(ip), /^service account ci\/deployer patched deployments web in namespace shop from source IP 198\.51\.100\.23; in 2 days of history .* used source IPs: 10\.1\.3\.5 \(1 value, /);
    assert.ok(ip.tags.includes('T1078'));
    const ua = byEpisode('prometheus-ua').find((r) => r.rule === 'Anomalous user agent for identity');
    assert.ok(ua);
    assert.match(ua.output, /from user agent python-requests; .* used user agents: Prometheus \(1 value/);
  });

  it('flags a request-rate burst once per minute, with the learned mean and spread', () => {
    const bursts = byEpisode('api-burst').filter((r) => r.rule === 'Anomalous request rate for identity');
    assert.equal(bursts.length, 1);
    assert.match(outputText(bursts[0]!), /^service account shop\/api made \d+ requests in the minute from \d\d:\d\d UTC .*; in \d+ active minutes of history its rate was \d+\.\d ± \d+\.\d per minute, so \d+ or more has probability ≤ 1\.0%/);
  });

  it('persists and restores: a restored baseline judges like the original', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pal-baseline-'));
    const file = join(dir, 'baseline.json');
    const learn = new Baseline({ learnOnly: true, hostname: 'h' });
    const cut = sc.events.findIndex((e) => Date.parse(e.event.time) >= sc.startMs + sc.learnMs);
    for (const e of sc.events.slice(0, cut)) learn.observe(e.event, eventFacts(e.event));
    assert.equal(saveBaselineFile(learn, file), undefined);
    const restored = new Baseline({ hostname: 'h' });
    assert.deepEqual(loadBaselineFile(restored, file), { loaded: true });
    assert.deepEqual(restored.toJSON(), JSON.parse(readFileSync(file, 'utf8')));
    const again = runBaseline(restored, sc, cut).map((f) => `${f.record.rule}|${f.record.output}`);
    const original = found.map((f) => `${f.record.rule}|${f.record.output}`);
    assert.deepEqual(again, original);
    writeFileSync(file, JSON.stringify({ kind: 'PalisadeBaseline', version: 1, identities: { x: { firstSeen: 'yesterday' } } }));
    const bad = loadBaselineFile(new Baseline(), file, 'baseline.json');
    assert.equal(bad.diagnostic?.code, 'PALISADE_DETECT_BASELINE_INVALID');
    assert.match(bad.diagnostic!.message, /identities\["x"\]\.firstSeen: expected an RFC 3339 time/);
    assert.deepEqual(loadBaselineFile(new Baseline(), join(dir, 'absent.json')), { loaded: false });
  });
});

describe('baseline bounds', () => {
  it('keeps at most maxIdentities identities and maxValues values per dimension', () => {
    const b = new Baseline({ learnOnly: true, maxIdentities: 50, maxValues: 10, hostname: 'h' });
    const at = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 2000; i++) {
      const e = auditEvent({ user: `u${i % 500}`, ua: 'x', ip: `10.0.${i % 7}.${i % 250}`, at: at + i * 1000, action: ['get', 'pods', `ns-${i}`] });
      b.observe(e, eventFacts(e));
    }
    const f = b.toJSON();
    assert.equal(Object.keys(f.identities).length, 50);
    for (const id of Object.values(f.identities)) for (const d of Object.values(id.dims)) assert.ok(Object.keys(d.values).length <= 10);
    assert.ok(b.evicted > 0);
  });

  it('does not judge a saturated dimension', () => {
    const b = new Baseline({ learnForMs: 60_000, maxValues: 5, hostname: 'h' });
    const at = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 200; i++) {
      const e = auditEvent({ user: 'roamer', ua: 'x', ip: '10.0.0.1', at: at + i * 200, action: ['get', 'pods', `ns-${i % 20}`] });
      b.observe(e, eventFacts(e));
    }
    const later = auditEvent({ user: 'roamer', ua: 'x', ip: '10.0.0.1', at: at + 3_600_000, action: ['get', 'pods', 'brand-new'] });
    assert.deepEqual(b.observe(later, eventFacts(later)), []);
  });
});
