import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../core/version.js';
import { scenario } from '../../detect/audit/test-events.js';
import { runCli } from '../testing.js';

const RULES = readFileSync(join(PACKAGE_ROOT, 'src/detect/audit/__fixtures__/k8s-audit-style-rules.yaml'), 'utf8');

function workdir(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-audit-'));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}

const events = scenario();
const lines = (names: string[]) => names.map((n) => JSON.stringify(events[n])).join('\n') + '\n';

describe('palisade audit analyze', () => {
  it('reads plain and gzip JSON lines, reports a bad line with file:line and exits 2', async () => {
    const cwd = workdir({
      'rules.yaml': RULES,
      'a.jsonl': lines(['unapprovedImage', 'approvedImage']) + '{"auditID": broken\n' + lines(['secretReadByUser']),
      // No .gz name: gzip is recognised by its magic bytes.
      'b.log': gzipSync(lines(['clusterAdminBinding', 'anonymousHealthz', 'anonymousAllowed'])),
    });
    const r = await runCli(['audit', 'analyze', '--no-builtin', '--rules', 'rules.yaml', 'a.jsonl', 'b.log'], { cwd });
    assert.equal(r.code, 2, r.stderr);
    const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { rule: string; priority: string; source: string; time: string });
    assert.deepEqual(alerts.map((a) => `${a.rule}/${a.priority}`), ['Pod With Unapproved Image/Warning', 'Secret Read By Unexpected User/Notice', 'Binding To Cluster Admin/Warning', 'Anonymous Request Allowed/Critical']);
    assert.equal(alerts[0]!.time, '2026-03-01T10:00:01.000000001Z');
    assert.match(r.stderr, /palisade: a\.jsonl:3: error: line 3: invalid JSON \(.*\); skipped \[PALISADE_DETECT_BAD_EVENT\]/);
    assert.match(r.stderr, /6 event\(s\), 4 alert\(s\) from 8 rule\(s\)/);
  });

  it('exits 0 on clean input and 1 with --fail-on-alert at or below the worst priority', async () => {
    const cwd = workdir({ 'rules.yaml': RULES, 'a.jsonl': lines(['secretReadByUser', 'approvedImage']) });
    const base = ['audit', 'analyze', '--no-builtin', '-r', 'rules.yaml', 'a.jsonl'];
    assert.equal((await runCli(base, { cwd })).code, 0);
    assert.equal((await runCli([...base, '--fail-on-alert', 'notice'], { cwd })).code, 1);
    assert.equal((await runCli([...base, '--fail-on-alert', 'WARNING'], { cwd })).code, 0);
    assert.equal((await runCli([...base, '--fail-on-alert', 'loud'], { cwd })).code, 2);
  });

  it('writes text lines, reads stdin, deduplicates with --dedup-window and reports the suppressed count', async () => {
    const cwd = workdir({ 'rules.yaml': RULES });
    const r = await runCli(['audit', 'analyze', '--no-builtin', '-r', 'rules.yaml', '--dedup-window', '60', '--format', 'text', '-'], { cwd, stdin: lines(['unapprovedImage', 'unapprovedImageAgain', 'execStarted']) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [
      '2026-03-01T10:00:01.000000001Z Warning Pod With Unapproved Image: Pod started from unapproved image (user=alice@example.com pod=web-1 ns=shop images=(evil.example.net/miner:1.0,registry.example.com/platform/proxy:2))',
      '2026-03-01T10:00:10.000000000Z Notice Exec Into Pod: Exec into pod (user=alice@example.com pod=web-1 ns=shop cmd=sh)',
      '',
    ].join('\n'));
    assert.match(r.stderr, /note: rule Pod With Unapproved Image: 1 alerts suppressed \(duplicates within 60s\) \[PALISADE_DETECT_SUPPRESSED\]/);
    // By default every alert is written, as Falco writes them.
    const all = await runCli(['audit', 'analyze', '--no-builtin', '-r', 'rules.yaml', '-o', 'out.jsonl', '-'], { cwd, stdin: lines(['unapprovedImage', 'unapprovedImageAgain']) });
    assert.equal(all.stdout, '');
    assert.equal(readFileSync(join(cwd, 'out.jsonl'), 'utf8').trim().split('\n').length, 2);
  });

  it('--follow reads a log as it grows and across a rotation, and finishes on SIGTERM', async () => {
    const cwd = workdir({ 'rules.yaml': RULES, 'audit.log': lines(['unapprovedImage']) });
    const running = runCli(['audit', 'analyze', '--no-builtin', '-r', 'rules.yaml', '--follow', 'audit.log'], { cwd });
    const pause = () => new Promise((r) => setTimeout(r, 600));
    await pause();
    appendFileSync(join(cwd, 'audit.log'), lines(['execStarted']));
    renameSync(join(cwd, 'audit.log'), join(cwd, 'audit-1.log'));
    writeFileSync(join(cwd, 'audit.log'), lines(['clusterAdminBinding']));
    await pause();
    process.emit('SIGTERM');
    const r = await running;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { rule: string }).rule), ['Pod With Unapproved Image', 'Exec Into Pod', 'Binding To Cluster Admin']);
    assert.match(r.stderr, /audit\.log: rotated; reading the new file/);
    const bad = await runCli(['audit', 'analyze', '--follow', 'a.log', 'b.log'], { cwd });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--follow reads exactly one FILE/);
  });

  it('reads a pretty-printed EventList and skips over-long lines', async () => {
    const list = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [events.clusterAdminBinding, events.approvedImage] }, null, 2);
    const cwd = workdir({ 'rules.yaml': RULES, 'list.json': list, 'long.jsonl': JSON.stringify({ ...events.secretReadByUser, padding: 'x'.repeat(5000) }) + '\n' + lines(['secretReadByUser']) });
    const r = await runCli(['audit', 'analyze', '--no-builtin', '-r', 'rules.yaml', '--max-line-bytes', '4096', 'list.json', 'long.jsonl'], { cwd });
    assert.equal(r.code, 2);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { rule: string }).rule), ['Binding To Cluster Admin', 'Secret Read By Unexpected User']);
    assert.match(r.stderr, /long\.jsonl:1: error: line 1 is longer than 4096 bytes; skipped \[PALISADE_DETECT_LINE_TOO_LONG\]/);
  });

  it('exits 2 with positions when the rules are invalid, and on a missing input', async () => {
    const cwd = workdir({ 'bad.yaml': '- rule: R\n  desc: d\n  condition: ka.verb = create and\n  output: o\n  priority: info\n  source: k8s_audit\n', 'rules.yaml': RULES });
    const r = await runCli(['audit', 'analyze', '--no-builtin', '-r', 'bad.yaml', 'x.jsonl'], { cwd });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.yaml:3:34: error: condition syntax error: rule R: unexpected end of condition; expected a field or macro \[PALISADE_RULES_SYNTAX\]/);
    const missing = await runCli(['audit', 'analyze', '--no-builtin', '-r', 'rules.yaml', 'nope.jsonl'], { cwd });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.jsonl: error: cannot read audit log: no such file \[PALISADE_DETECT_INPUT\]/);
    assert.equal((await runCli(['audit', 'scan'], { cwd })).code, 2);
  });
});

describe('palisade rules', () => {
  it('validate exits 0 for a good file and 2 with file:line:col for a bad one', async () => {
    const cwd = workdir({ 'good.yaml': RULES, 'bad.yaml': '- macro: m\n  condition: ka.verb in (get\n' });
    const ok = await runCli(['rules', 'validate', 'good.yaml'], { cwd });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'ok: 8 k8s_audit rule(s) in good.yaml\n');
    const bad = await runCli(['rules', 'validate', 'good.yaml', 'bad.yaml'], { cwd });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.yaml:2:25: error: condition syntax error: macro m: missing "\)" to close the list \[PALISADE_RULES_SYNTAX\]/);
  });
  it('list shows the rules after overrides', async () => {
    const cwd = workdir({ 'rules.yaml': RULES });
    const r = await runCli(['rules', 'list', '--no-builtin', '--rules', 'rules.yaml'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NodePort Service Created +Informational +k8s_audit +enabled +k8s$/m);
    assert.match(r.stdout, /^Shell Spawned In Container +Warning +syscall +enabled/m);
    assert.match(r.stdout, /9 rule\(s\)\n$/);
    const json = JSON.parse((await runCli(['rules', 'list', '--no-builtin', '-r', 'rules.yaml', '-f', 'json'], { cwd })).stdout) as { name: string; line: number }[];
    assert.equal(json[0]!.name, 'Pod With Unapproved Image');
  });
});
