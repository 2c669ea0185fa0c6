import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterApiError, connect } from './client.js';
import { listClusterResources, type ListProgress } from './list.js';
import { RECORDED_DIR, startFakeApiServer, type FakeApiServer } from './test-server.js';

async function withServer(fn: (s: FakeApiServer) => Promise<void>) {
  const s = await startFakeApiServer();
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

const recorded = (name: string) => JSON.parse(readFileSync(join(RECORDED_DIR, `${name}.json`), 'utf8')) as { metadata: { continue?: string } };

test('follows continue tokens across three pages and sets apiVersion, kind and the cluster origin', () =>
  withServer(async (s) => {
    const client = connect({ kubeconfig: s.kubeconfig(), env: {} });
    const progress: ListProgress[] = [];
    const out = await listClusterResources(client, { kinds: [{ group: '', kind: 'Pod' }], pageSize: 2, onProgress: (p) => progress.push(p) });
    const pages = s.requests.filter((r) => r.path === '/api/v1/pods');
    assert.equal(pages.length, 3);
    assert.deepEqual(pages.map((r) => r.query.limit), ['2', '2', '2']);
    const first = recorded('api_v1_pods').metadata.continue!;
    const second = recorded(`api_v1_pods@${first}`).metadata.continue!;
    assert.deepEqual(pages.map((r) => r.query.continue), [undefined, first, second]);
    assert.equal(out.resources.length, 5);
    for (const r of out.resources) {
      assert.equal(r.object.apiVersion, 'v1');
      assert.equal(r.object.kind, 'Pod');
      assert.equal(r.origin.type, 'cluster');
      if (r.origin.type === 'cluster') {
        assert.equal(r.origin.cluster, 'recorded');
        assert.equal(r.origin.uid, r.object.metadata!.uid);
        assert.equal(r.origin.resourceVersion, r.object.metadata!.resourceVersion);
      }
    }
    assert.deepEqual(out.resources.map((r) => `${r.namespace}/${r.name}`).slice(0, 2), ['default/debug-shell', 'kube-system/kube-apiserver-cp1']);
    assert.deepEqual(progress.map((p) => [p.count, p.page, p.done]), [[2, 1, false], [4, 2, false], [5, 3, true]]);
    assert.equal(out.listed[0]!.resourceVersion, '48213');
    assert.deepEqual(out.gaps, []);
  }));

test('a forbidden kind is a coverage gap; the other kinds are still read', () =>
  withServer(async (s) => {
    const client = connect({ kubeconfig: s.kubeconfig(), env: {} });
    const out = await listClusterResources(client, {
      kinds: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].map((kind) => ({ group: 'rbac.authorization.k8s.io', kind })),
    });
    assert.equal(out.gaps.length, 1);
    const gap = out.gaps[0]!;
    assert.deepEqual({ ...gap, message: undefined }, { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', resource: 'roles', reason: 'forbidden', status: 403, message: undefined });
    assert.match(gap.message, /cannot list resource "roles"/);
    assert.deepEqual([...new Set(out.resources.map((r) => r.kind))].sort(), ['ClusterRole', 'ClusterRoleBinding', 'RoleBinding']);
  }));

test('kinds the server does not serve are skipped, not gaps, and unrelated groups are never discovered', () =>
  withServer(async (s) => {
    const client = connect({ kubeconfig: s.kubeconfig(), env: {} });
    const out = await listClusterResources(client, {
      kinds: [
        { group: 'policy', kind: 'PodSecurityPolicy' },
        { group: 'gateway.networking.k8s.io', kind: 'Gateway' },
        { group: '', kind: 'ServiceAccount' },
      ],
    });
    assert.deepEqual(out.gaps, []);
    assert.deepEqual(out.skipped.map((k) => k.kind).sort(), ['Gateway', 'PodSecurityPolicy']);
    assert.equal(out.resources.length, 3);
    assert.ok(!s.requests.some((r) => r.path.startsWith('/apis/metrics.k8s.io')), 'the unavailable metrics API was not needed');
  }));

test('server errors and failed discovery are gaps with their reason', () =>
  withServer(async (s) => {
    s.script('GET /apis/apps/v1/statefulsets', [{ status: 500, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'etcdserver: request timed out', reason: 'InternalError', code: 500 } }]);
    const client = connect({ kubeconfig: s.kubeconfig(), env: {} });
    const out = await listClusterResources(client, {
      kinds: [
        { group: 'apps', kind: 'StatefulSet' },
        { group: 'apps', kind: 'Deployment' },
        { group: 'metrics.k8s.io', kind: 'PodMetrics' },
      ],
    });
    const byKind = new Map(out.gaps.map((g) => [g.kind, g]));
    assert.equal(byKind.get('StatefulSet')?.reason, 'unavailable');
    assert.equal(byKind.get('StatefulSet')?.status, 500);
    assert.match(byKind.get('StatefulSet')!.message, /etcdserver: request timed out/);
    assert.equal(byKind.get('PodMetrics')?.status, 503);
    assert.equal(byKind.get('PodMetrics')?.version, 'v1beta1');
    assert.deepEqual(out.resources.map((r) => r.kind), ['Deployment']);
  }));

test('managedFields are stripped; the rest of the object is kept as served', () =>
  withServer(async (s) => {
    const client = connect({ kubeconfig: s.kubeconfig(), env: {} });
    const out = await listClusterResources(client, { kinds: [{ group: 'apps', kind: 'Deployment' }] });
    const web = out.resources[0]!;
    assert.equal(web.object.metadata!.managedFields, undefined);
    assert.equal(web.object.apiVersion, 'apps/v1');
    assert.equal(web.key, 'apps/Deployment/shop/web');
    assert.equal((web.object.status as { readyReplicas: number }).readyReplicas, 2);
    assert.equal(web.object.metadata!.creationTimestamp, '2026-11-02T08:14:31Z', 'timestamps stay strings, as in manifests');
  }));

test('Secrets are read as metadata-only Tables: values never cross the wire or reach a Resource', () =>
  withServer(async (s) => {
    const client = connect({ kubeconfig: s.kubeconfig(), env: {} });
    const out = await listClusterResources(client, { kinds: [{ group: '', kind: 'Secret' }] });
    const req = s.requests.find((r) => r.path === '/api/v1/secrets')!;
    assert.match(req.accept, /as=Table;v=v1;g=meta\.k8s\.io/);
    assert.equal(req.query.includeObject, 'Metadata');
    assert.deepEqual(out.resources.map((r) => [r.name, r.object.type]), [
      ['deployer-token-9xk2m', 'kubernetes.io/service-account-token'],
      ['web-db', 'Opaque'],
    ]);
    const token = out.resources[0]!;
    assert.equal(token.annotations['kubernetes.io/service-account.name'], 'deployer');
    assert.equal(token.annotations['kubectl.kubernetes.io/last-applied-configuration'], undefined);
    const text = JSON.stringify(out.resources.map((r) => r.object));
    assert.ok(!text.includes('ZXlKaGJHY2lPaUpTVXpJMU5p'), 'no token value');
    assert.ok(!text.includes('"data"'));
  }));

test('an expired continue token (410) restarts that kind once from the first page', () =>
  withServer(async (s) => {
    const page1 = recorded('api_v1_pods');
    const page2 = recorded(`api_v1_pods@${page1.metadata.continue}`);
    const page3 = recorded(`api_v1_pods@${page2.metadata.continue}`);
    const expired = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'The provided continue parameter is too old to display a consistent list result.', reason: 'Expired', code: 410 };
    s.script('GET /api/v1/pods', [{ body: page1 }, { status: 410, body: expired }, { body: page1 }, { body: page2 }, { body: page3 }]);
    const client = connect({ kubeconfig: s.kubeconfig(), env: {} });
    const out = await listClusterResources(client, { kinds: [{ group: '', kind: 'Pod' }], pageSize: 2 });
    assert.equal(out.resources.length, 5, 'no page counted twice');
    assert.deepEqual(s.requests.filter((r) => r.path === '/api/v1/pods').map((r) => r.query.continue === undefined), [true, false, true, false, false]);
  }));

test('401 stops the listing with the status, not a gap', () =>
  withServer(async (s) => {
    s.script('GET /apis/apps/v1/deployments', [{ status: 401, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 } }]);
    const client = connect({ kubeconfig: s.kubeconfig(), env: {} });
    await assert.rejects(listClusterResources(client, { kinds: [{ group: 'apps', kind: 'Deployment' }] }), (e: unknown) => e instanceof ClusterApiError && e.status === 401);
  }));

test('names only discovery can place (a policy\'s plural resources) resolve to kinds', () =>
  withServer(async (s) => {
    const client = connect({ kubeconfig: s.kubeconfig(), env: {} });
    const out = await listClusterResources(client, { kinds: [], names: ['apps/daemonsets', 'ingresses', 'nosuchthings'] });
    assert.deepEqual([...out.resolvedNames], [['apps/daemonsets', 'DaemonSet'], ['ingresses', 'Ingress']]);
    assert.deepEqual(out.resources.map((r) => r.kind).sort(), ['DaemonSet', 'Ingress']);
  }));
