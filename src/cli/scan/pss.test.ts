import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { pssDecision } from '../../controls/pss/index.js';
import { runCli } from '../testing.js';

const POD = `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: apps}
spec:
  securityContext:
    seccompProfile: {type: Unconfined}
  containers:
    - name: app
      image: registry.example.com/app:1.0
      securityContext:
        capabilities: {add: [SYS_ADMIN]}
`;

async function pssFindings(framework: string, version: string): Promise<string[]> {
  const cwd = mkdtempSync(join(tmpdir(), 'palisade-pss-'));
  writeFileSync(join(cwd, 'pod.yaml'), POD);
  const r = await runCli(['scan', 'pod.yaml', '--framework', framework, '--pss-version', version, '-f', 'json'], { cwd });
  assert.notEqual(r.code, 2, r.stderr);
  const out = JSON.parse(r.stdout);
  return [...new Set<string>(out.findings.map((f: { controlId: string }) => f.controlId))].sort();
}

describe('scan --framework pss-*', () => {
  it('runs at restricted exactly the checks Pod Security Admission runs at that version', async () => {
    const restricted = await pssFindings('pss-restricted', 'v1.30');
    assert.ok(restricted.includes('PSS-SECCOMP-PROFILE-RESTRICTED'));
    assert.ok(restricted.includes('PSS-CAPABILITIES-RESTRICTED'));
    assert.ok(!restricted.includes('PSS-SECCOMP-PROFILE-BASELINE'), 'replaced by the restricted form since v1.19');
    assert.ok(!restricted.includes('PSS-CAPABILITIES-BASELINE'), 'replaced by the restricted form since v1.22');
    const old = await pssFindings('pss-restricted', 'v1.18');
    assert.ok(old.includes('PSS-SECCOMP-PROFILE-BASELINE') === false || !old.includes('PSS-SECCOMP-PROFILE-RESTRICTED'));
    assert.ok(old.includes('PSS-CAPABILITIES-BASELINE'), 'before v1.22 the baseline capabilities check runs at restricted');
  });

  it('runs only baseline checks for pss-baseline', async () => {
    const baseline = await pssFindings('pss-baseline', 'latest');
    assert.deepEqual(baseline, ['PSS-CAPABILITIES-BASELINE', 'PSS-SECCOMP-PROFILE-BASELINE']);
  });

  it('agrees with pssDecision on allow/deny per level and version', async () => {
    for (const version of ['v1.0', 'v1.18', 'v1.22', 'v1.25', 'latest']) {
      for (const level of ['baseline', 'restricted'] as const) {
        const scanned = await pssFindings(`pss-${level}`, version);
        const decision = pssDecision(parse(POD), level, version);
        assert.equal(scanned.length === 0, decision.allowed, `${level} ${version}`);
        assert.deepEqual(scanned, [...new Set(decision.violations.map((v) => v.controlId))].sort(), `${level} ${version}`);
      }
    }
  });
});
