import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../core/version.js';
import { runCli } from '../testing.js';

function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-test-cmd-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const POLICY = `apiVersion: palisade.dev/v1
kind: Policy
metadata: {name: require-team-label}
spec:
  id: ACME-001
  title: Workloads carry a team label
  severity: medium
  description: Checks the team label.
  remediation: Add one.
  match: {kinds: [Deployment]}
  validations:
    - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
      messageExpression: "object.metadata.name + ' has no team label'"
`;

const RESOURCES = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {team: payments}}
spec: {replicas: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec: {replicas: 1}
`;

const suite = (results: string) => `apiVersion: palisade.dev/v1
kind: PolicyTest
metadata: {name: team}
spec:
  policies: [policy.yaml]
  resources: [resources.yaml]
  results:
${results}`;

describe('palisade test', () => {
  it('runs every suite under examples/policies/ (Palisade, ValidatingAdmissionPolicy and Kyverno) and exits 0', async () => {
    const r = await runCli(['test', 'examples/policies/'], { cwd: PACKAGE_ROOT });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /examples\/policies\/vap\/replica-limit-params\/replica-limit-params\.test\.yaml — PolicyTest replica-limit-params/);
    assert.match(r.stdout, /examples\/policies\/palisade\/policies\.test\.yaml — PolicyTest acme-policies\n/);
    assert.match(r.stdout, /kyverno-test\.yaml — Kyverno test /);
    assert.match(r.stdout, /\n\d+ suites: \d+ passed, 0 failed/);
    assert.doesNotMatch(r.stdout, /MISMATCH/);
  });

  it('prints expected against actual for each suite and exits 1 when a result differs', async () => {
    const cwd = workdir({
      'policy.yaml': POLICY,
      'resources.yaml': RESOURCES,
      'team.test.yaml': suite(`    - policy: ACME-001
      resources: [shop/web]
      result: pass
    - policy: ACME-001
      resources: [shop/api]
      result: pass
    - policy: require-team-label
      resources: [Deployment/shop/api]
      result: fail
      messages: [api has no owner]
`),
    });
    const r = await runCli(['test', '.'], { cwd });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      r.stdout,
      [
        'team.test.yaml — PolicyTest team',
        '  RESULT    POLICY              RESOURCE             EXPECTED  ACTUAL',
        '  ok        ACME-001            Deployment shop/web  pass      pass',
        '  MISMATCH  ACME-001            Deployment shop/api  pass      fail',
        '      expected pass, got fail',
        '      message: api has no team label',
        '  MISMATCH  require-team-label  Deployment shop/api  fail      fail',
        '      expected message "api has no owner" not found',
        '      message: api has no team label',
        '  1 passed, 2 failed',
        '',
        '1 suite: 1 passed, 2 failed',
        '',
      ].join('\n'),
    );
    const failOnly = await runCli(['test', '--fail-only', 'team.test.yaml'], { cwd });
    assert.doesNotMatch(failOnly.stdout, / ok /);
    const json = JSON.parse((await runCli(['test', '-f', 'json', '.'], { cwd })).stdout);
    assert.deepEqual(json.summary, { passed: 1, failed: 2, unsupported: 0, suites: 1, unreadable: false });
    assert.equal(json.suites[0].rows[1].actual, 'fail');
  });

  it('reports unknown policies and resources as mismatches', async () => {
    const cwd = workdir({
      'policy.yaml': POLICY,
      'resources.yaml': RESOURCES,
      't.test.yaml': suite(`    - policy: ACME-404
      resources: [shop/web]
      result: pass
    - policy: ACME-001
      resources: [shop/gone]
      result: skip
`),
    });
    const r = await runCli(['test', 't.test.yaml'], { cwd });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /no policy ACME-404 among ACME-001/);
    assert.match(r.stdout, /no resource shop\/gone in the suite's resources/);
  });

  it('exits 2 when a suite, or a file it names, cannot be read', async () => {
    const cwd = workdir({
      'policy.yaml': POLICY,
      'bad.test.yaml': suite(`    - policy: ACME-001
      resources: [shop/web]
      result: maybe
`),
      'missing.test.yaml': suite(`    - policy: ACME-001\n      resources: [shop/web]\n      result: pass\n`),
    });
    const r = await runCli(['test', '.'], { cwd });
    assert.equal(r.code, 2);
    assert.match(r.stdout, /bad\.test\.yaml:10:7: error: spec\.results\[0\]\.result: expected one of "pass", "fail", "skip" \[PALISADE_TEST_INVALID\]/);
    assert.match(r.stdout, /resources\.yaml: error: path does not exist \[PALISADE_SOURCE_NOT_FOUND\]/);
    assert.match(r.stdout, /the suite could not be run completely/);
  });

  it('exits 2 when there is no suite, or the path does not exist', async () => {
    const cwd = workdir({ 'policy.yaml': POLICY });
    const none = await runCli(['test', '.'], { cwd });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no test suites \(PolicyTest documents or kyverno-test\.yaml files\) found in \. \[PALISADE_TEST_NO_SUITES\]/);
    assert.equal((await runCli(['test', 'nowhere'], { cwd })).code, 2);
    assert.equal((await runCli(['test'], { cwd })).code, 2);
  });
});
