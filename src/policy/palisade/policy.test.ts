import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Control } from '../../core/control.js';
import { runControls } from '../../engine/engine.js';
import { buildInventory } from '../../inventory/inventory.js';
import { DEFAULT_LIMITS, parseManifestText, type LoadResult } from '../../sources/manifests.js';
import { loadPolicies } from '../index.js';
import { parseFieldPath } from './policy.js';

function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-policy-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const HEADER = `apiVersion: palisade.dev/v1
kind: Policy
metadata:
  name: replicas
spec:
  id: T-001
  title: Few replicas
  severity: low
  description: Checks the number of replicas.
  remediation: Use fewer replicas.
`;

/** The character at a 1-based line and column. */
const charAt = (text: string, line: number, column: number) => text.split('\n')[line - 1]![column - 1];

function scan(controls: readonly Control[], yaml: string) {
  const loaded: LoadResult = { resources: [], diagnostics: [], files: 0 };
  parseManifestText(yaml, 'k8s.yaml', false, DEFAULT_LIMITS, loaded);
  return runControls(buildInventory(loaded.resources), { controls, settings: { allowedRegistries: [], pssVersion: 'latest' } });
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 7
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

describe('CEL errors in policy files point at the offending character', () => {
  it('in a plain scalar', () => {
    const text = `${HEADER}  validations:\n    - expression: object.spec.replicas <= ) && true\n`;
    const dir = workdir({ 'p.yaml': text });
    const { diagnostics, controls } = loadPolicies(['p.yaml'], dir);
    assert.equal(diagnostics.length, 1);
    const d = diagnostics[0]!;
    assert.equal(d.code, 'PALISADE_CEL_SYNTAX');
    assert.equal(d.field, 'spec.validations[0].expression');
    assert.deepEqual([d.file, d.line, d.column], ['p.yaml', 12, 43]);
    assert.equal(charAt(text, d.line!, d.column!), ')');
    // The policy still loads and fails closed on every object it matches.
    assert.equal(controls.length, 1);
    const findings = scan(controls, DEPLOYMENT).findings;
    assert.deepEqual(findings.map((f) => f.messageId), ['error']);
    assert.match(findings[0]!.message, /T-001 validation violation could not be evaluated: it does not compile/);
  });

  it('in a | block scalar', () => {
    const text = `${HEADER}  validations:\n    - expression: |\n        has(object.metadata.labels) &&\n          object.metadata.labels.team.startsWith("x") &&\n          object.spec.replicas <= 5 ]\n      message: too many\n`;
    const dir = workdir({ 'p.yaml': text });
    const d = loadPolicies(['p.yaml'], dir).diagnostics[0]!;
    assert.equal(d.code, 'PALISADE_CEL_SYNTAX');
    assert.deepEqual([d.file, d.line, d.column], ['p.yaml', 15, 37]);
    assert.equal(charAt(text, d.line!, d.column!), ']');
  });

  it('in a double-quoted scalar with escapes', () => {
    const text = `${HEADER}  validations:\n    - expression: "object.metadata.name == \\"web\\" && object.spec.replicas >< 2"\n`;
    const d = loadPolicies(['p.yaml'], workdir({ 'p.yaml': text })).diagnostics[0]!;
    assert.equal(d.line, 12);
    assert.equal(charAt(text, d.line!, d.column!), '<');
  });

  it('type errors and undefined variables too', () => {
    const text = `${HEADER}  variables:\n    - name: limit\n      expression: "5"\n  validations:\n    - expression: object.spec.replicas + variables.limitt\n    - expression: "'not a bool'"\n`;
    const ds = loadPolicies(['p.yaml'], workdir({ 'p.yaml': text })).diagnostics;
    assert.deepEqual(
      ds.map((d) => [d.code, d.line, d.column]),
      [
        ['PALISADE_CEL_TYPE', 15, 52],
        ['PALISADE_CEL_TYPE', 16, 20],
      ],
    );
    assert.match(ds[0]!.message, /undefined variable 'limitt'/);
    assert.match(ds[1]!.message, /must evaluate to bool, not string/);
  });
});

describe('evaluation', () => {
  it('reports a failed validation at its path, with the message and the observed value', () => {
    const text = `${HEADER}  match:\n    kinds: [Deployment]\n  validations:\n    - expression: object.spec.replicas <= 5\n      messageExpression: "'replicas is ' + string(object.spec.replicas) + ', more than 5'"\n      path: spec.replicas\n`;
    const { controls } = loadPolicies(['p.yaml'], workdir({ 'p.yaml': text }));
    const [f] = scan(controls, DEPLOYMENT).findings;
    assert.equal(f!.controlId, 'T-001');
    assert.equal(f!.messageId, 'violation');
    assert.equal(f!.message, 'replicas is 7, more than 5');
    assert.deepEqual(f!.path, ['spec', 'replicas']);
    assert.equal(f!.location?.line, 7);
    assert.equal(f!.evidence, 7);
    assert.equal(f!.severity, 'low');
  });

  it('$podSpec paths and the podSpec variable work for every workload kind', () => {
    const text = `${HEADER}  validations:\n    - name: no-latest\n      expression: "podSpec == null || podSpec.containers.all(c, !c.image.endsWith(':latest'))"\n      message: an image uses the latest tag\n      path: $podSpec.containers[0].image\n`;
    const { controls } = loadPolicies(['p.yaml'], workdir({ 'p.yaml': text }));
    const cron = `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: shop}\nspec:\n  schedule: "* * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: c\n              image: busybox:latest\n`;
    const result = scan(controls, `${DEPLOYMENT}---\n${cron}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: shop}\n`);
    assert.equal(result.findings.length, 1);
    assert.deepEqual(result.findings[0]!.path, ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers', 0, 'image']);
    assert.equal(result.findings[0]!.messageId, 'no-latest');
    assert.equal(result.controls[0]!.evaluated, 3);
  });

  it('matches by kind, group, namespace, name, labels and conditions', () => {
    const text = `${HEADER}  match:\n    kinds: [apps/Deployment]\n    namespaces: [sh*]\n    excludeNamespaces: [shop-legacy]\n    labels: {tier: web}\n    conditions:\n      - name: scaled\n        expression: has(object.spec.replicas)\n  validations:\n    - expression: "false"\n      message: matched\n`;
    const { controls } = loadPolicies(['p.yaml'], workdir({ 'p.yaml': text }));
    const d = (name: string, ns: string, labels: string, replicas = 'replicas: 1') =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}\nspec: {${replicas}}\n`;
    const yaml = [d('a', 'shop', 'tier: web'), d('b', 'shop-legacy', 'tier: web'), d('c', 'other', 'tier: web'), d('d', 'shop', 'tier: db'), d('e', 'shop', 'tier: web', 'paused: true')].join('---\n');
    assert.deepEqual(scan(controls, yaml).findings.map((f) => f.resource.name), ['a']);
  });

  it('a runaway expression hits the cost limit: a clear costExceeded finding, or nothing with failurePolicy Ignore', () => {
    const L = `[${Array.from({ length: 300 }, (_, i) => i).join(', ')}]`;
    const text = (policy: string) => `${HEADER}${policy}  validations:\n    - expression: "${L}.all(x, ${L}.all(y, ${L}.all(z, x + y + z >= 0)))"\n`;
    const started = performance.now();
    const fail = loadPolicies(['p.yaml'], workdir({ 'p.yaml': text('') }));
    assert.deepEqual(fail.diagnostics, []);
    const findings = scan(fail.controls, DEPLOYMENT).findings;
    assert.ok(performance.now() - started < 5000);
    assert.deepEqual(findings.map((f) => f.messageId), ['costExceeded']);
    assert.match(findings[0]!.message, /^T-001 validation violation could not be evaluated: CEL expression exceeded its cost budget of 1000000 and was stopped: \[0, 1, 2/);
    const ignore = loadPolicies(['p.yaml'], workdir({ 'p.yaml': text('  failurePolicy: Ignore\n') }));
    const r = scan(ignore.controls, DEPLOYMENT);
    assert.deepEqual(r.findings, []);
    assert.equal(r.controls[0]!.evaluated, 0);
  });
});

describe('field paths', () => {
  it('reads dotted paths with indexes and quoted keys, JSON pointers and $podSpec', () => {
    assert.deepEqual(parseFieldPath('spec.template.spec.containers[0].image'), { path: ['spec', 'template', 'spec', 'containers', 0, 'image'], fromPodSpec: false });
    assert.deepEqual(parseFieldPath("metadata.labels['app.kubernetes.io/name']"), { path: ['metadata', 'labels', 'app.kubernetes.io/name'], fromPodSpec: false });
    assert.deepEqual(parseFieldPath('/metadata/annotations/a~1b'), { path: ['metadata', 'annotations', 'a/b'], fromPodSpec: false });
    assert.deepEqual(parseFieldPath('$podSpec.securityContext'), { path: ['securityContext'], fromPodSpec: true });
    assert.equal(parseFieldPath('spec..x'), undefined);
  });
});
