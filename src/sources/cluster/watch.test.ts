import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from './client.js';
import { RECORDED_DIR, startFakeApiServer, type FakeApiServer } from './test-server.js';
import { ClusterWatcher, type ChangeEvent } from './watch.js';

const NAMESPACES = [{ group: '', kind: 'Namespace' }];
const FAST = { backoff: { initialMs: 5, maxMs: 20 } };

function ns(name: string, rv: string, labels: Record<string, string> = {}) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `uid-${name}`, resourceVersion: rv, labels: { 'kubernetes.io/metadata.name': name, ...labels } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
}
const gone = { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 48213 (48950)', reason: 'Expired', code: 410 } };
const bookmark = (rv: string) => ({ type: 'BOOKMARK', object: { kind: 'Namespace', apiVersion: 'v1', metadata: { resourceVersion: rv, annotations: { 'k8s.io/initial-events-end': 'true' } } } });

async function withWatcher(setup: (s: FakeApiServer) => void, fn: (w: ClusterWatcher, s: FakeApiServer, changes: ChangeEvent[]) => Promise<void>) {
  const s = await startFakeApiServer();
  setup(s);
  const w = new ClusterWatcher(connect({ kubeconfig: s.kubeconfig(), env: {} }), { kinds: NAMESPACES, ...FAST });
  const changes: ChangeEvent[] = [];
  w.on('change', (c: ChangeEvent) => changes.push(c));
  try {
    await fn(w, s, changes);
  } finally {
    await w.stop();
    await s.close();
  }
}

/** Resolves when `pred` holds, checking after each change or relist. */
async function until(w: ClusterWatcher, pred: () => boolean): Promise<void> {
  while (!pred()) await Promise.race([once(w, 'change'), once(w, 'relist'), new Promise((r) => setTimeout(r, 20))]);
}

const watches = (s: FakeApiServer) => s.requests.filter((r) => r.path === '/api/v1/namespaces' && r.query.watch);
const lists = (s: FakeApiServer) => s.requests.filter((r) => r.path === '/api/v1/namespaces' && !r.query.watch);

test('lists, then watches from the list resourceVersion with bookmarks; events update the live inventory', () =>
  withWatcher(
    (s) => s.script('WATCH /api/v1/namespaces', [{ lines: [{ type: 'ADDED', object: ns('team-a', '48300') }, { type: 'MODIFIED', object: ns('shop', '48310', { env: 'prod' }) }], hold: true }]),
    async (w, s, changes) => {
      await w.start();
      assert.equal(w.synced, true);
      await until(w, () => changes.some((c) => c.type === 'MODIFIED'));
      const watch = watches(s)[0]!;
      assert.equal(watch.query.resourceVersion, '48213');
      assert.equal(watch.query.allowWatchBookmarks, 'true');
      assert.ok(w.get('/Namespace//team-a'));
      assert.equal(w.get('/Namespace//shop')!.labels.env, 'prod');
      assert.equal(w.size, 6);
      assert.deepEqual(changes.slice(-2).map((c) => [c.type, c.resource.name]), [['ADDED', 'team-a'], ['MODIFIED', 'shop']]);
      assert.ok(w.version >= 7, 'five initial objects and two changes counted');
    },
  ));

test('a BOOKMARK advances the resourceVersion the next watch resumes from, without a re-list', () =>
  withWatcher(
    (s) =>
      s.script('WATCH /api/v1/namespaces', [
        { lines: [{ type: 'ADDED', object: ns('team-a', '48300') }, bookmark('48950')] },
        { lines: [{ type: 'DELETED', object: ns('team-a', '48990') }], hold: true },
      ]),
    async (w, s, changes) => {
      await w.start();
      await until(w, () => changes.some((c) => c.type === 'DELETED'));
      assert.deepEqual(watches(s).map((r) => r.query.resourceVersion), ['48213', '48950']);
      assert.equal(lists(s).length, 1);
      assert.equal(w.get('/Namespace//team-a'), undefined);
      assert.equal(changes.at(-1)!.resource.name, 'team-a');
    },
  ));

test('an ERROR event with 410 Gone re-lists, and the re-list reports what disappeared meanwhile', () =>
  withWatcher(
    (s) => {
      s.script('WATCH /api/v1/namespaces', [{ lines: [gone] }, { lines: [], hold: true }]);
      const relisted = { kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: '49000' }, items: [ns('default', '20'), ns('kube-system', '21'), ns('shop', '49001')] };
      const recorded: unknown = JSON.parse(readFileSync(join(RECORDED_DIR, 'api_v1_namespaces.json'), 'utf8'));
      s.script('GET /api/v1/namespaces', [{ body: recorded }, { body: relisted }]);
    },
    async (w, s, changes) => {
      await w.start();
      await until(w, () => watches(s).length >= 2 && w.synced);
      assert.ok(lists(s).length >= 2, 're-listed');
      assert.equal(watches(s).at(-1)!.query.resourceVersion, '49000');
      assert.deepEqual(
        w.resources().map((r) => r.name).sort(),
        ['default', 'kube-system', 'shop'],
      );
      assert.ok(changes.some((c) => c.type === 'DELETED' && c.resource.name === 'payments'));
      assert.ok(changes.some((c) => c.type === 'MODIFIED' && c.resource.name === 'shop'));
    },
  ));

test('an HTTP 410 on the watch request re-lists too', () =>
  withWatcher(
    (s) =>
      s.script('WATCH /api/v1/namespaces', [
        { status: 410, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version', reason: 'Gone', code: 410 } },
        { lines: [], hold: true },
      ]),
    async (w, s) => {
      const relists: unknown[] = [];
      w.on('relist', (k) => relists.push(k));
      await w.start();
      await until(w, () => watches(s).length >= 2);
      assert.equal(lists(s).length, 2);
      assert.deepEqual(relists, [{ kind: 'Namespace' }]);
    },
  ));

test('a failed watch reconnects with backoff from the same resourceVersion, without a re-list', () =>
  withWatcher(
    (s) =>
      s.script('WATCH /api/v1/namespaces', [
        { status: 500, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'internal error', reason: 'InternalError', code: 500 } },
        { status: 503, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'unavailable', reason: 'ServiceUnavailable', code: 503 } },
        { lines: [{ type: 'ADDED', object: ns('team-b', '48400') }], hold: true },
      ]),
    async (w, s, changes) => {
      const warnings: Error[] = [];
      w.on('warning', (e: Error) => warnings.push(e));
      await w.start();
      await until(w, () => changes.some((c) => c.resource.name === 'team-b'));
      assert.deepEqual(watches(s).map((r) => r.query.resourceVersion), ['48213', '48213', '48213']);
      assert.equal(lists(s).length, 1);
      assert.equal(warnings.length, 2);
      assert.deepEqual(w.gaps(), []);
    },
  ));

test('a watch that keeps ending at once, or keeps answering 410, is retried with backoff, not in a loop', async () => {
  const s = await startFakeApiServer();
  s.script('WATCH /api/v1/namespaces', [{ lines: [] }]);
  s.script('WATCH /api/v1/services', [{ lines: [gone] }]);
  const w = new ClusterWatcher(connect({ kubeconfig: s.kubeconfig(), env: {} }), {
    kinds: [...NAMESPACES, { group: '', kind: 'Service' }],
    backoff: { initialMs: 60_000, maxMs: 60_000 },
  });
  try {
    await w.start();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(watches(s).length, 1, 'an empty, instantly closed watch waits before the next');
    const services = s.requests.filter((r) => r.path === '/api/v1/services');
    // list, watch → 410, immediate re-list, watch → 410 again: now it waits.
    assert.deepEqual(services.map((r) => (r.query.watch ? 'watch' : 'list')), ['list', 'watch', 'list', 'watch']);
  } finally {
    await w.stop();
    await s.close();
  }
});

test('a connection cut mid-stream resumes from the last event seen', () =>
  withWatcher(
    (s) =>
      s.script('WATCH /api/v1/namespaces', [
        { lines: [{ type: 'ADDED', object: ns('team-c', '48700') }], drop: true },
        { lines: [{ type: 'ADDED', object: ns('team-d', '48800') }], hold: true },
      ]),
    async (w, s, changes) => {
      w.on('warning', () => {});
      await w.start();
      await until(w, () => changes.some((c) => c.resource.name === 'team-d'));
      assert.deepEqual(watches(s).map((r) => r.query.resourceVersion), ['48213', '48700']);
      assert.equal(lists(s).length, 1);
      assert.ok(w.get('/Namespace//team-c') && w.get('/Namespace//team-d'));
    },
  ));

test('a kind RBAC denies is a gap; the watcher still reports synced and keeps the rest', async () => {
  const s = await startFakeApiServer();
  s.script('WATCH /api/v1/namespaces', [{ lines: [], hold: true }]);
  const w = new ClusterWatcher(connect({ kubeconfig: s.kubeconfig(), env: {} }), {
    kinds: [...NAMESPACES, { group: 'rbac.authorization.k8s.io', kind: 'Role' }, { group: 'policy', kind: 'PodSecurityPolicy' }],
    ...FAST,
  });
  try {
    await w.start();
    assert.equal(w.synced, true);
    assert.deepEqual(w.gaps().map((g) => [g.kind, g.reason, g.status]), [['Role', 'forbidden', 403]]);
    assert.equal(w.resources().length, 5);
  } finally {
    await w.stop();
    await s.close();
  }
});

test('Secrets are watched as metadata-only Tables too', async () => {
  const s = await startFakeApiServer();
  const row = (name: string, rv: string, type: string) => ({
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: rv },
    columnDefinitions: [{ name: 'Name', type: 'string' }, { name: 'Type', type: 'string' }, { name: 'Data', type: 'string' }, { name: 'Age', type: 'string' }],
    rows: [{ cells: [name, type, 1, '1s'], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name, namespace: 'shop', uid: `uid-${name}`, resourceVersion: rv } } }],
  });
  s.script('WATCH /api/v1/secrets', [{ lines: [{ type: 'ADDED', object: row('api-key', '48500', 'Opaque') }, bookmark('48600')], hold: true }]);
  const w = new ClusterWatcher(connect({ kubeconfig: s.kubeconfig(), env: {} }), { kinds: [{ group: '', kind: 'Secret' }], ...FAST });
  try {
    await w.start();
    await until(w, () => !!w.get('/Secret/shop/api-key'));
    const watch = s.requests.find((r) => r.path === '/api/v1/secrets' && r.query.watch)!;
    assert.match(watch.accept, /as=Table/);
    assert.equal(watch.query.includeObject, 'Metadata');
    const secret = w.get('/Secret/shop/api-key')!;
    assert.deepEqual(Object.keys(secret.object).sort(), ['apiVersion', 'kind', 'metadata', 'type']);
    assert.equal(secret.object.type, 'Opaque');
    assert.equal(w.size, 3);
  } finally {
    await w.stop();
    await s.close();
  }
});

test('stop() ends open watches and pending backoffs promptly', async () => {
  const s = await startFakeApiServer();
  s.script('WATCH /api/v1/namespaces', [{ lines: [], hold: true }]);
  s.script('WATCH /api/v1/services', [{ status: 500, body: { kind: 'Status', code: 500, message: 'boom' } }]);
  const w = new ClusterWatcher(connect({ kubeconfig: s.kubeconfig(), env: {} }), {
    kinds: [...NAMESPACES, { group: '', kind: 'Service' }],
    backoff: { initialMs: 60_000, maxMs: 60_000 },
  });
  w.on('warning', () => {});
  await w.start();
  await until(w, () => s.requests.some((r) => r.path === '/api/v1/services' && r.query.watch));
  await w.stop();
  const count = s.requests.length;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(s.requests.length, count, 'no request after stop');
  await s.close();
});

test('watching many kinds at once adds no more than a few listeners to any one AbortSignal (no MaxListenersExceededWarning)', async () => {
  const kinds = [
    ...['Namespace', 'Pod', 'ReplicationController', 'PodTemplate', 'Service', 'ConfigMap', 'ServiceAccount', 'LimitRange', 'ResourceQuota'].map((kind) => ({ group: '', kind })),
    ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].map((kind) => ({ group: 'apps', kind })),
    ...['Job', 'CronJob'].map((kind) => ({ group: 'batch', kind })),
    ...['ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].map((kind) => ({ group: 'rbac.authorization.k8s.io', kind })),
    ...['NetworkPolicy', 'Ingress'].map((kind) => ({ group: 'networking.k8s.io', kind })),
  ];
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  const s = await startFakeApiServer();
  // Every recorded collection's watch stays open, so all kinds watch at the same time.
  for (const f of readdirSync(RECORDED_DIR)) {
    if (/^apis?_.*\.json$/.test(f) && !/[@]|\.table\.json$/.test(f)) s.script(`WATCH /${f.slice(0, -'.json'.length).replace(/_/g, '/')}`, [{ lines: [], hold: true }]);
  }
  const w = new ClusterWatcher(connect({ kubeconfig: s.kubeconfig(), env: {} }), { kinds, ...FAST });
  try {
    await w.start();
    assert.deepEqual(w.gaps(), []);
    const deadline = Date.now() + 5000;
    while (s.requests.filter((r) => r.query.watch).length < kinds.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.requests.filter((r) => r.query.watch).length, kinds.length, 'every kind is being watched');
    // Process warnings are emitted on a later tick.
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(warnings.filter((x) => x.name === 'MaxListenersExceededWarning').map((x) => x.message), []);
  } finally {
    await w.stop();
    await s.close();
    process.off('warning', onWarning);
  }
});
