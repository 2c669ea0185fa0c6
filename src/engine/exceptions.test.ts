import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../cli/testing.js';
import { parseExceptions } from '../sources/exceptions-file.js';
import { makeResource } from '../core/resource.js';
import type { Finding } from '../core/finding.js';
import { ExceptionSet, wildcardMatch } from './exceptions.js';

const PODS = `apiVersion: v1
kind: Pod
metadata:
  name: shipper-a
  namespace: logging
  labels: {app: shipper}
spec:
  containers: [{name: c, image: x:1, securityContext: {privileged: true}}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  annotations:
    exempt.palisade.dev/PAL-POD-001: "GPU driver installer, reviewed in SEC-42"
spec:
  containers: [{name: c, image: x:1, securityContext: {privileged: true}}]
---
apiVersion: v1
kind: Pod
metadata:
  name: lazy
  namespace: shop
  annotations:
    exempt.palisade.dev/PAL-POD-001: ""
spec:
  containers: [{name: c, image: x:1, securityContext: {privileged: true}}]
`;

const EXCEPTIONS = `apiVersion: palisade.dev/v1
kind: ExceptionList
exceptions:
  - id: EXC-1
    controls: [PAL-POD-001]
    resources: [{kind: Pod, namespace: logging, name: "shipper-*"}]
    justification: Log shipper reads host logs; compensating runtime monitoring.
    owner: platform@example.com
    approvedBy: security@example.com
    expires: "2027-01-31"
  - id: EXC-OLD
    controls: ["*"]
    resources: [{namespace: shop}]
    justification: Migration window for the shop namespace.
    owner: shop@example.com
    approvedBy: security@example.com
    expires: "2026-01-31"
  - id: EXC-UNUSED
    controls: [PAL-POD-001]
    resources: [{labels: {app: nothing}}]
    justification: Placeholder that matches nothing at all.
    owner: a@example.com
    approvedBy: b@example.com
    expires: "2027-06-30"
`;

function dir(files: Record<string, string>) {
  const d = mkdtempSync(join(tmpdir(), 'palisade-exc-'));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(d, n), t);
  return d;
}

describe('exceptions', () => {
  it('marks covered findings excepted, honours reasoned opt-out annotations, reports expired and unused entries', async () => {
    const cwd = dir({ 'pods.yaml': PODS, 'exceptions.yaml': EXCEPTIONS });
    const r = await runCli(['scan', 'pods.yaml', '-e', 'exceptions.yaml', '--control', 'PAL-POD-001', '-f', 'json'], { cwd, now: new Date('2026-11-25T12:00:00Z') });
    const out = JSON.parse(r.stdout);
    const byName = Object.fromEntries(out.findings.map((f: any) => [f.resource.name, f]));
    assert.equal(byName['shipper-a'].status, 'excepted');
    assert.equal(byName['shipper-a'].exception.id, 'EXC-1');
    assert.equal(byName['shipper-a'].exception.owner, 'platform@example.com');
    assert.equal(byName['web'].status, 'excepted');
    assert.equal(byName['web'].exception.id, 'annotation');
    assert.equal(byName['lazy'].status, 'fail', 'an opt-out without a reason is ignored');
    const codes = out.diagnostics.map((d: any) => `${d.code}:${d.level}`);
    assert.ok(codes.includes('PALISADE_EXCEPTION_EXPIRED:warning'), codes.join());
    assert.ok(codes.includes('PALISADE_EXCEPTION_UNUSED:note'), codes.join());
    assert.ok(codes.includes('PALISADE_EXCEPTION_NO_REASON:warning'), codes.join());
    const expired = out.diagnostics.find((d: any) => d.code === 'PALISADE_EXCEPTION_EXPIRED');
    assert.equal(expired.line, 11);
    assert.equal(out.summary.excepted, 2);
    assert.equal(r.code, 1, 'the lazy pod still fails');
  });

  it('applies up to and including the expiry day', async () => {
    const cwd = dir({ 'pods.yaml': PODS, 'exceptions.yaml': EXCEPTIONS });
    const last = await runCli(['scan', 'pods.yaml', '-e', 'exceptions.yaml', '--control', 'PAL-POD-001', '-f', 'json'], { cwd, now: new Date('2027-01-31T23:00:00Z') });
    assert.equal(JSON.parse(last.stdout).findings.find((f: any) => f.resource.name === 'shipper-a').status, 'excepted');
    const after = await runCli(['scan', 'pods.yaml', '-e', 'exceptions.yaml', '--control', 'PAL-POD-001', '-f', 'json'], { cwd, now: new Date('2027-02-01T00:00:01Z') });
    assert.equal(JSON.parse(after.stdout).findings.find((f: any) => f.resource.name === 'shipper-a').status, 'fail');
  });

  it('reports malformed entries with line and field, keeps valid ones, exits 2', async () => {
    const text = `apiVersion: palisade.dev/v1
kind: ExceptionList
exceptions:
  - id: GOOD
    controls: [PAL-POD-001]
    resources: [{kind: Pod}]
    justification: A long enough reason for this test.
    owner: o
    approvedBy: a
    expires: "2030-01-01"
  - id: NO-OWNER
    controls: [PAL-POD-001]
    resources: [{kind: Pod}]
    justification: A long enough reason for this test.
    approvedBy: a
    expires: "2030-01-01"
  - id: BAD-DATE
    controls: [PAL-NOPE-9]
    resources: [{kind: Pod}]
    justification: A long enough reason for this test.
    owner: o
    approvedBy: a
    expires: "2030-01-01"
`;
    const { exceptions, diagnostics } = parseExceptions(text, 'exc.yaml', new Set(['PAL-POD-001']));
    assert.deepEqual(exceptions.map((e) => e.id), ['GOOD']);
    assert.deepEqual(diagnostics.map((d) => [d.line, d.field, d.message]), [
      [11, 'exceptions[1]', 'exceptions[1]: missing required field "owner"'],
      [18, 'exceptions[2].controls[0]', 'exceptions[2].controls[0]: unknown control id PAL-NOPE-9'],
    ]);
    const cwd = dir({ 'pods.yaml': PODS, 'exc.yaml': text });
    const r = await runCli(['scan', 'pods.yaml', '-e', 'exc.yaml', '--control', 'PAL-POD-001', '-f', 'json'], { cwd });
    assert.equal(r.code, 2);
  });
});

describe('exception name and namespace globs', () => {
  it('match * and ? as before, without a regular expression', () => {
    const cases: [string, string, boolean][] = [
      ['web-*', 'web-1', true], ['web-*', 'api-1', false], ['*', '', true], ['?', '', false], ['a?c', 'abc', true], ['a?c', 'ac', false],
      ['*-prod', 'shop-prod', true], ['*-prod', 'shop-prod-x', false], ['a*b*c', 'aXbYc', true], ['a*b*c', 'aXbY', false], ['**', 'x', true],
      ['web.*', 'webx1', false], ['web.*', 'web.1', true], ['(a)*', '(a)b', true], ['[ab]', 'a', false], ['*a*a*a*a*a*a*a*a*b', 'a'.repeat(200), false],
    ];
    for (const [p, v, want] of cases) assert.equal(wildcardMatch(p, v), want, `${p} ~ ${v}`);
  });
  it('a pattern built to backtrack decides at once on a long name (a regex took minutes)', () => {
    assert.equal(wildcardMatch('*a'.repeat(20) + '*b', 'a'.repeat(253)), false);
    assert.equal(wildcardMatch('*a'.repeat(20) + '*b', 'a'.repeat(252) + 'b'), true);
  });
});

describe('opt-out annotations', () => {
  const pod = (name: string, annotations?: Record<string, unknown>) =>
    makeResource({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'n', ...(annotations ? { annotations: annotations as Record<string, string> } : {}) } }, { type: 'admission', uid: name });
  const finding = (controlId: string) => ({ controlId }) as Finding;

  it('apply per resource and control, whatever order findings of several resources come in', () => {
    const set = new ExceptionSet([]);
    const plain = pod('plain');
    const other = pod('other', { 'example.com/owner': 'team' });
    const opted = pod('opted', { 'exempt.palisade.dev/PAL-A': 'accepted in SEC-1', 'exempt.palisade.dev/PAL-B': '' });
    const seen = [plain, opted, opted, other, opted, plain, opted].map((r, i) => [r.name, set.exceptionFor(finding(i % 2 ? 'PAL-A' : 'PAL-B'), r)?.reason]);
    assert.deepEqual(seen, [
      ['plain', undefined],
      ['opted', 'accepted in SEC-1'],
      ['opted', undefined],
      ['other', undefined],
      ['opted', undefined],
      ['plain', undefined],
      ['opted', undefined],
    ]);
    assert.equal(set.exceptionFor(finding('PAL-A'), opted)?.id, 'annotation');
    // The opt-out without a reason is reported once, with its annotation.
    assert.deepEqual(set.report().map((d) => [d.code, d.field]), [['PALISADE_EXCEPTION_NO_REASON', 'metadata.annotations.exempt.palisade.dev/PAL-B']]);
  });
});

