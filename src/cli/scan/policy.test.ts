import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../testing.js';

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers: [{name: app, image: registry.example.com/web:1.0}]
`;

describe('scan --policy', () => {
  it('runs custom policies like built-in controls, with their framework mappings', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'palisade-pol-'));
    writeFileSync(join(cwd, 'web.yaml'), DEPLOY);
    const policy = resolve('examples/policies/palisade/require-team-label.yaml');
    const r = await runCli(['scan', 'web.yaml', '--policy', policy, '--control', 'ACME-001', '--framework', 'soc2', '-f', 'json'], { cwd });
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.findings.map((f: { controlId: string }) => f.controlId), ['ACME-001']);
    assert.match(out.findings[0].message, /Deployment web has no team label/);
    assert.equal(out.findings[0].location.file, 'web.yaml');
    const soc2 = out.frameworks.find((f: { id: string }) => f.id === 'soc2');
    const cc61 = soc2.requirements.find((q: { id: string }) => q.id === 'CC6.1');
    assert.ok(cc61.controls.includes('ACME-001'));
    assert.equal(cc61.status, 'fail');
  });

  it('reports a CEL syntax error with file, line and column, exit 2, and still scans', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'palisade-pol-'));
    writeFileSync(join(cwd, 'web.yaml'), DEPLOY);
    writeFileSync(
      join(cwd, 'bad-policy.yaml'),
      `apiVersion: palisade.dev/v1
kind: Policy
metadata: {name: broken}
spec:
  id: ACME-009
  title: Broken policy
  severity: low
  category: test
  description: A policy whose expression does not parse.
  remediation: Fix the expression.
  match: {kinds: [Deployment]}
  validations:
    - expression: "object.spec.replicas <= "
      message: too many replicas
`,
    );
    const r = await runCli(['scan', 'web.yaml', '--policy', 'bad-policy.yaml', '--control', 'PAL-POD-001'], { cwd });
    assert.equal(r.code, 2);
    assert.match(r.stdout + r.stderr, /bad-policy\.yaml:13:\d+: error: .*CEL syntax error/);
  });
});
