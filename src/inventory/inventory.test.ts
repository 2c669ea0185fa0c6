import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeResource, type K8sObject, type Resource } from '../core/resource.js';
import { buildInventory, podSpecOf } from './inventory.js';

const res = (object: K8sObject) => makeResource(object, { type: 'admission', uid: 'u' });
const pod = (name: string, namespace: string | undefined, labels: Record<string, string> = {}, spec: object = { containers: [{ name: 'app', image: 'x' }] }) =>
  res({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(namespace ? { namespace } : {}), labels }, spec });

/** Objects of two namespaces, with a duplicate identity (the first must win) and a Namespace object. */
function objects(): Resource[] {
  return [
    res({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }),
    pod('web', 'shop', { app: 'web' }),
    pod('db', 'shop', { app: 'db' }),
    pod('web', 'shop', { app: 'copy' }),
    pod('api', 'pay', { app: 'api' }),
    res({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' } } }),
    res({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'all', namespace: 'shop' }, spec: { podSelector: {} } }),
    res({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'pay' } }),
    res({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'admin' } }),
  ];
}

describe('inventory', () => {
  it('answers every query the same with few objects (searched) and many (indexed)', () => {
    const few = objects();
    // The same objects followed by unrelated ones: past the size where get() stops searching.
    const padding = Array.from({ length: 12 }, (_, i) => res({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'other' } }));
    for (const list of [few, [...few, ...padding]]) {
      const inv = buildInventory(list);
      assert.equal(inv.get('Pod', 'shop', 'web'), list[1], 'the first object of an identity wins');
      assert.equal(inv.get('Pod', 'shop', 'nope'), undefined);
      assert.equal(inv.get('Pod', undefined, 'web'), undefined);
      assert.equal(inv.get('ClusterRole', undefined, 'admin'), list[8]);
      assert.equal(inv.get('Namespace', undefined, 'shop'), list[0]);
      assert.equal(inv.get('ServiceAccount', 'pay', 'default'), list[7]);
      assert.deepEqual(inv.byKind('Pod').map((r) => r.labels.app), ['web', 'db', 'copy', 'api']);
      assert.deepEqual(inv.byKind('Secret'), []);
      assert.deepEqual(inv.inNamespace('pay').map((r) => r.kind), ['Pod', 'ServiceAccount']);
      assert.deepEqual([...inv.namespaces()].slice(0, 2), ['shop', 'pay']);
      assert.deepEqual(inv.podSpecsSelectedBy({ matchLabels: { app: 'db' } }, 'shop').map((ps) => ps.resource.name), ['db']);
      assert.deepEqual(inv.podSpecsSelectedBy({ app: 'api' }, 'pay').map((ps) => ps.resource.name), ['api']);
      const web = inv.podSpecs[0]!;
      assert.deepEqual(inv.servicesFor(web).map((s) => s.name), ['web']);
      assert.deepEqual(inv.networkPoliciesFor(web).map((n) => n.name), ['all']);
    }
  });

  it('finds identities by exact parts, also when a part holds the separator', () => {
    const odd = res({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a\u0000b', namespace: 'n' } });
    const inv = buildInventory([odd]);
    assert.equal(inv.get('ConfigMap', 'n', 'a\u0000b'), odd);
    assert.equal(inv.get('ConfigMap', 'n', 'a'), undefined);
  });

  it('gives each workload kind its pod spec, pod metadata and container paths', () => {
    const containers = { initContainers: [{ name: 'init' }], containers: [{ name: 'app' }, { image: 'unnamed' }], ephemeralContainers: [{ name: 'debug' }] };
    const deploy = res({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { metadata: { labels: { a: 'b' } }, spec: containers } } });
    const cron = res({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { spec: containers } } } } });
    const d = podSpecOf(deploy)!;
    assert.deepEqual(d.path, ['spec', 'template', 'spec']);
    assert.deepEqual(d.podMetadataPath, ['spec', 'template', 'metadata']);
    assert.deepEqual(d.podMetadata, { labels: { a: 'b' } });
    assert.deepEqual(
      d.containers.map((c) => [c.kind, c.index, c.name, c.path]),
      [
        ['initContainer', 0, 'init', ['spec', 'template', 'spec', 'initContainers', 0]],
        ['container', 0, 'app', ['spec', 'template', 'spec', 'containers', 0]],
        ['container', 1, '#1', ['spec', 'template', 'spec', 'containers', 1]],
        ['ephemeralContainer', 0, 'debug', ['spec', 'template', 'spec', 'ephemeralContainers', 0]],
      ],
    );
    const c = podSpecOf(cron)!;
    assert.deepEqual(c.podMetadataPath, ['spec', 'jobTemplate', 'spec', 'template', 'metadata']);
    assert.deepEqual(c.podMetadata, {});
    assert.deepEqual(c.containers[1]!.path, ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers', 0]);
    assert.deepEqual(podSpecOf(pod('p', 'n'))!.podMetadataPath, ['metadata']);
    // Container paths are shared between views of the same kind and frozen, so a finding that keeps one cannot change another.
    const again = podSpecOf(deploy)!;
    assert.equal(again.containers[1]!.path, d.containers[1]!.path);
    for (const view of d.containers) assert.ok(Object.isFrozen(view.path));
    assert.throws(() => (d.containers[1]!.path as (string | number)[]).push('x'), TypeError);
    assert.deepEqual(podSpecOf(deploy)!.containers[1]!.path, ['spec', 'template', 'spec', 'containers', 0]);
    // Past the shared ones, each container still gets its own frozen path.
    const many = Array.from({ length: 40 }, (_, i) => ({ name: `c${i}` }));
    const big = podSpecOf(pod('big', 'n', {}, { containers: many }))!;
    assert.deepEqual(big.containers[39]!.path, ['spec', 'containers', 39]);
    assert.ok(Object.isFrozen(big.containers[39]!.path));
    assert.deepEqual(podSpecOf(pod('big', 'n', {}, { containers: many }))!.containers.map((c) => c.path), big.containers.map((c) => c.path));
  });

  it('answers queries that match nothing without building indexes, and the same as the indexed answers otherwise', () => {
    const web = pod('web', 'shop', { app: 'web' });
    const inv = buildInventory([web]);
    assert.deepEqual(inv.byKind('LimitRange'), []);
    assert.equal(inv.byKind('LimitRange'), inv.byKind('Role'), 'one shared empty answer');
    assert.ok(Object.isFrozen(inv.byKind('Role')));
    assert.deepEqual(inv.byKind('Pod'), [web]);
    assert.deepEqual(inv.byKind('Role'), []);
    const ps = inv.podSpecs[0]!;
    assert.deepEqual(inv.servicesFor(ps), []);
    assert.deepEqual(inv.networkPoliciesFor(ps), []);
    assert.deepEqual(inv.inNamespace('other'), []);
    assert.deepEqual(inv.podSpecsSelectedBy({ app: 'web' }, 'other'), []);
    assert.deepEqual(inv.podSpecsSelectedBy({ app: 'web' }, 'shop'), [ps]);
    assert.deepEqual(buildInventory([]).podSpecsSelectedBy({}, undefined), []);
  });

  it('skips holes and non-objects in container lists, and kinds without pod specs', () => {
    const p = pod('p', 'n', {}, { containers: [, null, 'x', [], { name: 'ok' }] });
    assert.deepEqual(podSpecOf(p)!.containers.map((c) => [c.index, c.name]), [[4, 'ok']]);
    assert.equal(podSpecOf(pod('q', 'n', {}, [] as unknown as object)), undefined);
    assert.equal(podSpecOf(res({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })), undefined);
    // Kind names that are also Object.prototype members are not workloads.
    assert.equal(podSpecOf(res({ apiVersion: 'v1', kind: 'constructor', metadata: { name: 'c' }, spec: {} })), undefined);
    assert.equal(podSpecOf(res({ apiVersion: 'v1', kind: 'toString', metadata: { name: 'c' }, spec: {} })), undefined);
  });
});
