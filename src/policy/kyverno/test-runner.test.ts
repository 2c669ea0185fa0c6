import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../core/version.js';
import { findTestFiles, formatKyvernoTestReport, runKyvernoTestSuite } from './test-runner.js';

const EXAMPLES = join(PACKAGE_ROOT, 'examples', 'policies', 'kyverno');

/** Cases the sample suites declare on purpose for what Palisade cannot check offline. */
const EXPECTED_UNSUPPORTED: Record<string, number> = { 'replica-budgets': 1, 'unsupported-rules': 3 };

describe('the sample Kyverno policies and their kyverno-test.yaml suites', () => {
  const files = findTestFiles(EXAMPLES);

  it('has at least fifteen sample policies with a suite each', () => {
    assert.ok(files.length >= 15, `found ${files.length} suites under ${EXAMPLES}`);
  });

  for (const file of files) {
    const name = file.split(/[\\/]/).at(-2)!;
    it(`${name}: every expected result matches`, () => {
      const report = runKyvernoTestSuite(file, { root: PACKAGE_ROOT });
      const text = formatKyvernoTestReport(report, { failOnly: true });
      assert.deepEqual(report.diagnostics, [], text);
      const [f] = report.files;
      assert.ok(f && f.cases.length > 0, `${name} declares no results`);
      assert.equal(report.counts.fail, 0, text);
      assert.equal(report.counts.unsupported, EXPECTED_UNSUPPORTED[name] ?? 0, text);
      assert.equal(report.ok, true);
    });
  }
});

function suite(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pal-kyv-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const POLICY = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-team
spec:
  rules:
    - name: team-label
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        message: team label required
        pattern:
          metadata:
            labels:
              team: "?*"
`;

const PODS = `apiVersion: v1
kind: Pod
metadata:
  name: labelled
  namespace: shop
  labels: {team: a}
spec:
  containers: [{name: c, image: nginx:1.25}]
---
apiVersion: v1
kind: Pod
metadata:
  name: bare
  namespace: shop
spec:
  containers: [{name: c, image: nginx:1.25}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bare
  namespace: shop
spec:
  template:
    spec:
      containers: [{name: c, image: nginx:1.25}]
`;

describe('runKyvernoTestSuite', () => {
  it('fails a case whose expected result differs, with the diff and the failing field', () => {
    const dir = suite({
      'policy.yaml': POLICY,
      'pods.yaml': PODS,
      'kyverno-test.yaml': `apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata: {name: wrong}
policies: [policy.yaml]
resources: [pods.yaml]
results:
  - {policy: require-team, rule: team-label, kind: Pod, resources: [bare], result: pass}
  - {policy: require-team, rule: team-label, kind: Pod, resources: [labelled], result: pass}
`,
    });
    const report = runKyvernoTestSuite(dir, { root: dir });
    assert.equal(report.ok, false);
    assert.deepEqual(report.counts, { pass: 1, fail: 1, unsupported: 0 });
    const failed = report.files[0]!.cases.find((c) => c.outcome === 'fail')!;
    assert.equal(failed.reason, 'Want pass, got fail');
    assert.equal(failed.actual, 'fail');
    assert.equal(failed.path, 'metadata.labels');
    assert.match(failed.location ?? '', /^pods\.yaml:1[0-9]$/);
    assert.match(formatKyvernoTestReport(report), /FAIL .*require-team\/team-label {2}Pod\/bare {2}expected pass, got fail — Want pass, got fail/);
    assert.match(formatKyvernoTestReport(report), /Test Summary: 1 tests passed and 1 tests failed/);
  });

  it('fails a result that names a resource or a policy the test does not have', () => {
    const dir = suite({
      'policy.yaml': POLICY,
      'pods.yaml': PODS,
      'kyverno-test.yaml': `apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata: {name: missing}
policies: [policy.yaml]
resources: [pods.yaml]
results:
  - {policy: require-team, rule: team-label, kind: Pod, resources: [ghost], result: fail}
  - {policy: no-such-policy, rule: team-label, kind: Pod, resources: [bare], result: fail}
`,
    });
    const cases = runKyvernoTestSuite(dir, { root: dir }).files[0]!.cases;
    assert.deepEqual(
      cases.map((c) => [c.outcome, c.reason.split(':')[0]]),
      [
        ['fail', 'Not found'],
        ['fail', 'Not found'],
      ],
    );
  });

  it('reads the older format without apiVersion (resource, status, namespace) and matches autogen rules', () => {
    const dir = suite({
      'policy.yaml': POLICY,
      'pods.yaml': PODS,
      'kyverno-test.yaml': `name: legacy
policies: [policy.yaml]
resources: [pods.yaml]
results:
  - {policy: require-team, rule: team-label, kind: Pod, resource: bare, namespace: shop, status: fail}
  - {policy: require-team, rule: team-label, kind: Deployment, resource: bare, status: fail}
`,
    });
    const report = runKyvernoTestSuite(dir, { root: dir });
    assert.equal(report.files[0]!.name, 'legacy');
    assert.deepEqual(report.counts, { pass: 2, fail: 0, unsupported: 0 });
    assert.equal(report.files[0]!.cases[1]!.matchedRule, 'autogen-team-label');
  });

  it('counts a rule that does not apply as passed (Excluded), as kyverno test does, and says so', () => {
    const dir = suite({
      'policy.yaml': POLICY,
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n',
      'kyverno-test.yaml': `apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata: {name: excluded}
policies: [policy.yaml]
resources: [cm.yaml]
results:
  - {policy: require-team, rule: team-label, kind: ConfigMap, resources: [settings], result: fail}
`,
    });
    const c = runKyvernoTestSuite(dir, { root: dir }).files[0]!.cases[0]!;
    assert.equal(c.outcome, 'pass');
    assert.equal(c.actual, 'excluded');
    assert.match(c.reason, /^Excluded: .*counts this as passed; expected fail/);
  });

  it('applies global and per-rule values, and reports unsupported checks instead of failing', () => {
    const dir = suite({
      'policy.yaml': `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: env-check}
spec:
  rules:
    - name: env
      match: {any: [{resources: {kinds: [ConfigMap]}}]}
      context:
        - name: settings
          configMap: {name: platform, namespace: kube-system}
      validate:
        message: "only {{ settings.data.env }} is allowed"
        deny:
          conditions:
            any:
              - {key: "{{ request.object.data.env }}", operator: NotEquals, value: "{{ settings.data.env }}"}
              - {key: "{{ request.operation }}", operator: Equals, value: DELETE}
`,
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {env: prod}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {env: dev}\n',
      'values.yaml': `policies:
  - name: env-check
    rules:
      - name: env
        values:
          settings.data.env: prod
globalValues:
  request.operation: UPDATE
`,
      'kyverno-test.yaml': `apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata: {name: values}
policies: [policy.yaml]
resources: [cm.yaml]
variables: values.yaml
checks:
  - match: {resource: {kind: ConfigMap}}
    assert: {status: pass}
results:
  - {policy: env-check, rule: env, kind: ConfigMap, resources: [a], result: pass}
  - {policy: env-check, rule: env, kind: ConfigMap, resources: [b], result: fail}
  - {policy: env-check, rule: env, kind: ConfigMap, resources: [a], result: pass, patchedResources: patched.yaml}
`,
    });
    const report = runKyvernoTestSuite(dir, { root: dir });
    assert.deepEqual(report.counts, { pass: 2, fail: 0, unsupported: 1 });
    assert.match(report.files[0]!.notes.join('\n'), /"checks" assertion\(s\) are not evaluated/);
  });

  it('reports a test file that is not a Kyverno Test as a diagnostic', () => {
    const dir = suite({ 'kyverno-test.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
    const report = runKyvernoTestSuite(dir, { root: dir });
    assert.equal(report.ok, false);
    assert.equal(report.diagnostics[0]?.code, 'PALISADE_SOURCE_BAD_OBJECT');
  });

  it('reports a directory without tests', () => {
    const report = runKyvernoTestSuite(suite({ 'x.yaml': 'a: 1\n' }));
    assert.equal(report.ok, false);
    assert.equal(report.diagnostics[0]?.code, 'PALISADE_SOURCE_NOT_FOUND');
  });
});
