import assert, { AssertionError } from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Control, ControlSettings } from '../core/control.js';
import type { Inventory } from '../core/inventory.js';
import type { JsonPath } from '../core/path.js';
import type { Resource } from '../core/resource.js';
import { PACKAGE_ROOT } from '../core/version.js';
import { DEFAULT_TEST_SETTINGS, type TestCase } from '../engine/control-tester.js';
import { prepareControls, runControls, type EngineOptions, type PreparedControls } from '../engine/engine.js';
import { buildInventory } from '../inventory/inventory.js';
import { DEFAULT_LIMITS, loadManifests, parseManifestText, type LoadResult } from '../sources/manifests.js';
import { HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE } from './control-plane/__fixtures__/static-pods.js';
import { allControls, CONTROLS } from './registry.js';
import { resourceControlCases } from './resources/__fixtures__/resource-cases.js';
import { probeControlCases } from './workload/__fixtures__/probe-cases.js';

/*
 * A control marked reusableVisitor has its visitor made once per prepared set and shared by
 * every run (the admission webhook's reviews). These tests hold each marked control to that
 * promise: prepared runs, repeated and over different inventories in turn, find exactly what
 * a fresh, unprepared run finds.
 */

/** Objects the examples leave out, so that most marked controls find something to compare. */
const EXTRA = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: policy-guard}
webhooks:
  - name: validate.policy-guard.example.com
    failurePolicy: Ignore
    timeoutSeconds: 25
    sideEffects: None
    admissionReviewVersions: [v1]
    clientConfig: {url: 'http://policy-guard.example.com/validate'}
    namespaceSelector:
      matchExpressions:
        - {key: team, operator: NotIn, values: [payments]}
    rules:
      - {apiGroups: [''], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.example.com}
spec: {group: metrics.example.com, version: v1beta1, insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100}
---
apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
    - name: kube-apiserver
      image: registry.k8s.io/kube-apiserver:v1.31.0
      command: [kube-apiserver, --authorization-mode=Node,RBAC]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: open, namespace: shop}
spec:
  rules:
    - {}
    - from: [{source: {principals: ['*']}}]
      to: [{operation: {ports: ['5432']}}]
---
apiVersion: v1
kind: Service
metadata: {name: public, namespace: shop}
spec:
  type: LoadBalancer
  ports: [{port: 443}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: any-in, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: powers}
rules:
  - {apiGroups: [rbac.authorization.k8s.io], resources: [roles, clusterroles], verbs: [escalate, bind]}
  - {apiGroups: [''], resources: [nodes/proxy, serviceaccounts/token], verbs: [get, create]}
  - {apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations], verbs: [update]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: powers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: powers}
subjects:
  - {kind: ServiceAccount, name: default, namespace: shop}
  - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: 'system:unauthenticated'}
---
apiVersion: v1
kind: Pod
metadata:
  name: odd
  namespace: shop
  annotations: {seccomp.security.alpha.kubernetes.io/pod: unconfined}
spec:
  securityContext:
    sysctls: [{name: kernel.msgmax, value: '65536'}]
    windowsOptions: {hostProcess: true}
    appArmorProfile: {type: Unconfined}
    seLinuxOptions: {type: spc_t}
    seccompProfile: {type: Unconfined}
  containers:
    - name: app
      image: registry.example.com/shop/app:1.0
      ports: [{containerPort: 8080, hostPort: 8080}]
      livenessProbe: {httpGet: {host: 10.0.0.1, port: 8080, path: /}}
      securityContext: {procMount: Unmasked}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: api-caller, namespace: shop}
automountServiceAccountToken: true
---
apiVersion: v1
kind: Pod
metadata: {name: caller, namespace: shop}
spec:
  serviceAccountName: api-caller
  containers:
    - {name: app, image: registry.example.com/shop/app:1.0, resources: {limits: {cpu: '1'}}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
    - {type: Container, default: {memory: 256Mi}, defaultRequest: {cpu: 100m}}
`;

function parsed(text: string, file: string): Resource[] {
  const out: LoadResult = { resources: [], diagnostics: [], files: 0 };
  parseManifestText(text, file, false, DEFAULT_LIMITS, out);
  assert.deepEqual(out.diagnostics.filter((d) => d.level === 'error'), [], file);
  return out.resources;
}

function caseTexts(cases: { valid: (TestCase | string)[]; invalid: TestCase[] }): string[] {
  return [...cases.valid, ...cases.invalid].map((c) => (typeof c === 'string' ? c : c.yaml));
}

/** Named inventories: the examples (each folder and all together) and the test fixtures. */
function inventories(): [string, Inventory][] {
  const examples = (dirs: string[]) => loadManifests(dirs, { root: join(PACKAGE_ROOT, 'examples'), render: false, workers: 0 }).resources;
  const out: [string, Inventory][] = [
    ['examples', buildInventory(examples(['storefront', 'legacy', 'rbac']))],
    ['extra objects', buildInventory(parsed(EXTRA, 'extra.yaml'))],
    ['storefront', buildInventory(examples(['storefront']))],
    ['legacy', buildInventory(examples(['legacy']))],
    ['insecure control plane', buildInventory(parsed(INSECURE_CONTROL_PLANE, 'insecure.yaml'))],
    ['hardened control plane', buildInventory(parsed(HARDENED_CONTROL_PLANE, 'hardened.yaml'))],
  ];
  const fixtures = [
    ...caseTexts(resourceControlCases({ bound: 'limits', resource: 'memory', messageId: 'noMemoryLimit' })),
    ...caseTexts(resourceControlCases({ bound: 'requests', resource: 'cpu', messageId: 'noCpuRequest' })),
    ...caseTexts(probeControlCases('livenessProbe')),
  ];
  fixtures.forEach((text, i) => out.push([`fixture #${i}`, buildInventory(parsed(text, `fixture-${i}.yaml`))]));
  return out;
}

/** Fails unless a run of the prepared set finds what a fresh run with the same options finds. */
function assertSameAsFresh(prepared: PreparedControls, inv: Inventory, opts: EngineOptions, what: string): number {
  const got = runControls(inv, prepared);
  const want = runControls(inv, opts);
  assert.equal(JSON.stringify(got), JSON.stringify(want), what);
  return want.findings.length;
}

/** Runs the prepared set twice on every inventory in turn, each run checked against a fresh one. */
function assertReusable(opts: EngineOptions, invs: [string, Inventory][]): number {
  const prepared = prepareControls(opts);
  let findings = 0;
  for (const [name, inv] of invs) {
    for (const round of [1, 2]) findings += assertSameAsFresh(prepared, inv, opts, `${name}, run ${round}`);
  }
  return findings;
}

const reusable = allControls().filter((c) => c.reusableVisitor === true);

const SETTINGS: [string, ControlSettings][] = [
  ['default settings', DEFAULT_TEST_SETTINGS],
  ['allowed registries and an old PSS version', { allowedRegistries: ['registry.example.com', 'docker.io/library'], pssVersion: 'v1.18' }],
];

describe('controls marked reusableVisitor', () => {
  const invs = inventories();

  it('are there, and include the controls that settle in `inventory` what they find on the way', () => {
    assert.ok(reusable.length > 0);
    // These once gathered pod specs in their visitor and settled them in `inventory`; they now
    // find them again there, keeping nothing between calls.
    for (const id of ['PAL-RES-001', 'PAL-RES-002', 'PAL-RES-003', 'PAL-RES-004', 'PAL-POD-008']) assert.equal(CONTROLS[id]!.reusableVisitor, true, id);
  });

  for (const [label, settings] of SETTINGS) {
    it(`find in prepared runs what fresh runs find (${label}, all together)`, () => {
      assert.ok(assertReusable({ controls: reusable, settings }, invs) > 0, 'no findings at all: the comparison proves nothing');
    });
  }

  it('find in prepared runs what fresh runs find (each alone, beside every unmarked control)', () => {
    const unmarked = allControls().filter((c) => c.reusableVisitor !== true);
    for (const c of reusable) assertReusable({ controls: [c, ...unmarked], settings: DEFAULT_TEST_SETTINGS }, invs.slice(0, 4));
  });

  it('each find something in these inventories, so that no comparison is of nothing', () => {
    const found = new Set<string>();
    for (const settings of SETTINGS.map(([, s]) => s)) {
      for (const [, inv] of invs) for (const f of runControls(inv, { controls: reusable, settings }).findings) found.add(f.controlId);
    }
    assert.deepEqual(reusable.map((c) => c.meta.id).filter((id) => !found.has(id)), [], 'marked controls without a finding here: add an object they report on');
  });

  it('get check() called once per prepared set; unmarked controls once per run', () => {
    const calls = { marked: 0, unmarked: 0 };
    const counting = (key: keyof typeof calls, reusableVisitor?: true): Control => ({
      meta: CONTROLS['PSS-PRIVILEGED']!.meta,
      reusableVisitor,
      check(ctx) {
        calls[key]++;
        return CONTROLS['PSS-PRIVILEGED']!.check(ctx);
      },
    });
    const opts = { controls: [counting('marked', true), counting('unmarked')], settings: DEFAULT_TEST_SETTINGS };
    const prepared = prepareControls(opts);
    for (const [, inv] of invs.slice(0, 3)) runControls(inv, prepared);
    assert.deepEqual(calls, { marked: 1, unmarked: 3 });
  });
});

describe('the reuse comparison can fail', () => {
  // A control built the way PAL-RES-001 once was: it gathers containers in podSpec and
  // settles them in inventory, clearing the list at its end. When its inventory handler fails
  // half-way (here: the exception lookup throws once), the list survives: a fresh visitor per
  // run drops it, a reused one carries it into the next run.
  const res001 = CONTROLS['PAL-RES-001']!;
  const gathering: Control = {
    meta: res001.meta,
    check(ctx) {
      const missing: { resource: Resource; path: JsonPath; name: string }[] = [];
      return {
        podSpec(ps) {
          for (const c of ps.containers) if (!c.container.resources?.limits?.memory) missing.push({ resource: ps.resource, path: c.path, name: c.name });
        },
        inventory() {
          for (const m of missing) ctx.report({ resource: m.resource, messageId: 'noMemoryLimit', data: { container: m.name }, path: m.path.concat('resources', 'limits', 'memory') });
          missing.length = 0;
        },
      };
    },
  };
  const pod = parsed('apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers:\n    - {name: app, image: nginx:1.27}\n', 'pod.yaml');
  const inv = buildInventory(pod);

  function secondRunAgainstFresh(control: Control): void {
    let lookups = 0;
    const opts: EngineOptions = {
      controls: [control],
      settings: DEFAULT_TEST_SETTINGS,
      exceptionFor: () => {
        if (lookups++ === 0) throw new Error('exception store unavailable');
        return undefined;
      },
    };
    const prepared = prepareControls(opts);
    const first = runControls(inv, prepared);
    assert.equal(first.diagnostics.length, 1, 'the first run should have failed in the inventory handler');
    assertSameAsFresh(prepared, inv, opts, 'second run');
  }

  it('passes for a gathering control left unmarked (a fresh visitor every run)', () => {
    secondRunAgainstFresh(gathering);
  });

  it('fails for that control marked reusableVisitor: state leaked from the run before', () => {
    assert.throws(() => secondRunAgainstFresh({ ...gathering, reusableVisitor: true }), AssertionError);
  });

  it('passes for PAL-RES-001, marked, after an inventory handler failed half-way', () => {
    assert.equal(res001.reusableVisitor, true);
    secondRunAgainstFresh(res001);
  });
});
