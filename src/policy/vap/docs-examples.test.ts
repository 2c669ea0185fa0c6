/**
 * The examples of the Kubernetes "Validating Admission Policy" page
 * (kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/), with the
 * decisions and messages the page documents.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../../core/resource.js';
import { evaluateVap, paramSourceOf, parseValidatingAdmissionPolicyBinding, VALIDATION_FAILURE_ANNOTATION, type UserInfo, type VapEnvironment } from './index.js';

const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
const one = (text: string) => docs(text)[0]!;

function deployment(name: string, namespace: string, replicas: number, extra: { labels?: Record<string, string>; image?: string } = {}): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { replicas, template: { spec: { containers: [{ name: 'nginx', image: extra.image ?? 'nginx' }] } } },
  };
}

const namespace = (name: string, labels: Record<string, string>): K8sObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

function environment(objects: K8sObject[]): VapEnvironment {
  return {
    params: paramSourceOf(objects),
    namespace: (n) => objects.find((o) => o.kind === 'Namespace' && o.metadata?.name === n),
  };
}

const BASIC_POLICY = one(`
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "demo-policy.example.com"
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
    - expression: "object.spec.replicas <= 5"
`);

const BASIC_BINDING = one(`
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "demo-binding-test.example.com"
spec:
  policyName: "demo-policy.example.com"
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
`);

describe('the basic example: replicas <= 5 in test namespaces', () => {
  const env = environment([namespace('default', { environment: 'test' }), namespace('prod', { environment: 'prod' })]);

  it('denies a Deployment over the limit with the documented message', () => {
    const r = evaluateVap(BASIC_POLICY, [BASIC_BINDING], { object: deployment('web', 'default', 6) }, env);
    assert.equal(r.allowed, false);
    assert.equal(r.message, "ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5");
    assert.equal(r.reason, 'Invalid');
    assert.equal(r.code, 422);
  });

  it('admits a Deployment within the limit, and any Deployment outside test namespaces', () => {
    assert.equal(evaluateVap(BASIC_POLICY, [BASIC_BINDING], { object: deployment('web', 'default', 5) }, env).allowed, true);
    const prod = evaluateVap(BASIC_POLICY, [BASIC_BINDING], { object: deployment('web', 'prod', 50) }, env);
    assert.equal(prod.allowed, true);
    assert.equal(prod.decisions[0]!.status, 'skip');
  });

  it('checks UPDATE too, but not DELETE (not among the operations)', () => {
    const old = deployment('web', 'default', 1);
    assert.equal(evaluateVap(BASIC_POLICY, [BASIC_BINDING], { object: deployment('web', 'default', 9), oldObject: old, operation: 'UPDATE' }, env).allowed, false);
    const del = evaluateVap(BASIC_POLICY, [BASIC_BINDING], { object: null, oldObject: deployment('web', 'default', 9), operation: 'DELETE' }, env);
    assert.equal(del.matched, false);
    assert.equal(del.allowed, true);
  });

  it('does nothing without a binding', () => {
    const r = evaluateVap(BASIC_POLICY, [], { object: deployment('web', 'default', 6) }, env);
    assert.equal(r.allowed, true);
    assert.deepEqual(r.decisions, []);
  });
});

describe('validation actions', () => {
  const env = environment([namespace('default', { environment: 'test' })]);
  const binding = (actions: string[]) => ({ ...BASIC_BINDING, spec: { ...(BASIC_BINDING.spec as object), validationActions: actions } }) as K8sObject;

  it('Warn reports the failure as a warning and admits', () => {
    const r = evaluateVap(BASIC_POLICY, [binding(['Warn'])], { object: deployment('web', 'default', 6) }, env);
    assert.equal(r.allowed, true);
    assert.deepEqual(r.warnings, ["Validation failed for ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com': failed expression: object.spec.replicas <= 5"]);
    assert.equal(r.decisions[0]!.status, 'fail');
  });

  it('Audit records the failure in the validation_failure audit annotation and admits', () => {
    const r = evaluateVap(BASIC_POLICY, [binding(['Warn', 'Audit'])], { object: deployment('web', 'default', 6) }, env);
    assert.equal(r.allowed, true);
    assert.equal(r.warnings.length, 1);
    assert.deepEqual(JSON.parse(r.auditAnnotations[VALIDATION_FAILURE_ANNOTATION]!), [
      { message: 'failed expression: object.spec.replicas <= 5', policy: 'demo-policy.example.com', binding: 'demo-binding-test.example.com', expressionIndex: 0, validationActions: ['Warn', 'Audit'] },
    ]);
  });

  it('Deny and Warn together are rejected, as the API server rejects them', () => {
    const parsed = parseValidatingAdmissionPolicyBinding(binding(['Deny', 'Warn']));
    assert.equal(parsed.value, undefined);
    assert.match(parsed.problems[0]!.message, /Deny and Warn may not be used together/);
    // Such a binding never takes effect.
    const r = evaluateVap(BASIC_POLICY, [binding(['Deny', 'Warn'])], { object: deployment('web', 'default', 6) }, env);
    assert.equal(r.allowed, true);
    assert.match(r.notes.join('\n'), /invalid and ignored/);
  });
});

const PARAM_POLICY = one(`
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "replicalimit-policy.example.com"
spec:
  failurePolicy: Fail
  paramKind:
    apiVersion: rules.example.com/v1
    kind: ReplicaLimit
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
    - expression: "object.spec.replicas <= params.maxReplicas"
      reason: Invalid
`);

const [TEST_BINDING, PROD_BINDING] = docs(`
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "replicalimit-binding-test.example.com"
spec:
  policyName: "replicalimit-policy.example.com"
  validationActions: [Deny]
  paramRef:
    name: "replica-limit-test.example.com"
    namespace: "default"
    parameterNotFoundAction: Deny
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "replicalimit-binding-nontest"
spec:
  policyName: "replicalimit-policy.example.com"
  validationActions: [Deny]
  paramRef:
    name: "replica-limit-prod.example.com"
    namespace: "default"
  matchResources:
    namespaceSelector:
      matchExpressions:
      - key: environment
        operator: NotIn
        values:
        - test
`) as [K8sObject, K8sObject];

// As on the page: the test param's metadata misspells "namespace", so it lands in "default".
const PARAMS = docs(`
apiVersion: rules.example.com/v1
kind: ReplicaLimit
metadata:
  name: "replica-limit-test.example.com"
  namesapce: "default"
maxReplicas: 3
---
apiVersion: rules.example.com/v1
kind: ReplicaLimit
metadata:
  name: "replica-limit-prod.example.com"
maxReplicas: 100
`);

describe('parameter resources: one policy, a binding per environment', () => {
  const objects = [...PARAMS, namespace('test-ns', { environment: 'test' }), namespace('prod-ns', { environment: 'prod' })];
  const env = environment(objects);
  const run = (ns: string, replicas: number, bindings = [TEST_BINDING, PROD_BINDING], e = env) => evaluateVap(PARAM_POLICY, bindings, { object: deployment('web', ns, replicas) }, e);

  it('limits test namespaces to 3 replicas', () => {
    const r = run('test-ns', 4);
    assert.equal(r.allowed, false);
    assert.equal(r.message, "ValidatingAdmissionPolicy 'replicalimit-policy.example.com' with binding 'replicalimit-binding-test.example.com' denied request: failed expression: object.spec.replicas <= params.maxReplicas");
    assert.equal(r.reason, 'Invalid');
    assert.deepEqual(r.decisions.find((d) => d.binding === 'replicalimit-binding-test.example.com')!.param, { name: 'replica-limit-test.example.com' });
    assert.equal(run('test-ns', 3).allowed, true);
  });

  it('limits every other namespace to 100 replicas', () => {
    assert.equal(run('prod-ns', 4).allowed, true);
    const r = run('prod-ns', 101);
    assert.equal(r.allowed, false);
    assert.match(r.message!, /with binding 'replicalimit-binding-nontest' denied request/);
  });

  it('a missing param with parameterNotFoundAction Deny is a configuration error under failurePolicy', () => {
    const noParams = environment([namespace('test-ns', { environment: 'test' })]);
    const r = run('test-ns', 1, [TEST_BINDING], noParams);
    assert.equal(r.allowed, false);
    assert.equal(r.message, "ValidatingAdmissionPolicy 'replicalimit-policy.example.com' with binding 'replicalimit-binding-test.example.com' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction");
    const ignoring = { ...PARAM_POLICY, spec: { ...(PARAM_POLICY.spec as object), failurePolicy: 'Ignore' } } as K8sObject;
    assert.equal(evaluateVap(ignoring, [TEST_BINDING], { object: deployment('web', 'test-ns', 1) }, noParams).allowed, true);
  });

  it('a missing param with parameterNotFoundAction Allow skips the policy', () => {
    const allow = { ...TEST_BINDING, spec: { ...(TEST_BINDING.spec as Record<string, unknown>), paramRef: { name: 'absent', namespace: 'default', parameterNotFoundAction: 'Allow' } } } as K8sObject;
    const r = run('test-ns', 50, [allow]);
    assert.equal(r.allowed, true);
    assert.equal(r.decisions[0]!.status, 'skip');
  });

  it('a selector evaluates the policy once per matching param; all must pass', () => {
    const limits = [
      { apiVersion: 'rules.example.com/v1', kind: 'ReplicaLimit', metadata: { name: 'a', namespace: 'test-ns', labels: { tier: 'gold' } }, maxReplicas: 10 },
      { apiVersion: 'rules.example.com/v1', kind: 'ReplicaLimit', metadata: { name: 'b', namespace: 'test-ns', labels: { tier: 'gold' } }, maxReplicas: 4 },
      { apiVersion: 'rules.example.com/v1', kind: 'ReplicaLimit', metadata: { name: 'c', namespace: 'test-ns', labels: { tier: 'bronze' } }, maxReplicas: 1 },
    ];
    // No paramRef.namespace: a namespaced paramKind is looked up in the request's namespace.
    const byLabel = { ...TEST_BINDING, spec: { policyName: 'replicalimit-policy.example.com', validationActions: ['Deny'], paramRef: { selector: { matchLabels: { tier: 'gold' } }, parameterNotFoundAction: 'Deny' } } } as K8sObject;
    const e = environment([...limits, namespace('test-ns', { environment: 'test' })]);
    const r = evaluateVap(PARAM_POLICY, [byLabel], { object: deployment('web', 'test-ns', 5) }, e);
    assert.deepEqual(r.decisions.map((d) => [d.param?.name, d.status]), [['a', 'pass'], ['b', 'fail']]);
    assert.equal(r.allowed, false);
    assert.equal(evaluateVap(PARAM_POLICY, [byLabel], { object: deployment('web', 'test-ns', 4) }, e).allowed, true);
  });

  it('params is null when the binding has no paramRef', () => {
    const noRef = { ...TEST_BINDING, spec: { policyName: 'replicalimit-policy.example.com', validationActions: ['Deny'] } } as K8sObject;
    const checkParams = { ...PARAM_POLICY, spec: { ...(PARAM_POLICY.spec as object), validations: [{ expression: 'params != null', message: 'params missing but required to bind to this policy' }] } } as K8sObject;
    const r = evaluateVap(checkParams, [noRef], { object: deployment('web', 'test-ns', 1) }, env);
    assert.equal(r.message, "ValidatingAdmissionPolicy 'replicalimit-policy.example.com' with binding 'replicalimit-binding-test.example.com' denied request: params missing but required to bind to this policy");
  });
});

describe('matchConditions', () => {
  const POLICY = one(`
apiVersion: admissionregistration.k8s.io/v1alpha1
kind: ValidatingAdmissionPolicy
metadata:
  name: "demo-policy.example.com"
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - apiGroups:   ["*"]
        apiVersions: ["*"]
        operations:  ["CREATE", "UPDATE"]
        resources:   ["*"]
  matchConditions:
    - name: 'exclude-leases' # Each match condition must have a unique name
      expression: '!(request.resource.group == "coordination.k8s.io" && request.resource.resource == "leases")' # Match non-lease resources.
    - name: 'exclude-kubelet-requests'
      expression: '!("system:nodes" in request.userInfo.groups)' # Match requests made by non-node users.
    - name: 'rbac' # Skip RBAC requests.
      expression: 'request.resource.group != "rbac.authorization.k8s.io"'
  validations:
    - expression: "object.metadata.name.startWith('demo')"
`);
  const BINDING = { apiVersion: 'admissionregistration.k8s.io/v1alpha1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'demo-binding' }, spec: { policyName: 'demo-policy.example.com', validationActions: ['Deny'] } };
  const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'leader', namespace: 'kube-system' } };
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'apps' } };
  const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'apps' } });

  it('skips leases, requests by nodes and RBAC objects before any validation', () => {
    const cases: [K8sObject, UserInfo | undefined][] = [
      [lease, undefined],
      [role, undefined],
      [configMap('x'), { username: 'system:node:worker-1', groups: ['system:nodes', 'system:authenticated'] }],
    ];
    for (const [object, userInfo] of cases) {
      const r = evaluateVap(POLICY, [BINDING], { object, ...(userInfo ? { userInfo } : {}) });
      assert.equal(r.allowed, true, object.kind);
      assert.equal(r.decisions[0]!.status, 'skip');
      assert.match(r.decisions[0]!.notes[0]!, /match condition "(exclude-leases|rbac|exclude-kubelet-requests)" is false/);
    }
  });

  it("evaluates the rest: the page's validation (startWith) does not compile, so failurePolicy Fail denies", () => {
    const r = evaluateVap(POLICY, [BINDING], { object: configMap('demo-x') });
    assert.equal(r.allowed, false);
    assert.match(r.message!, /^ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding' denied request: compilation error: /);
  });

  it('with startsWith, names starting with demo pass and others fail', () => {
    const fixed = JSON.parse(JSON.stringify(POLICY).replace('startWith', 'startsWith')) as K8sObject;
    assert.equal(evaluateVap(fixed, [BINDING], { object: configMap('demo-x') }).allowed, true);
    assert.equal(evaluateVap(fixed, [BINDING], { object: configMap('other') }).message, "ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding' denied request: failed expression: object.metadata.name.startsWith('demo')");
  });

  it('an error in a match condition goes to failurePolicy unless another condition is false', () => {
    const erring = JSON.parse(JSON.stringify(POLICY).replace('startWith', 'startsWith')) as { spec: { matchConditions: unknown[]; failurePolicy: string } } & K8sObject;
    erring.spec.matchConditions.push({ name: 'broken', expression: 'object.missing.field == 1' });
    const r = evaluateVap(erring, [BINDING], { object: configMap('demo-x') });
    assert.equal(r.allowed, false);
    assert.match(r.message!, /expression 'object.missing.field == 1' resulted in error/);
    // A false condition wins over the error.
    assert.equal(evaluateVap(erring, [BINDING], { object: lease }).allowed, true);
    erring.spec.failurePolicy = 'Ignore';
    const ignored = evaluateVap(erring, [BINDING], { object: configMap('demo-x') });
    assert.equal(ignored.allowed, true);
    assert.equal(ignored.decisions[0]!.status, 'skip');
  });
});

describe('variable composition', () => {
  const POLICY = one(`
apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicy
metadata:
  name: "image-matches-namespace-environment.policy.example.com"
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  variables:
  - name: environment
    expression: "'environment' in namespaceObject.metadata.labels ? namespaceObject.metadata.labels['environment'] : 'prod'"
  - name: exempt
    expression: "'exempt' in object.metadata.labels && object.metadata.labels['exempt'] == 'true'"
  - name: containers
    expression: "object.spec.template.spec.containers"
  - name: containersToCheck
    expression: "variables.containers.filter(c, c.image.contains('example.com'))"
  validations:
  - expression: "variables.exempt || variables.containersToCheck.all(c, c.image.startsWith(variables.environment + '.'))"
    messageExpression: "'only ' + variables.environment + ' images are allowed in namespace ' + namespaceObject.metadata.name"
`);
  const BINDING = { apiVersion: 'admissionregistration.k8s.io/v1beta1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'demo-binding-test.example.com' }, spec: { policyName: POLICY.metadata!.name, validationActions: ['Deny'] } };
  const env = environment([namespace('default', { environment: 'prod' }), namespace('dev', { environment: 'dev' })]);

  it('rejects `kubectl create deploy --image=dev.example.com/nginx invalid` in the prod namespace default', () => {
    const r = evaluateVap(POLICY, [BINDING], { object: deployment('invalid', 'default', 1, { labels: { app: 'invalid' }, image: 'dev.example.com/nginx' }) }, env);
    assert.equal(r.allowed, false);
    assert.equal(r.message, "ValidatingAdmissionPolicy 'image-matches-namespace-environment.policy.example.com' with binding 'demo-binding-test.example.com' denied request: only prod images are allowed in namespace default");
  });

  it('admits matching images, exempt objects and images from elsewhere', () => {
    const ok = (d: K8sObject) => assert.equal(evaluateVap(POLICY, [BINDING], { object: d }, env).allowed, true, JSON.stringify(d.metadata));
    ok(deployment('valid', 'default', 1, { labels: { app: 'valid' }, image: 'prod.example.com/nginx' }));
    ok(deployment('dev-ok', 'dev', 1, { labels: { app: 'x' }, image: 'dev.example.com/nginx' }));
    ok(deployment('exempt', 'default', 1, { labels: { exempt: 'true' }, image: 'dev.example.com/nginx' }));
    ok(deployment('other', 'default', 1, { labels: { app: 'x' }, image: 'docker.io/nginx' }));
  });

  it('evaluates variables lazily: a broken variable matters only where it is used', () => {
    const p = JSON.parse(JSON.stringify(POLICY)) as { spec: { variables: unknown[]; validations: unknown[] } } & K8sObject;
    p.spec.variables.push({ name: 'broken', expression: 'object.spec.missing.field' });
    assert.equal(evaluateVap(p, [BINDING], { object: deployment('valid', 'default', 1, { labels: { app: 'v' }, image: 'prod.example.com/nginx' }) }, env).allowed, true);
    // `false && …` never reaches it either.
    p.spec.validations.push({ expression: 'false && variables.broken == 1 || true' });
    assert.equal(evaluateVap(p, [BINDING], { object: deployment('valid', 'default', 1, { labels: { app: 'v' }, image: 'prod.example.com/nginx' }) }, env).allowed, true);
    p.spec.validations.push({ expression: 'variables.broken == 1' });
    const r = evaluateVap(p, [BINDING], { object: deployment('valid', 'default', 1, { labels: { app: 'v' }, image: 'prod.example.com/nginx' }) }, env);
    assert.equal(r.allowed, false);
    assert.match(r.message!, /expression 'variables.broken == 1' resulted in error: variable 'broken': .*missing/);
  });

  it('evaluates a variable once per evaluation and bills its cost once', () => {
    const heavy = one(`
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: heavy}
spec:
  matchConstraints: {resourceRules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"]}]}
  variables:
  - name: work
    expression: "[${Array.from({ length: 200 }, (_, i) => i).join(',')}].map(x, [${Array.from({ length: 200 }, (_, i) => i).join(',')}].filter(y, y < x).size()).size()"
  validations:
  - expression: "variables.work == 200"
  - expression: "variables.work > 0"
  - expression: "variables.work < 1000"
`);
    const bind = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'b' }, spec: { policyName: 'heavy', validationActions: ['Deny'] } };
    const object = deployment('web', 'default', 1);
    const costOf = (validations: number) => {
      const p = JSON.parse(JSON.stringify(heavy)) as { spec: { validations: unknown[] } } & K8sObject;
      p.spec.validations = p.spec.validations.slice(0, validations);
      const r = evaluateVap(p, [bind], { object });
      assert.equal(r.allowed, true);
      return r.decisions[0]!.cost;
    };
    const once = costOf(1);
    assert.ok(once > 50_000, `the variable costs ${once}`);
    // Three validations use it; it is evaluated (and billed) once.
    assert.ok(costOf(3) - once < 100, `${costOf(3)} vs ${once}`);
    // Its cost counts against the evaluation's budget once: just above one evaluation's cost suffices.
    assert.equal(evaluateVap(heavy, [bind], { object }, { runtimeBudget: once + 100 }).allowed, true);
    assert.equal(evaluateVap(heavy, [bind], { object }, { runtimeBudget: once - 100 }).allowed, false);
  });
});

describe('messageExpression', () => {
  const POLICY = one(`
apiVersion: admissionregistration.k8s.io/v1alpha1
kind: ValidatingAdmissionPolicy
metadata:
  name: "deploy-replica-policy.example.com"
spec:
  paramKind:
    group: rules.example.com
    kind: ReplicaLimit
    version: v1
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
  - expression: "object.spec.replicas <= params.maxReplicas"
    messageExpression: "'object.spec.replicas must be no greater than ' + string(params.maxReplicas)"
    reason: Invalid
`);
  const BINDING = { apiVersion: 'admissionregistration.k8s.io/v1alpha1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'demo-binding-test.example.com' }, spec: { policyName: 'deploy-replica-policy.example.com', validationActions: ['Deny'], paramRef: { name: 'replica-limit-test.example.com', namespace: 'default', parameterNotFoundAction: 'Deny' } } };
  const env = environment([{ apiVersion: 'rules.example.com/v1', kind: 'ReplicaLimit', metadata: { name: 'replica-limit-test.example.com', namespace: 'default' }, maxReplicas: 3 }]);

  it('words the denial of `kubectl create deploy --image=nginx nginx --replicas=5` as documented', () => {
    const r = evaluateVap(POLICY, [BINDING], { object: deployment('nginx', 'default', 5) }, env);
    assert.equal(r.message, "ValidatingAdmissionPolicy 'deploy-replica-policy.example.com' with binding 'demo-binding-test.example.com' denied request: object.spec.replicas must be no greater than 3");
  });

  it('falls back to message when the messageExpression fails or gives several lines, then to the expression', () => {
    const withMessage = (messageExpression: string, message?: string) =>
      ({ ...POLICY, spec: { ...(POLICY.spec as object), validations: [{ expression: 'object.spec.replicas <= params.maxReplicas', messageExpression, ...(message ? { message } : {}) }] } }) as K8sObject;
    const deny = (p: K8sObject) => evaluateVap(p, [BINDING], { object: deployment('nginx', 'default', 5) }, env).decisions[0]!.failures[0]!.message;
    assert.equal(deny(withMessage('params.missing + "x"', 'too many replicas')), 'too many replicas');
    assert.equal(deny(withMessage("'line one\\nline two'", 'too many replicas')), 'too many replicas');
    assert.equal(deny(withMessage("'   '")), 'failed expression: object.spec.replicas <= params.maxReplicas');
  });
});

describe('audit annotations', () => {
  const POLICY = one(`
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "demo-policy.example.com"
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
    - expression: "object.spec.replicas > 50"
      messageExpression: "'Deployment spec.replicas set to ' + string(object.spec.replicas)"
  auditAnnotations:
    - key: "high-replica-count"
      valueExpression: "'Deployment spec.replicas set to ' + string(object.spec.replicas)"
`);
  const BINDING = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'audit' }, spec: { policyName: 'demo-policy.example.com', validationActions: ['Audit'] } };

  it('publishes the documented annotation, prefixed with the policy name', () => {
    const r = evaluateVap(POLICY, [BINDING], { object: deployment('web', 'default', 128) });
    assert.equal(r.allowed, true);
    assert.deepEqual(r.auditAnnotations, { 'demo-policy.example.com/high-replica-count': 'Deployment spec.replicas set to 128' });
  });

  it('leaves the annotation out when the value is null or blank', () => {
    const p = JSON.parse(JSON.stringify(POLICY)) as { spec: { auditAnnotations: { valueExpression: string }[] } } & K8sObject;
    p.spec.auditAnnotations[0]!.valueExpression = "object.spec.replicas > 50 ? dyn('Deployment spec.replicas set to ' + string(object.spec.replicas)) : null";
    const low = evaluateVap(p, [BINDING], { object: deployment('web', 'default', 3) });
    assert.equal(low.auditAnnotations['demo-policy.example.com/high-replica-count'], undefined);
    // The failed validation (3 > 50 is false) is audited instead.
    assert.equal(JSON.parse(low.auditAnnotations[VALIDATION_FAILURE_ANNOTATION]!)[0].message, 'Deployment spec.replicas set to 3');
  });

  it('an annotation that errors denies under failurePolicy Fail whatever the validation actions', () => {
    const p = JSON.parse(JSON.stringify(POLICY)) as { spec: { auditAnnotations: { valueExpression: string }[]; failurePolicy: string } } & K8sObject;
    p.spec.auditAnnotations[0]!.valueExpression = 'object.spec.nothing.here';
    const r = evaluateVap(p, [BINDING], { object: deployment('web', 'default', 128) });
    assert.equal(r.allowed, false);
    assert.match(r.message!, /denied request: expression 'object.spec.nothing.here' resulted in error/);
    p.spec.failurePolicy = 'Ignore';
    assert.equal(evaluateVap(p, [BINDING], { object: deployment('web', 'default', 128) }).allowed, true);
  });
});

describe('failurePolicy', () => {
  const policy = (failurePolicy: string | undefined, expression: string) =>
    ({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'p' },
      spec: {
        ...(failurePolicy ? { failurePolicy } : {}),
        matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] },
        validations: [{ expression }],
      },
    }) as K8sObject;
  const BINDING = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'b' }, spec: { policyName: 'p', validationActions: ['Deny'] } };
  const object = deployment('web', 'default', 1);

  it('Ignore lets a request through when the expression errors (the page\'s object.spec.xyz == params.x)', () => {
    const r = evaluateVap(policy('Ignore', 'object.spec.xyz == params.x'), [BINDING], { object });
    assert.equal(r.allowed, true);
    assert.equal(r.decisions[0]!.status, 'skip');
    assert.equal(r.decisions[0]!.failures[0]!.ignored, true);
  });

  it('Fail (the default) denies it', () => {
    const r = evaluateVap(policy(undefined, 'object.spec.xyz == params.x'), [BINDING], { object });
    assert.equal(r.allowed, false);
    assert.match(r.message!, /^ValidatingAdmissionPolicy 'p' with binding 'b' denied request: expression 'object.spec.xyz == params.x' resulted in error: .*xyz/);
  });

  it('applies to a spent cost budget too', () => {
    const L = `[${Array.from({ length: 300 }, (_, i) => i).join(',')}]`;
    const runaway = `${L}.all(x, ${L}.all(y, ${L}.all(z, x + y + z >= 0)))`;
    const fail = evaluateVap(policy('Fail', runaway), [BINDING], { object });
    assert.equal(fail.allowed, false);
    assert.match(fail.message!, /resulted in error: operation cancelled: actual cost limit exceeded/);
    assert.equal(fail.decisions[0]!.failures[0]!.errorCode, 'PALISADE_CEL_COST_EXCEEDED');
    assert.equal(evaluateVap(policy('Ignore', runaway), [BINDING], { object }).allowed, true);
  });

  it('applies to expressions that do not compile', () => {
    assert.equal(evaluateVap(policy('Ignore', 'object.spec.replicas <'), [BINDING], { object }).allowed, true);
    assert.match(evaluateVap(policy('Fail', 'object.spec.replicas <'), [BINDING], { object }).message!, /denied request: compilation error: CEL syntax error/);
  });
});
