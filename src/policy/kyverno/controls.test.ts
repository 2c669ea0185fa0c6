import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { runControlOn } from '../../engine/control-tester.js';
import { toDotted } from '../../core/path.js';
import { PACKAGE_ROOT } from '../../core/version.js';
import { convertKyvernoPolicy, kyvernoPolicyToControls } from './controls.js';
import type { KyvernoPolicyDoc } from './types.js';

const EXAMPLES = join(PACKAGE_ROOT, 'examples', 'policies', 'kyverno');

function example(dir: string, file = 'policy.yaml'): KyvernoPolicyDoc {
  return parse(readFileSync(join(EXAMPLES, dir, file), 'utf8')) as KyvernoPolicyDoc;
}

const LATEST_POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
    - name: web
      image: nginx:1.25
    - name: sidecar
      image: busybox:latest
`;

describe('Kyverno policies as Palisade controls', () => {
  it('makes one control per validate rule with metadata from the policy annotations', () => {
    const controls = kyvernoPolicyToControls(example('disallow-latest-tag'), { file: 'policies/latest.yaml', line: 1 });
    assert.deepEqual(controls.map((c) => c.meta.id), ['KYV-disallow-latest-tag/require-image-tag', 'KYV-disallow-latest-tag/validate-image-tag']);
    const m = controls[1]!.meta;
    assert.equal(m.title, 'Disallow Latest Tag (validate-image-tag)');
    assert.equal(m.severity, 'medium');
    assert.equal(m.category, 'Best Practices');
    assert.match(m.description, /^A tag such as ':latest'/);
    assert.match(m.description, /from policies\/latest\.yaml:1/);
    assert.equal(m.slug, 'kyverno-disallow-latest-tag-validate-image-tag');
    assert.ok(m.appliesTo.includes('Pod') && m.appliesTo.includes('CronJob'));
  });

  it('reports failures with the message, the failing field and its line', () => {
    const [, validateTag] = kyvernoPolicyToControls(example('disallow-latest-tag'), 'latest.yaml');
    const findings = runControlOn(validateTag!, LATEST_POD);
    assert.equal(findings.length, 1);
    const f = findings[0]!;
    assert.equal(f.controlId, 'KYV-disallow-latest-tag/validate-image-tag');
    assert.equal(toDotted(f.path), 'spec.containers[1].image');
    assert.equal(f.location?.line, 11);
    assert.equal(f.evidence, 'busybox:latest');
    assert.match(f.message, /The tag 'latest' is mutable/);
  });

  it('checks pod templates of controllers under the rule they were generated from', () => {
    const [, validateTag] = kyvernoPolicyToControls(example('disallow-latest-tag'), 'latest.yaml');
    const findings = runControlOn(
      validateTag!,
      `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: shop}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: ghcr.io/acme/job:latest
`,
    );
    assert.equal(findings.length, 1);
    assert.equal(toDotted(findings[0]!.path), 'spec.jobTemplate.spec.template.spec.containers[0].image');
  });

  it('uses namespaced ids for namespaced Policies', () => {
    const controls = kyvernoPolicyToControls(example('team-a-limits'), 'team-a.yaml');
    assert.deepEqual(controls.map((c) => c.meta.id), ['KYV-team-a/require-requests/requests']);
    assert.equal(controls[0]!.meta.severity, 'low');
  });

  it('lists mutate and generate rules as skipped instead of making controls for them', () => {
    const converted = convertKyvernoPolicy(example('unsupported-rules'), 'ns.yaml');
    assert.deepEqual(converted.controls.map((c) => c.meta.id), ['KYV-namespace-defaults/namespace-name']);
    assert.deepEqual(converted.skipped.map((s) => s.rule), ['add-owner-label', 'default-deny']);
  });

  it('surfaces rule errors as engine diagnostics rather than passes', () => {
    const [quota] = kyvernoPolicyToControls(example('replica-budgets'), 'budgets.yaml').filter((c) => c.meta.id.endsWith('/fits-namespace-quota'));
    assert.throws(
      () =>
        runControlOn(
          quota!,
          `apiVersion: apps/v1
kind: Deployment
metadata: {name: big, namespace: shop}
spec:
  replicas: 9
  template:
    spec:
      containers: [{name: c, image: ghcr.io/acme/c:1}]
`,
        ),
      /unsupported offline: apiCall context entry "quota"/,
    );
  });

  it('reports warnings of policies that are not scored, and no finding for passing resources', () => {
    const [readiness] = kyvernoPolicyToControls(example('require-probes-audit'), 'probes.yaml');
    const findings = runControlOn(readiness!, `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: dev}\nspec:\n  containers: [{name: c, image: a:1}]\n`);
    assert.equal(findings[0]?.messageId, 'warn');
    assert.deepEqual(runControlOn(readiness!, `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: a:1, readinessProbe: {exec: {command: [true]}}}]\n`), []);
  });
});
