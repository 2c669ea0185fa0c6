import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import type { Control } from '../../core/control.js';
import type { Finding } from '../../core/finding.js';
import { toDotted } from '../../core/path.js';
import { makeResource, type K8sObject, type Resource } from '../../core/resource.js';
import { DEFAULT_TEST_SETTINGS, runControlOn } from '../../engine/control-tester.js';
import { fingerprint, prepareControls, runControls } from '../../engine/engine.js';
import { scanManifests } from '../../engine/scan.js';
import { judgeClusterResources } from '../../engine/scan-cluster.js';
import { buildInventory } from '../../inventory/inventory.js';
import { DEFAULT_LIMITS, parseManifestText, type LoadResult } from '../../sources/manifests.js';
import { coveragePlan, kindsReadBy } from '../../sources/cluster/kinds.js';
import { clusterResource } from '../../sources/cluster/objects.js';
import { loadPolicies } from '../index.js';
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

/** A ClusterPolicy with one Pod rule requiring a team label; `extra` goes into spec, `match` into the rule. */
function teamPolicy(name: string, rule: Record<string, unknown>, extra: Record<string, unknown> = {}): KyvernoPolicyDoc {
  return {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: { name, annotations: { 'pod-policies.kyverno.io/autogen-controllers': 'none' } },
    spec: {
      ...extra,
      rules: [{ name: 'team', match: { any: [{ resources: { kinds: ['Pod'] } }] }, validate: { message: 'pods need a team label', pattern: { metadata: { labels: { team: '?*' } } } }, ...rule }],
    },
  };
}

const nsPod = (name: string, ns: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  containers: [{name: c, image: a:1}]\n`;
const namespace = (name: string, env: string) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}, labels: {env: ${env}}}\n`;

// A pod before its Namespace (judged once every object is seen), one after it (judged at
// once), and one in a namespace that is not among the scanned objects (no labels).
const LABELLED_INVENTORY = [nsPod('early', 'shop'), namespace('shop', 'prod'), namespace('lab', 'dev'), nsPod('late', 'shop'), nsPod('tool', 'lab'), nsPod('stray', 'ghost')].join('---\n');

function runScan(control: Control, yaml: string, file = 'inv.yaml') {
  const loaded: LoadResult = { resources: [], diagnostics: [], files: 0 };
  parseManifestText(yaml, file, false, DEFAULT_LIMITS, loaded);
  return runControls(buildInventory(loaded.resources), { controls: [control], settings: DEFAULT_TEST_SETTINGS });
}

const failingPods = (findings: readonly Finding[]) => findings.map((f) => f.resource.name).sort();

describe('Kyverno namespaceSelector in scans', () => {
  const prodOnly = teamPolicy('prod-team', { match: { any: [{ resources: { kinds: ['Pod'], namespaceSelector: { matchLabels: { env: 'prod' } } } }] } });

  it('matches by the labels of the Namespace objects among the scanned ones, whatever their order', () => {
    const [control] = kyvernoPolicyToControls(prodOnly, 'prod.yaml');
    const result = runScan(control!, LABELLED_INVENTORY);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(failingPods(result.findings), ['early', 'late']);
    assert.equal(result.controls[0]!.evaluated, 2);
    assert.equal(result.controls[0]!.failed, 2);
    // The pod judged after the walk has the same path, line and fingerprint as one judged during it.
    const [early, late] = ['early', 'late'].map((n) => result.findings.find((f) => f.resource.name === n)!);
    assert.equal(toDotted(early!.path), 'metadata.labels');
    assert.deepEqual(early!.path, late!.path);
    assert.equal(early!.message, late!.message);
    assert.match(early!.message, /pods need a team label/);
    assert.deepEqual([early!.location?.file, early!.location?.line], ['inv.yaml', 3]);
    assert.equal(early!.fingerprint, fingerprint('KYV-prod-team/team', '/Pod/shop/early', early!.path, 'fail'));
  });

  it('excludes by namespaceSelector; a namespace not among the scanned objects has no labels', () => {
    const notDev = teamPolicy('not-dev', { exclude: { any: [{ resources: { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] } } }] } });
    const [control] = kyvernoPolicyToControls(notDev, 'not-dev.yaml');
    const result = runScan(control!, LABELLED_INVENTORY);
    assert.deepEqual(failingPods(result.findings), ['early', 'late', 'stray']);
    assert.equal(result.controls[0]!.evaluated, 3);
  });

  it('reads the labels for validationFailureActionOverrides and CEL namespaceObject too', () => {
    const overrides = teamPolicy('overrides', {}, { validationFailureActionOverrides: [{ action: 'Enforce', namespaceSelector: { matchLabels: { env: 'prod' } } }] });
    const cel = teamPolicy('cel', { validate: { cel: { expressions: [{ expression: "namespaceObject.metadata.?labels.env.orValue('') != 'prod' || has(object.metadata.labels) && 'team' in object.metadata.labels", message: 'prod pods need a team label' }] } } });
    for (const doc of [overrides, cel]) {
      const [control] = kyvernoPolicyToControls(doc, 'p.yaml');
      assert.deepEqual(Object.keys(control!.check({ settings: DEFAULT_TEST_SETTINGS, options: {}, report() {} })).sort(), ['inventory', 'resource']);
      // A live scan lists Namespaces for it.
      assert.deepEqual(kindsReadBy(control!), ['Namespace', 'Pod']);
    }
    const [celControl] = kyvernoPolicyToControls(cel, 'cel.yaml');
    assert.deepEqual(failingPods(runScan(celControl!, LABELLED_INVENTORY).findings), ['early', 'late']);
  });

  it('keeps policies without namespace selectors on the per-object path', () => {
    const [control] = kyvernoPolicyToControls(teamPolicy('plain', {}), 'plain.yaml');
    assert.deepEqual(Object.keys(control!.check({ settings: DEFAULT_TEST_SETTINGS, options: {}, report() {} })), ['resource']);
    assert.deepEqual(kindsReadBy(control!), ['Pod']);
    assert.deepEqual(failingPods(runScan(control!, LABELLED_INVENTORY).findings), ['early', 'late', 'stray', 'tool']);
  });

  it('reports rule errors of objects judged after the walk as diagnostics naming them', () => {
    const erring = teamPolicy('erring', {
      match: { any: [{ resources: { kinds: ['Pod'], namespaceSelector: { matchLabels: { env: 'prod' } } } }] },
      context: [{ name: 'quota', apiCall: { urlPath: '/api/v1/namespaces/{{request.namespace}}/resourcequotas' } }],
      validate: { message: 'too big', deny: { conditions: { any: [{ key: '{{ quota.items | length(@) }}', operator: 'GreaterThan', value: 0 }] } } },
    });
    const [control] = kyvernoPolicyToControls(erring, 'erring.yaml');
    const result = runScan(control!, LABELLED_INVENTORY);
    assert.equal(result.findings.length, 0);
    assert.deepEqual(result.diagnostics.map((d) => d.code), ['PALISADE_ENGINE_CONTROL_FAILED', 'PALISADE_ENGINE_CONTROL_FAILED']);
    assert.match(result.diagnostics[1]!.message, /Pod shop\/early in inv\.yaml: team: unsupported offline: apiCall/);
    assert.doesNotMatch(result.diagnostics.map((d) => d.message).join('\n'), /tool|stray/);
  });

  it('sees the Namespace the admission webhook knows, and its new labels once relabelled', () => {
    const [control] = kyvernoPolicyToControls(prodOnly, 'prod.yaml');
    const prepared = prepareControls({ controls: [control!], settings: DEFAULT_TEST_SETTINGS });
    const pod = makeResource(parse(nsPod('web', 'shop')) as K8sObject, { type: 'admission', uid: '1' });
    const ns = (env: string) => makeResource(parse(namespace('shop', env)) as K8sObject, { type: 'admission', uid: env });
    // As the webhook builds it: the reviewed object first, then its namespace's known objects.
    const judge = (context: Resource[]) => runControls(buildInventory([pod, ...context]), prepared).findings.filter((f) => f.resource.key === pod.key);
    assert.deepEqual(failingPods(judge([ns('prod')])), ['web']);
    assert.deepEqual(judge([ns('dev')]), []);
    assert.deepEqual(judge([]), []);
    assert.deepEqual(failingPods(judge([ns('prod')])), ['web']);
  });
});

describe('palisade scan with a Kyverno namespaceSelector', () => {
  it('fails only the pods of the labelled namespace among the scanned files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-kyv-ns-'));
    try {
      writeFileSync(join(dir, 'pods.yaml'), [nsPod('api', 'shop'), nsPod('tool', 'lab'), nsPod('stray', 'ghost')].join('---\n'));
      writeFileSync(join(dir, 'namespaces.yaml'), [namespace('shop', 'prod'), namespace('lab', 'dev')].join('---\n'));
      writeFileSync(join(dir, 'policy.yaml'), stringify(teamPolicy('prod-team', { match: { any: [{ resources: { kinds: ['Pod'], namespaceSelector: { matchLabels: { env: 'prod' } } } }] } })));
      const policies = loadPolicies([join(dir, 'policy.yaml')], dir);
      assert.deepEqual(policies.diagnostics, []);
      const result = await scanManifests({ inputs: ['pods.yaml', 'namespaces.yaml'], root: dir, controls: policies.controls, settings: DEFAULT_TEST_SETTINGS });
      assert.deepEqual(result.findings.map((f) => `${f.resource.namespace}/${f.resource.name} ${f.location?.file}:${f.location?.line}`), ['shop/api pods.yaml:3']);
      assert.equal(result.controls.find((c) => c.meta.id === 'KYV-prod-team/team')?.evaluated, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('palisade scan --cluster with a Kyverno namespaceSelector', () => {
  it('lists Namespaces and matches by the labels read from the cluster', () => {
    const controls = kyvernoPolicyToControls(teamPolicy('prod-team', { match: { any: [{ resources: { kinds: ['Pod'], namespaceSelector: { matchLabels: { env: 'prod' } } } }] } }), 'prod.yaml');
    assert.ok(coveragePlan(controls).kinds.some((k) => k.kind === 'Namespace'));
    const objects = [nsPod('api', 'shop'), nsPod('tool', 'lab'), namespace('shop', 'prod'), namespace('lab', 'dev')].map((y, i) => {
      const o = parse(y) as K8sObject;
      (o.metadata as Record<string, unknown>).uid = `u${i}`;
      return clusterResource(o, 'unit');
    });
    const result = judgeClusterResources('unit', objects, [], { controls, settings: DEFAULT_TEST_SETTINGS });
    assert.deepEqual(result.findings.map((f) => `${f.resource.namespace}/${f.resource.name}`), ['shop/api']);
    assert.equal(result.controls[0]!.evaluated, 1);
  });
});
