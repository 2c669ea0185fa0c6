import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allControls } from '../controls/registry.js';
import { ExceptionSet } from '../engine/exceptions.js';
import { builtinFrameworks } from '../frameworks/loader.js';
import { connect } from '../sources/cluster/client.js';
import { RECORDED_DIR, startFakeApiServer } from '../sources/cluster/test-server.js';
import { openStore } from '../store/index.js';
import type { RecordScanOutcome } from '../store/types.js';
import { ClusterScanner, type ClusterJudging } from './cluster-scans.js';
import { ServerMetrics } from './metrics.js';

function pod(name: string, rv: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: rv, labels: { run: name } },
    spec: { containers: [{ name: 'miner', image: 'evil.example.net/miner:1.0', securityContext: { privileged: true } }] },
  };
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a watched cluster is scanned at start, after changes (debounced) and on a full re-list, with store-approved exceptions applied', async () => {
  const fixtures = mkdtempSync(join(tmpdir(), 'pal-serve-kube-'));
  cpSync(RECORDED_DIR, fixtures, { recursive: true });
  const api = await startFakeApiServer({ dir: fixtures });
  // One pod appears through the watch; other kinds' watches stay open and quiet.
  api.script('WATCH /api/v1/pods', [{ lines: [{ type: 'ADDED', object: pod('miner-1', '48300') }], hold: true }]);
  const dbDir = mkdtempSync(join(tmpdir(), 'pal-serve-db-'));
  const store = await openStore(`sqlite:${join(dbDir, 'p.db')}`);
  const judging: ClusterJudging = {
    controls: allControls(),
    settings: { allowedRegistries: [], pssVersion: 'latest' },
    controlOptions: {},
    severityOverrides: {},
    exceptions: new ExceptionSet([]),
    frameworks: [...builtinFrameworks().values()],
  };
  const outcomes: Array<[RecordScanOutcome, string]> = [];
  const logs: string[] = [];
  const scanner = new ClusterScanner({
    cluster: 'recorded',
    client: connect({ kubeconfig: api.kubeconfig(), env: {} }),
    store,
    metrics: new ServerMetrics(),
    judging: () => judging,
    log: (level, m) => logs.push(`${level} ${m}`),
    debounceMs: 50,
    intervalMs: 3_600_000,
    watcher: { backoff: { initialMs: 50, maxMs: 200 } },
    onScan: (o, why) => outcomes.push([o, why]),
  });
  try {
    await scanner.start();
    assert.equal(outcomes[0]![1], 'start');
    const minerFindings = async () => (await store.findings({ cluster: 'recorded', namespace: 'default', limit: 1000 })).items.filter((f) => f.resource.name === 'miner-1');
    // Whether the watch event came before or after the first scan, the pod ends up scanned.
    await waitFor(async () => (await minerFindings()).length > 0);
    const privileged = (await minerFindings()).find((f) => f.controlId === 'PSS-BASELINE-PRIVILEGED' || /privileged/i.test(f.message));
    assert.ok(privileged, 'the privileged pod has a finding');
    const scans = await store.listScans({ cluster: 'recorded' });
    assert.ok(scans.every((s) => s.source === 'cluster'));
    assert.ok(scans[0]!.resources > 10);

    // An exception approved in the store applies to the next scan: the pod's findings become excepted.
    const expires = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await store.requestException({ id: 'EXC-MINER', controls: ['*'], resources: [{ namespace: 'default', name: 'miner-*' }], justification: 'a test of governed exceptions', owner: 'sec', expires, requestedBy: 'auditor' });
    await store.decideException('EXC-MINER', 'approved', 'admin');
    // A full re-list that also sees a second pod (written into the list the fake API server serves).
    const podsFile = join(fixtures, 'api_v1_pods.json');
    const list = JSON.parse(readFileSync(podsFile, 'utf8'));
    list.items.push(pod('miner-2', '48400'));
    writeFileSync(podsFile, JSON.stringify(list));
    const before = outcomes.length;
    await scanner.trigger('interval');
    assert.equal(outcomes.length, before + 1);
    assert.equal(outcomes.at(-1)![1], 'interval');
    const latest = await store.findings({ cluster: 'recorded', namespace: 'default', state: 'all', limit: 1000 });
    const miner2 = latest.items.filter((f) => f.resource.name === 'miner-2');
    assert.ok(miner2.length > 0 && miner2.every((f) => f.status === 'excepted' && f.exception?.id === 'EXC-MINER'), JSON.stringify(miner2.map((f) => [f.status, f.exception])));
    assert.ok(!logs.some((l) => l.startsWith('error')), logs.join('\n'));
  } finally {
    await scanner.stop();
    await store.close();
    await api.close();
    rmSync(fixtures, { recursive: true, force: true });
    rmSync(dbDir, { recursive: true, force: true });
  }
});

test('a cluster that refuses the credentials is reported and retried with back-off until stop()', async () => {
  const api = await startFakeApiServer({ token: 'right' });
  const dbDir = mkdtempSync(join(tmpdir(), 'pal-serve-db-'));
  const store = await openStore(`sqlite:${join(dbDir, 'p.db')}`);
  const scanner = new ClusterScanner({
    cluster: 'locked',
    client: connect({ kubeconfig: api.kubeconfig({ token: 'wrong' }), env: {} }),
    store,
    metrics: new ServerMetrics(),
    judging: () => ({ controls: allControls(), settings: { allowedRegistries: [], pssVersion: 'latest' }, controlOptions: {}, severityOverrides: {}, exceptions: new ExceptionSet([]), frameworks: [] }),
    log: () => {},
  });
  try {
    const errors: Array<[string, number]> = [];
    const running = scanner.keepStarting((e, retryInMs) => errors.push([e.message, retryInMs]));
    await waitFor(() => errors.length > 0);
    assert.match(errors[0]![0], /401|Unauthorized|credentials/i);
    assert.equal(errors[0]![1], 5000);
    await scanner.stop();
    await running;
    assert.equal(errors.length, 1, 'no attempt after stop()');
    assert.equal((await store.listScans({ cluster: 'locked' })).length, 0);
  } finally {
    await store.close();
    await api.close();
    rmSync(dbDir, { recursive: true, force: true });
  }
});
