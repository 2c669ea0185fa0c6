import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeResource, type K8sObject } from '../../core/resource.js';
import { buildInventory } from '../../inventory/inventory.js';
import { defaultDenyNamespaces, hasPolicyType, ignoredNamespaces, policyTypes, SYSTEM_NAMESPACES, workloadsByNamespace } from './network-policies.js';

const live = { type: 'cluster', cluster: 'test', uid: 'u', resourceVersion: '1' } as const;
const policy = (namespace: string | undefined, spec: unknown, name = 'np') =>
  makeResource({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, ...(namespace ? { namespace } : {}) }, spec } as K8sObject, live);
const pod = (name: string, namespace?: string) =>
  makeResource({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(namespace !== undefined ? { namespace } : {}) }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } as K8sObject, live);

describe('network policy helpers', () => {
  it('hasPolicyType answers as policyTypes().has for every shape of policyTypes and egress', () => {
    const types = [undefined, [], ['Ingress'], ['Egress'], ['Egress', 'Ingress'], ['ingress'], 'Ingress', [7, 'Egress']];
    const egress = [undefined, null, [], [{}], {}];
    let specs = 0;
    for (const t of types) {
      for (const e of egress) {
        const spec: Record<string, unknown> = { podSelector: {} };
        if (t !== undefined) spec.policyTypes = t;
        if (e !== undefined) spec.egress = e;
        for (const np of [policy('a', spec), policy('a', undefined), policy('a', 'not an object')]) {
          for (const d of ['Ingress', 'Egress'] as const) assert.equal(hasPolicyType(np, d), policyTypes(np).has(d), `${JSON.stringify(spec)} ${d}`);
        }
        specs++;
      }
    }
    assert.equal(specs, 40);
  });

  it('groups workloads by namespace, sorted, counting each and keeping the first', () => {
    const inv = buildInventory([pod('b1', 'b'), pod('a1', 'a'), pod('none'), pod('b2', 'b'), pod('c1', 'c'), pod('a2', 'a'), pod('b3', 'b'), pod('e1', '')]);
    assert.deepEqual(
      workloadsByNamespace(inv).map((w) => [w.namespace, w.first.resource.name, w.count]),
      [['', 'e1', 1], ['a', 'a1', 2], ['b', 'b1', 3], ['c', 'c1', 1]],
    );
    assert.deepEqual(workloadsByNamespace(buildInventory([pod('x', 'one'), pod('y', 'one')])).map((w) => [w.namespace, w.first.resource.name, w.count]), [['one', 'x', 2]]);
    assert.deepEqual(workloadsByNamespace(buildInventory([policy('a', { podSelector: {} })])), []);
  });

  it('reads ignoreNamespaces once per options object, strings only, system namespaces by default', () => {
    assert.deepEqual([...ignoredNamespaces({})], SYSTEM_NAMESPACES);
    const options = { ignoreNamespaces: ['legacy', 7, 'sandbox'] };
    const first = ignoredNamespaces(options);
    assert.deepEqual([...first], ['legacy', 'sandbox']);
    assert.equal(ignoredNamespaces(options), first, 'the same set for the same options object');
    assert.deepEqual([...ignoredNamespaces({ ignoreNamespaces: [] })], [], 'an empty list ignores nothing');
    assert.deepEqual([...ignoredNamespaces({ ignoreNamespaces: 'legacy' })], SYSTEM_NAMESPACES, 'not a list: the default');
  });

  it('finds the namespaces with a default deny per direction', () => {
    const inv = buildInventory([
      policy('a', { podSelector: {} }, 'deny-in'),
      policy('b', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53 }] }] }, 'deny-out'),
      policy('c', { podSelector: { matchLabels: { app: 'x' } }, policyTypes: ['Ingress', 'Egress'] }, 'some-pods'),
      policy(undefined, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, 'no-namespace'),
    ]);
    assert.deepEqual([...(defaultDenyNamespaces(inv, 'Ingress') ?? [])], ['a']);
    assert.deepEqual([...(defaultDenyNamespaces(inv, 'Egress') ?? [])], ['b']);
    assert.equal(defaultDenyNamespaces(buildInventory([pod('p', 'a')]), 'Ingress'), undefined);
  });
});
