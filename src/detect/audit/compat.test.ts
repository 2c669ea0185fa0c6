import { outputText } from './alerts.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../core/version.js';
import { AlertLimiter } from './alerts.js';
import { AuditDetector, loadAuditRules } from './detector.js';
import { toAuditEvent, type AuditEvent } from './event.js';
import { scenario } from './test-events.js';

const RULES = readFileSync(join(PACKAGE_ROOT, 'src/detect/audit/__fixtures__/k8s-audit-style-rules.yaml'), 'utf8');

function events(): [string, AuditEvent][] {
  return Object.entries(scenario()).map(([k, raw]) => [k, toAuditEvent(raw) as AuditEvent]);
}

describe('a rules file in the style of Falco k8saudit rules', () => {
  const loaded = loadAuditRules([{ name: 'k8s-audit-style-rules.yaml', text: RULES }]);
  const detector = new AuditDetector(loaded.rules, { hostname: 'test-host' });

  it('loads without errors; the syscall rule is skipped with a note', () => {
    assert.deepEqual(loaded.diagnostics.filter((d) => d.level !== 'note'), []);
    assert.equal(loaded.diagnostics.length, 1);
    assert.match(loaded.diagnostics[0]!.message, /1 rule\(s\) of source syscall skipped/);
    assert.equal(loaded.rules.length, 8);
  });

  it('raises exactly the expected alerts on the scenario', () => {
    const got: string[] = [];
    for (const [name, ev] of events()) for (const a of detector.evaluate(ev)) got.push(`${name} | ${a.priority} | ${a.rule} | ${outputText(a)}`);
    assert.deepEqual(got, [
      'unapprovedImage | Warning | Pod With Unapproved Image | Pod started from unapproved image (user=alice@example.com pod=web-1 ns=shop images=(evil.example.net/miner:1.0,registry.example.com/platform/proxy:2))',
      'privilegedHostPath | Critical | Privileged Pod Created | Privileged pod created (user=mallory pod=debug ns=shop image=(registry.example.com/shop/web:1))',
      'privilegedHostPath | Error | Sensitive Host Path Mounted | Pod mounts a sensitive host path (user=mallory pod=debug paths=(/))',
      'secretReadByUser | Notice | Secret Read By Unexpected User | Secret read (user=alice@example.com secret=db ns=shop code=200)',
      'execStarted | Notice | Exec Into Pod | Exec into pod (user=alice@example.com pod=web-1 ns=shop cmd=sh)',
      'clusterAdminBinding | Warning | Binding To Cluster Admin | Cluster admin granted (user=alice@example.com binding=oops subjects=({"kind":"User","name":"mallory"}))',
      'anonymousAllowed | Critical | Anonymous Request Allowed | Anonymous request allowed (uri=/api/v1/nodes reason=RBAC: allowed by ClusterRoleBinding "open" ips=(203.0.113.9,10.0.0.1))',
      'nodePort | Informational | NodePort Service Created | NodePort service (user=alice@example.com service=web ns=shop ports=([{"port":80,"nodePort":30080}]))',
      'unapprovedImageAgain | Warning | Pod With Unapproved Image | Pod started from unapproved image (user=alice@example.com pod=web-1 ns=shop images=(evil.example.net/miner:1.0,registry.example.com/platform/proxy:2))',
    ]);
  });

  it('builds Falco-shaped JSON alerts with Palisade fields: output led by the time of day and priority, list fields as arrays', () => {
    const ev = events().find(([n]) => n === 'unapprovedImage')![1];
    const [a] = detector.evaluate(ev);
    assert.deepEqual(a, {
      time: '2026-03-01T10:00:01.000000001Z',
      rule: 'Pod With Unapproved Image',
      priority: 'Warning',
      output: '10:00:01.000000001: Warning Pod started from unapproved image (user=alice@example.com pod=web-1 ns=shop images=(evil.example.net/miner:1.0,registry.example.com/platform/proxy:2))',
      output_fields: {
        'ka.user.name': 'alice@example.com',
        'ka.resp.name': 'web-1',
        'ka.target.namespace': 'shop',
        'ka.req.pod.containers.image': ['evil.example.net/miner:1.0', 'registry.example.com/platform/proxy:2'],
      },
      source: 'k8s_audit',
      tags: ['k8s', 'T1610', 'NIST_800-53_CM-7'],
      hostname: 'test-host',
      palisade: { mitre: ['T1610'], frameworks: ['NIST_800-53_CM-7'], incident: null },
    });
  });

  it('only tries rules whose verb, resource and subresource can match', () => {
    assert.deepEqual(detector.candidates({ 'ka.verb': 'get', 'ka.target.resource': 'secrets' }).map((r) => r.name), ['Secret Read By Unexpected User', 'Anonymous Request Allowed']);
    assert.deepEqual(detector.candidates({ 'ka.verb': 'watch', 'ka.target.resource': 'configmaps' }).map((r) => r.name), ['Anonymous Request Allowed']);
    const exec = detector.candidates({ 'ka.verb': 'create', 'ka.target.resource': 'pods', 'ka.target.subresource': 'exec' }).map((r) => r.name);
    const log = detector.candidates({ 'ka.verb': 'create', 'ka.target.resource': 'pods', 'ka.target.subresource': 'log' }).map((r) => r.name);
    assert.ok(exec.includes('Exec Into Pod'));
    assert.deepEqual(exec.filter((n) => !log.includes(n)), ['Exec Into Pod']);
  });

  it('takes a vendor override file after it: empty items, semver engine version, appended exceptions and list items', () => {
    // Written for this test in the shape of the managed-cluster override files Falco's plugins ship.
    const vendor = `- required_engine_version: 0.31.0
- required_plugin_versions:
  - name: k8saudit-acme
    version: 0.1.0
-
- rule: Privileged Pod Created
  exceptions:
    - name: debug_pods_of_mallory
      fields: [ka.user.name, ka.resp.name]
      comps: [=, startswith]
      values:
        - [mallory, deb]
  override:
    exceptions: append
- list: secret_readers
  items: [alice@example.com,]
  override:
    items: append
`;
    const both = loadAuditRules([{ name: 'k8s-audit-style-rules.yaml', text: RULES }, { name: 'vendor.yaml', text: vendor }]);
    assert.deepEqual(both.diagnostics.filter((d) => d.level !== 'note'), []);
    const tuned = new AuditDetector(both.rules, { hostname: 'test-host' });
    const got: string[] = [];
    for (const [name, ev] of events()) for (const a of tuned.evaluate(ev)) got.push(`${name} | ${a.rule}`);
    assert.ok(got.includes('privilegedHostPath | Sensitive Host Path Mounted'));
    assert.ok(!got.includes('privilegedHostPath | Privileged Pod Created'));
    assert.ok(!got.some((g) => g.startsWith('secretReadByUser')));
    assert.equal(got.length, 7);
  });

  it('deduplicates identical alerts within the window, by event time', () => {
    const limiter = new AlertLimiter({ dedupWindowMs: 60_000, ratePerSecond: 0, burst: 1 });
    assert.equal(limiter.admit('r', 'same', 1_000), true);
    assert.equal(limiter.admit('r', 'same', 30_000), false);
    assert.equal(limiter.admit('r', 'other', 30_000), true);
    assert.equal(limiter.admit('r', 'same', 62_000), true);
    assert.deepEqual(limiter.suppressed.get('r'), { duplicate: 1, rateLimited: 0 });
  });

  it('rate-limits per rule with a token bucket', () => {
    const limiter = new AlertLimiter({ dedupWindowMs: 0, ratePerSecond: 1, burst: 2 });
    const admitted = [0, 100, 200, 300, 1300, 1400].map((t, i) => limiter.admit('r', `a${i}`, t));
    assert.deepEqual(admitted, [true, true, false, false, true, false]);
    assert.equal(limiter.admit('other', 'x', 300), true);
    assert.deepEqual(limiter.suppressed.get('r'), { duplicate: 0, rateLimited: 3 });
  });
});
