import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { K8sObject } from '../../core/resource.js';
import { admissionAttributes, guessResource, matchResources, ResourceCatalog, type AdmissionInput } from './index.js';
import type { MatchResources, NamedRuleWithOperations } from './types.js';

const rule = (r: Partial<NamedRuleWithOperations>): NamedRuleWithOperations => ({
  apiGroups: ['*'],
  apiVersions: ['*'],
  resources: ['*'],
  operations: ['*'],
  scope: '*',
  resourceNames: [],
  ...r,
});

const criteria = (c: Partial<MatchResources>): MatchResources => ({
  namespaceSelector: {},
  objectSelector: {},
  resourceRules: [],
  excludeResourceRules: [],
  matchPolicy: 'Equivalent',
  ...c,
});

const catalog = new ResourceCatalog();
const pod: K8sObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } } };
const namespaces: Record<string, Record<string, string>> = { shop: { env: 'prod' } };

function matches(c: Partial<MatchResources>, input: AdmissionInput, cat = catalog) {
  const a = admissionAttributes(input, { catalog: cat });
  return matchResources(criteria(c), a, { catalog: cat, namespaceLabels: (n) => namespaces[n] });
}

describe('resource rules', () => {
  it('"*" matches resources but not subresources; "pods/status" only the status subresource; "pods/*" both', () => {
    const star = { resourceRules: [rule({ resources: ['*'] })] };
    assert.equal(matches(star, { object: pod }).matches, true);
    assert.equal(matches(star, { object: pod, subResource: 'status', operation: 'UPDATE' }).matches, false);
    const status = { resourceRules: [rule({ resources: ['pods/status'] })] };
    assert.equal(matches(status, { object: pod }).matches, false);
    assert.equal(matches(status, { object: pod, subResource: 'status', operation: 'UPDATE' }).matches, true);
    const podsAll = { resourceRules: [rule({ resources: ['pods/*'] })] };
    assert.equal(matches(podsAll, { object: pod }).matches, true);
    assert.equal(matches(podsAll, { object: pod, subResource: 'exec', operation: 'CONNECT' }).matches, true);
    assert.equal(matches({ resourceRules: [rule({ resources: ['*/*'] })] }, { object: pod, subResource: 'log' }).matches, true);
  });

  it('matches groups, versions and operations exactly or by "*"', () => {
    const r = { resourceRules: [rule({ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE', 'CONNECT'] })] };
    assert.equal(matches(r, { object: pod }).matches, true);
    assert.equal(matches(r, { object: pod, oldObject: pod, operation: 'UPDATE' }).matches, false);
    assert.equal(matches(r, { object: pod, operation: 'CONNECT', subResource: '' }).matches, true);
    assert.equal(matches({ resourceRules: [rule({ apiGroups: ['apps'], resources: ['pods'] })] }, { object: pod }).matches, false);
  });

  it('scope: Namespaced excludes cluster-scoped objects and namespaces themselves; Cluster the reverse', () => {
    const ns: K8sObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const cr: K8sObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'admin' } };
    const namespaced = { resourceRules: [rule({ scope: 'Namespaced' })] };
    const cluster = { resourceRules: [rule({ scope: 'Cluster' })] };
    assert.deepEqual([pod, ns, cr].map((o) => matches(namespaced, { object: o }).matches), [true, false, false]);
    assert.deepEqual([pod, ns, cr].map((o) => matches(cluster, { object: o }).matches), [false, true, true]);
  });

  it('resourceNames restrict by name; excludeResourceRules win over resourceRules', () => {
    assert.equal(matches({ resourceRules: [rule({ resourceNames: ['web'] })] }, { object: pod }).matches, true);
    assert.equal(matches({ resourceRules: [rule({ resourceNames: ['api'] })] }, { object: pod }).matches, false);
    assert.equal(matches({ resourceRules: [rule({})], excludeResourceRules: [rule({ resources: ['pods'] })] }, { object: pod }).matches, false);
  });

  it('matchPolicy Equivalent matches another served version of the resource and reports it as request.kind', () => {
    const hpa: K8sObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'shop' } };
    const v2 = [rule({ apiGroups: ['autoscaling'], apiVersions: ['v2'], resources: ['horizontalpodautoscalers'] })];
    const eq = matches({ resourceRules: v2 }, { object: hpa });
    assert.equal(eq.matches, true);
    assert.deepEqual(eq.resource, { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' });
    assert.deepEqual(eq.kind, { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' });
    assert.equal(matches({ resourceRules: v2, matchPolicy: 'Exact' }, { object: hpa }).matches, false);
  });
});

describe('selectors', () => {
  it('objectSelector matches the labels of the object or of the old object', () => {
    const sel = { resourceRules: [rule({})], objectSelector: { matchLabels: { app: 'web' } } };
    assert.equal(matches(sel, { object: pod }).matches, true);
    const relabelled = { ...pod, metadata: { ...pod.metadata, labels: { app: 'api' } } };
    assert.equal(matches(sel, { object: relabelled }).matches, false);
    assert.equal(matches(sel, { object: relabelled, oldObject: pod, operation: 'UPDATE' }).matches, true);
  });

  it('namespaceSelector reads the namespace labels; a Namespace request uses its own labels', () => {
    const sel = { resourceRules: [rule({})], namespaceSelector: { matchLabels: { env: 'prod' } } };
    assert.equal(matches(sel, { object: pod }).matches, true);
    const ns: K8sObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'new', labels: { env: 'prod' } } };
    assert.equal(matches(sel, { object: ns }).matches, true);
    // Cluster-scoped objects other than namespaces are never excluded by a namespaceSelector.
    assert.equal(matches(sel, { object: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } } }).matches, true);
  });

  it('an unknown namespace has empty labels offline, and says so', () => {
    const elsewhere = { ...pod, metadata: { ...pod.metadata, namespace: 'unknown' } };
    const m = matches({ resourceRules: [rule({})], namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } }, { object: elsewhere });
    assert.equal(m.matches, true);
    assert.match(m.notes[0]!, /namespace unknown is not among the scanned objects/);
  });
});

describe('kinds and resources', () => {
  it('maps built-in kinds, guesses plurals like Kubernetes, and prefers CRDs', () => {
    assert.equal(catalog.forKind('networking.k8s.io', 'Ingress').resource, 'ingresses');
    assert.equal(catalog.forKind('', 'Endpoints').resource, 'endpoints');
    assert.deepEqual(['Policy', 'Gateway', 'Ingress', 'RedisCluster', 'Endpoints', 'Mailbox'].map(guessResource), ['policies', 'gateways', 'ingresses', 'redisclusters', 'endpoints', 'mailboxes']);
    const crd: K8sObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'mice.zoo.example.com' },
      spec: { group: 'zoo.example.com', scope: 'Cluster', names: { kind: 'Mouse', plural: 'mice' }, versions: [{ name: 'v1', served: true }, { name: 'v1beta1', served: true }] },
    };
    const withCrd = new ResourceCatalog([crd]);
    assert.deepEqual(withCrd.forKind('zoo.example.com', 'Mouse'), { group: 'zoo.example.com', kind: 'Mouse', resource: 'mice', versions: ['v1', 'v1beta1'], namespaced: false, source: 'crd' });
    const mouse: K8sObject = { apiVersion: 'zoo.example.com/v1', kind: 'Mouse', metadata: { name: 'jerry' } };
    assert.equal(matches({ resourceRules: [rule({ apiGroups: ['zoo.example.com'], apiVersions: ['v1beta1'], resources: ['mice'] })] }, { object: mouse }, withCrd).matches, true);
    assert.equal(matches({ resourceRules: [rule({ apiGroups: ['zoo.example.com'], resources: ['mouses'] })] }, { object: mouse }, withCrd).matches, false);
  });

  it('puts a namespaced object without a namespace in "default", as kubectl does', () => {
    const a = admissionAttributes({ object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } }, { catalog });
    assert.equal(a.namespace, 'default');
    assert.equal(admissionAttributes({ object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } }, { catalog }).namespace, 'shop');
  });
});
