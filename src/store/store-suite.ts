/**
 * The store's behaviour suite, run unchanged against SQLite (sqlite.test.ts) and a real
 * PostgreSQL server (postgres.test.ts): one implementation, one contract, two dialects.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { PalisadeError } from '../core/errors.js';
import type { Finding, FindingStatus } from '../core/finding.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import { join } from 'node:path';
import { allControls, CONTROLS } from '../controls/registry.js';
import { PACKAGE_ROOT } from '../core/version.js';
import { ExceptionSet } from '../engine/exceptions.js';
import { scanManifests } from '../engine/scan.js';
import { loadExceptions } from '../sources/exceptions-file.js';
import type { DetectionRecord } from '../detect/correlate/record.js';
import { fingerprint, type ControlRun } from '../engine/engine.js';
import type { ScanResult } from '../engine/scan-result.js';
import { builtinFrameworks, type Framework } from '../frameworks/loader.js';
import { frameworkStatus } from '../frameworks/scoring.js';
import { openStore } from './index.js';
import { applyMigrations, MIGRATIONS } from './migrations.js';
import type { SqlStore } from './store.js';

let examples: Promise<ScanResult> | undefined;
function examplesScan(): Promise<ScanResult> {
  examples ??= (async () => {
    const root = join(PACKAGE_ROOT, 'examples');
    const controls = allControls();
    const loaded = loadExceptions(join(root, 'exceptions.yaml'), 'exceptions.yaml', new Set(controls.map((c) => c.meta.id)));
    return scanManifests({
      inputs: ['storefront', 'legacy'],
      root,
      controls,
      settings: { allowedRegistries: [], pssVersion: 'latest' },
      frameworks: [...builtinFrameworks().values()],
      exceptions: new ExceptionSet(loaded.exceptions, new Date('2026-11-01T00:00:00Z')),
      render: false,
    });
  })();
  return examples;
}

export interface SuiteTarget {
  /** A URL of a fresh, empty database. */
  fresh(): Promise<string>;
  /** Bytes that hold the database's data, for "is this secret stored anywhere" (undefined: not a file). */
  /** Every file that holds the database's data, flushed (a checkpoint) first. */
  files(url: string): Promise<Buffer[]>;
}

const FRAMEWORK: Framework = builtinFrameworks().get('pss-restricted') ?? [...builtinFrameworks().values()][0];
/** Controls of one requirement, and controls mapped nowhere in FRAMEWORK. */
const REQUIREMENT = FRAMEWORK.requirements.find((r) => r.controls.length >= 1 && r.controls.every((c) => CONTROLS[c]))!;
const INSIDE = REQUIREMENT.controls[0];
const mapped = new Set(FRAMEWORK.requirements.flatMap((r) => r.controls));
const OUTSIDE = Object.keys(CONTROLS).filter((c) => !mapped.has(c)).slice(0, 2);
const CONTROL_IDS = [INSIDE, ...OUTSIDE];

interface Spec {
  control?: string;
  ns?: string;
  name: string;
  kind?: string;
  field?: string;
  status?: FindingStatus;
  severity?: Severity;
  line?: number;
}

function finding(s: Spec): Finding {
  const control = s.control ?? INSIDE;
  const kind = s.kind ?? 'Deployment';
  const ns = s.ns ?? 'shop';
  const key = `apps/v1/${kind}/${ns}/${s.name}`;
  const path = ['spec', 'template', 'spec', 'containers', 0, s.field ?? 'securityContext'];
  const f: Finding = {
    controlId: control,
    severity: s.severity ?? CONTROLS[control].meta.severity,
    status: s.status ?? 'fail',
    messageId: 'default',
    message: `${s.name} breaks ${control}`,
    resource: { apiVersion: 'apps/v1', kind, namespace: ns, name: s.name, key },
    path,
    location: { file: `${ns}/${s.name}.yaml`, line: s.line ?? 10, column: 7, path, exact: true },
    evidence: { observed: s.field ?? 'securityContext', value: null },
    fix: [{ op: 'add', path: '/spec/template/spec/containers/0/securityContext', value: { runAsNonRoot: true } }],
    fingerprint: fingerprint(control, key, path, 'default'),
  };
  if (f.status === 'excepted') f.exception = { id: 'EXC-1', reason: 'legacy', owner: 'team-a', expires: '2099-01-01' };
  return f;
}

function result(findings: Finding[], startedAt = new Date().toISOString()): ScanResult {
  const runs: ControlRun[] = CONTROL_IDS.map((id) => {
    const mine = findings.filter((f) => f.controlId === id);
    return { meta: CONTROLS[id].meta, severity: CONTROLS[id].meta.severity, evaluated: 100, failed: mine.filter((f) => f.status === 'fail').length, excepted: mine.filter((f) => f.status === 'excepted').length };
  });
  return {
    tool: { name: 'palisade', version: '9.9.9-test' },
    startedAt,
    durationMs: 1234,
    root: '/tmp/manifests',
    inputs: ['manifests/'],
    resources: { total: 100, byKind: { Deployment: 90, Service: 10 } },
    files: 12,
    controls: runs,
    findings,
    diagnostics: [{ code: 'PALISADE_SOURCE_NOT_K8S', level: 'warning', message: 'not a Kubernetes object', file: 'x.yaml', line: 1 }],
    frameworks: [frameworkStatus(FRAMEWORK, runs)],
  };
}

const byFp = (a: { fingerprint: string }, b: { fingerprint: string }) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0);
const fps = (xs: readonly { fingerprint: string }[]) => xs.map((x) => x.fingerprint).sort();

async function rejectsWithCode(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: unknown) => e instanceof PalisadeError && e.diagnostic.code === code);
}

export function storeSuite(dialect: 'sqlite' | 'postgres', target: () => SuiteTarget) {
  const open = async (url?: string) => openStore(url ?? (await target().fresh()));
  const withStore = async (fn: (s: SqlStore, url: string) => Promise<void>) => {
    const url = await target().fresh();
    const s = await openStore(url);
    try {
      assert.equal(s.dialect, dialect);
      await fn(s, url);
    } finally {
      await s.close();
    }
  };

  test(`${dialect}: migrations are recorded once and re-running them changes nothing`, async () => {
    const url = await target().fresh();
    const [a, b] = await Promise.all([openStore(url), openStore(url)]); // two servers starting at once
    await a.migrate();
    await b.close();
    const ids = await a.raw().all<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
    assert.deepEqual(ids.map((r) => r.id), MIGRATIONS.map((m) => m.id));
    await a.raw().run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', ['9999_from_the_future', new Date().toISOString()]);
    await a.close();
    await rejectsWithCode(openStore(url), 'PALISADE_STORE_SCHEMA_NEWER');
  });

  test(`${dialect}: recordScan tracks opened, still open and resolved across scans, including a reopen`, async () => {
    await withStore(async (s) => {
      const A = finding({ name: 'a' });
      const B = finding({ name: 'b', control: OUTSIDE[0] });
      const C = finding({ name: 'c', status: 'excepted' });
      const D = finding({ name: 'd' });
      const passing = { ...finding({ name: 'p' }), status: 'pass' as const };
      const r1 = await s.recordScan('prod', 'cluster', result([A, B, C, passing], '2026-01-01T00:00:00.000Z'));
      assert.deepEqual({ ...r1, scanId: 0 }, { scanId: 0, opened: 3, resolved: 0, stillOpen: 0 });
      const r2 = await s.recordScan('prod', 'cluster', result([A, D], '2026-01-02T00:00:00.000Z'));
      assert.deepEqual({ ...r2, scanId: 0 }, { scanId: 0, opened: 1, resolved: 2, stillOpen: 1 });
      const A3 = { ...A, status: 'excepted' as const, exception: { id: 'EXC-9', reason: 'accepted' } };
      const r3 = await s.recordScan('prod', 'cluster', result([A3, B, D], '2026-01-03T00:00:00.000Z'));
      assert.deepEqual({ ...r3, scanId: 0 }, { scanId: 0, opened: 1, resolved: 0, stillOpen: 2 });
      assert.ok(r1.scanId < r2.scanId && r2.scanId < r3.scanId);

      const scan1 = await s.getScan(r1.scanId);
      assert.equal(scan1?.failed, 2);
      assert.equal(scan1?.excepted, 1);
      const scan3 = (await s.listScans({ cluster: 'prod' }))[0];
      assert.deepEqual([scan3.id, scan3.failed, scan3.excepted, scan3.opened, scan3.resolved], [r3.scanId, 2, 1, 1, 0]);
      assert.equal(scan3.scores[FRAMEWORK.id], result([A3, B, D]).frameworks[0].score);
      assert.deepEqual((await s.listScans({ cluster: 'prod', before: r3.scanId, limit: 1 })).map((x) => x.id), [r2.scanId]);

      const openAt = async (scanId: number) => fps((await s.findings({ scanId, limit: 500 })).items);
      assert.deepEqual(await openAt(r1.scanId), fps([A, B, C]));
      assert.deepEqual(await openAt(r2.scanId), fps([A, D]));
      assert.deepEqual(await openAt(r3.scanId), fps([A, B, D]));
      assert.deepEqual(fps((await s.findings({ cluster: 'prod' })).items), fps([A, B, D]));
      assert.deepEqual(fps((await s.findings({ cluster: 'prod', state: 'resolved' })).items), fps([C]));

      // A was failing at scan 1 and excepted at scan 3: each scan keeps its own status.
      const atScan1 = (await s.findings({ scanId: r1.scanId, controlId: INSIDE })).items.find((f) => f.fingerprint === A.fingerprint);
      assert.equal(atScan1?.status, 'fail');
      const b = await s.finding(B.fingerprint, 'prod');
      assert.equal(b?.firstScanId, r1.scanId);
      assert.equal(b?.firstSeen, '2026-01-01T00:00:00.000Z');
      assert.equal(b?.lastScanId, r3.scanId);
      assert.equal(b?.resolvedAt, undefined);
      const c = await s.finding(C.fingerprint);
      assert.equal(c?.resolvedScanId, r2.scanId);
      assert.equal(c?.lastScanId, r1.scanId);
      const intervals = await s.raw().all<{ n: number }>('SELECT COUNT(*) AS n FROM finding_intervals WHERE fingerprint = ?', [B.fingerprint]);
      assert.equal(Number(intervals[0].n), 2);
      assert.deepEqual(await s.listClusters(), [{ name: 'prod', lastScanId: r3.scanId, lastScanAt: '2026-01-03T00:00:00.000Z' }]);
      await rejectsWithCode(s.recordScan('', 'cluster', result([])), 'PALISADE_STORE_QUERY');
      await rejectsWithCode(s.recordScan('prod', 'cluster', result([], 'yesterday')), 'PALISADE_STORE_QUERY');
      // Times are kept in one form (UTC), so that ordering them as text orders them in time.
      const r4 = await s.recordScan('prod', 'cluster', result([A3, B, D], '2026-01-04T02:00:00+02:00'));
      assert.equal((await s.getScan(r4.scanId))?.startedAt, '2026-01-04T00:00:00.000Z');
    });
  });

  test(`${dialect}: scans of one cluster recorded at the same time are diffed one after the other`, async () => {
    await withStore(async (s, url) => {
      const other = await openStore(url); // a second server on the same database
      try {
        const a = finding({ name: 'a' });
        const b = finding({ name: 'b' });
        await s.recordScan('prod', 'cluster', result([])); // the cluster exists: nothing else serialises the two
        const outcomes = await Promise.all([s.recordScan('prod', 'cluster', result([a, b])), other.recordScan('prod', 'cluster', result([a]))]);
        // Whichever went first, the second saw its findings: a is still open, nothing is opened twice.
        const [first, second] = outcomes.sort((x, y) => x.scanId - y.scanId);
        assert.equal(first.stillOpen, 0);
        assert.equal(second.stillOpen, 1);
        assert.equal(first.opened + second.opened, 2);
        const open = await s.raw().all<{ n: number }>('SELECT COUNT(*) AS n FROM finding_intervals WHERE closed_scan IS NULL');
        const expectedOpen = (await s.findings({ cluster: 'prod' })).total;
        assert.equal(Number(open[0].n), expectedOpen, 'one open interval per open finding');
      } finally {
        await other.close();
      }
    });
  });

  test(`${dialect}: scanResult rebuilds a stored scan: findings, paths, locations, runs, frameworks`, async () => {
    await withStore(async (s) => {
      const first = [finding({ name: 'a', line: 3 }), finding({ name: 'b', ns: 'pay', control: OUTSIDE[1] ?? OUTSIDE[0], field: 'image' }), finding({ name: 'c', status: 'excepted' })];
      const original = result(first, '2026-02-01T00:00:00.000Z');
      // A policy loaded from a file has no built-in metadata to look up: its run keeps its own.
      const custom = { ...CONTROLS[INSIDE].meta, id: 'ACME-POLICY-1', title: 'Team label required', slug: 'team-label' };
      original.controls.push({ meta: custom, severity: 'low', evaluated: 7, failed: 0, excepted: 0 });
      const { scanId } = await s.recordScan('prod', 'manifests', original);
      const later = [finding({ name: 'a', line: 40 }), finding({ name: 'z' })]; // a moved; b, c resolved
      await s.recordScan('prod', 'manifests', result(later));
      const rebuilt = await s.scanResult(scanId);
      assert.ok(rebuilt);
      // Older scans keep their membership; the observation is the latest one stored.
      const expected = original.findings.filter((f) => f.status !== 'pass').map((f) => (f.fingerprint === later[0].fingerprint ? later[0] : f));
      assert.deepEqual([...rebuilt.findings].sort(byFp), [...expected].sort(byFp));
      assert.equal(rebuilt.startedAt, original.startedAt);
      assert.deepEqual(rebuilt.resources, original.resources);
      assert.deepEqual(rebuilt.inputs, original.inputs);
      assert.deepEqual(rebuilt.diagnostics, original.diagnostics);
      assert.equal(rebuilt.tool.version, '9.9.9-test');
      assert.deepEqual(rebuilt.controls.map((r) => [r.meta.id, r.evaluated, r.failed, r.excepted]), original.controls.map((r) => [r.meta.id, r.evaluated, r.failed, r.excepted]));
      assert.ok(rebuilt.controls.filter((r) => CONTROLS[r.meta.id]).every((r) => r.meta === CONTROLS[r.meta.id].meta));
      assert.deepEqual(rebuilt.controls.at(-1), original.controls.at(-1));
      assert.deepEqual(rebuilt.frameworks, original.frameworks);
      assert.deepEqual(await s.frameworkStatuses(scanId, FRAMEWORK.id), original.frameworks);
      // The latest scan round-trips exactly.
      const latest = await s.scanResult((await s.listScans({ limit: 1 }))[0].id);
      assert.deepEqual([...latest!.findings].sort(byFp), [...later].sort(byFp));
      assert.equal(await s.scanResult(999_999), undefined);
    });
  });

  test(`${dialect}: a real scan of examples/ (every control and framework, file exceptions) round-trips through the store`, async () => {
    await withStore(async (s) => {
      const original = await examplesScan();
      const stored = original.findings.filter((f) => f.status === 'fail' || f.status === 'excepted');
      assert.ok(stored.some((f) => f.status === 'excepted') && stored.some((f) => f.location && f.fix), 'the example scan has exceptions, locations and fixes');
      const { scanId, opened } = await s.recordScan('examples', 'manifests', original);
      assert.equal(opened, new Set(stored.map((f) => f.fingerprint)).size);
      const rebuilt = (await s.scanResult(scanId))!;
      // As JSON: the engine leaves `namespace: undefined` on cluster-scoped resources; a store keeps no undefined.
      const asJson = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
      assert.deepEqual(asJson(rebuilt.findings), asJson(stored), 'same findings, same order, same paths, locations, evidence, fixes and exceptions');
      assert.deepEqual(rebuilt.frameworks, original.frameworks);
      assert.deepEqual(rebuilt.controls, original.controls);
      assert.deepEqual(rebuilt.diagnostics, original.diagnostics);
      assert.equal(rebuilt.root, original.root);
    });
  });

  test(`${dialect}: findings filter by control, severity, namespace, kind, framework, requirement and text, and page with a cursor`, async () => {
    await withStore(async (s) => {
      const all: Finding[] = [];
      const severities: Severity[] = ['critical', 'high', 'medium', 'low'];
      for (let i = 0; i < 230; i++) {
        all.push(finding({ name: `app-${i}`, ns: i % 3 === 0 ? 'pay' : 'shop', kind: i % 5 === 0 ? 'StatefulSet' : 'Deployment', control: CONTROL_IDS[i % CONTROL_IDS.length], severity: severities[i % 4] }));
      }
      await s.recordScan('prod', 'cluster', result(all));
      await s.recordScan('staging', 'cluster', result(all.slice(0, 10)));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      let total: number | undefined;
      do {
        const page = await s.findings({ cluster: 'prod', limit: 50, cursor });
        if (pages === 0) total = page.total;
        seen.push(...page.items.map((f) => f.fingerprint));
        const rank = page.items.map((f) => SEVERITIES.indexOf(f.severity));
        assert.deepEqual(rank, [...rank].sort((a, b) => b - a), 'worst severity first within a page');
        cursor = page.next;
        pages++;
      } while (cursor);
      assert.equal(pages, 5);
      assert.equal(total, 230);
      assert.equal(new Set(seen).size, 230);
      assert.deepEqual([...seen].sort(), fps(all));
      assert.equal((await s.findings({ limit: 500 })).total, 240, 'no cluster: every cluster');

      const count = async (q: Parameters<SqlStore['findings']>[0]) => (await s.findings({ cluster: 'prod', limit: 500, ...q })).items.length;
      assert.equal(await count({ severity: 'critical' }), all.filter((f) => f.severity === 'critical').length);
      assert.equal(await count({ namespace: 'pay' }), all.filter((f) => f.resource.namespace === 'pay').length);
      assert.equal(await count({ kind: 'StatefulSet' }), all.filter((f) => f.resource.kind === 'StatefulSet').length);
      assert.equal(await count({ controlId: OUTSIDE[0] }), all.filter((f) => f.controlId === OUTSIDE[0]).length);
      assert.equal(await count({ framework: FRAMEWORK.id }), all.filter((f) => mapped.has(f.controlId)).length);
      assert.equal(await count({ framework: FRAMEWORK.id, requirement: REQUIREMENT.id }), all.filter((f) => REQUIREMENT.controls.includes(f.controlId)).length);
      assert.equal(await count({ text: 'APP-22' }), all.filter((f) => f.resource.name.startsWith('app-22')).length);
      assert.equal(await count({ text: '100%_' }), 0, 'LIKE wildcards in the text are literal');
      assert.equal(await count({ namespace: 'pay', severity: 'high', kind: 'Deployment' }), all.filter((f) => f.resource.namespace === 'pay' && f.severity === 'high' && f.resource.kind === 'Deployment').length);

      await rejectsWithCode(s.findings({ cursor: 'not-a-cursor' }), 'PALISADE_STORE_QUERY');
      await rejectsWithCode(s.findings({ framework: 'no-such-framework' }), 'PALISADE_STORE_QUERY');
      await rejectsWithCode(s.findings({ severity: 'urgent' }), 'PALISADE_STORE_QUERY');
      await rejectsWithCode(s.findings({ limit: 0 }), 'PALISADE_STORE_QUERY');
      await rejectsWithCode(s.findings({ scanId: 424242 }), 'PALISADE_STORE_NOT_FOUND');
      assert.equal((await s.findings({ limit: 100_000 })).items.length, 240 > 500 ? 500 : 240);
    });
  });

  test(`${dialect}: frameworkTrend lists a framework's score per scan, oldest first`, async () => {
    await withStore(async (s) => {
      const a = finding({ name: 'a' });
      const results = [result([a]), result([]), result([a, finding({ name: 'b' })])];
      const ids: number[] = [];
      for (const r of results) ids.push((await s.recordScan('prod', 'cluster', r)).scanId);
      await s.recordScan('dev', 'cluster', result([]));
      const trend = await s.frameworkTrend(FRAMEWORK.id, { cluster: 'prod' });
      assert.deepEqual(trend.map((t) => t.scanId), ids);
      assert.deepEqual(trend.map((t) => t.score), results.map((r) => r.frameworks[0].score));
      assert.deepEqual(trend[0].counts, results[0].frameworks[0].counts);
      assert.deepEqual((await s.frameworkTrend(FRAMEWORK.id, { cluster: 'prod', limit: 2 })).map((t) => t.scanId), ids.slice(1));
      assert.equal((await s.frameworkTrend(FRAMEWORK.id)).length, 4);
      assert.deepEqual(await s.frameworkTrend('no-such-framework'), []);
    });
  });

  test(`${dialect}: exceptions go requested → approved → revoked, expire, and their audit trail cannot be changed`, async () => {
    await withStore(async (s) => {
      const base = { controls: [INSIDE], resources: [{ namespace: 'legacy' }], justification: 'vendor image, fixed in Q3', owner: 'team-a', expires: '2026-06-30' };
      const e = await s.requestException({ ...base, id: 'EXC-7', requestedBy: 'alice' });
      assert.equal(e.state, 'requested');
      assert.equal(e.approvedBy, '');
      await rejectsWithCode(s.requestException({ ...base, id: 'EXC-7', requestedBy: 'alice' }), 'PALISADE_STORE_CONFLICT');
      await rejectsWithCode(s.requestException({ ...base, expires: 'next week', requestedBy: 'alice' }), 'PALISADE_EXCEPTION_INVALID');
      const approved = await s.decideException('EXC-7', 'approved', 'bob', 'ok until Q3');
      assert.deepEqual([approved.state, approved.approvedBy, approved.decidedBy], ['approved', 'bob', 'bob']);
      await rejectsWithCode(s.decideException('EXC-7', 'rejected', 'bob'), 'PALISADE_STORE_EXCEPTION_STATE');
      await rejectsWithCode(s.decideException('EXC-404', 'approved', 'bob'), 'PALISADE_STORE_NOT_FOUND');
      const revoked = await s.decideException('EXC-7', 'revoked', 'carol');
      assert.equal(revoked.state, 'revoked');

      const other = await s.requestException({ ...base, requestedBy: 'alice', expires: '2026-01-31' });
      assert.match(other.id, /^EXC-\d{8}-[0-9a-f]{8}$/);
      await s.decideException(other.id, 'approved', 'bob');
      assert.equal(await s.expireExceptions('2026-01-31'), 0, 'the expiry day itself is still covered');
      assert.equal(await s.expireExceptions('2026-02-01'), 1);
      assert.deepEqual((await s.listExceptions({ state: 'expired' })).map((x) => x.id), [other.id]);
      const rejected = await s.requestException({ ...base, requestedBy: 'dave' });
      await s.decideException(rejected.id, 'rejected', 'bob', 'too broad');
      assert.equal((await s.listExceptions()).length, 3);

      const trail = await s.exceptionEvents('EXC-7');
      assert.deepEqual(trail.map((t) => [t.action, t.actor]), [['requested', 'alice'], ['approved', 'bob'], ['revoked', 'carol']]);
      assert.equal(trail[1].comment, 'ok until Q3');
      assert.deepEqual((await s.exceptionEvents(other.id)).map((t) => t.action), ['requested', 'approved', 'expired']);
      assert.equal((await s.exceptionEvents()).length, 8);

      await assert.rejects(s.raw().run("UPDATE exception_events SET actor = 'mallory'"), /append-only/);
      await assert.rejects(s.raw().run('DELETE FROM exception_events WHERE id = ?', [trail[0].id]), /append-only/);
      if (dialect === 'postgres') await assert.rejects(s.raw().run('TRUNCATE exception_events'), /append-only/);
      assert.deepEqual((await s.exceptionEvents('EXC-7')).map((t) => t.actor), ['alice', 'bob', 'carol']);
    });
  });

  test(`${dialect}: tokens act for a principal (their own name unless given); the exception trail records it`, async () => {
    await withStore(async (s) => {
      const first = (await s.createFirstToken('admin', 'admin'))!.token;
      assert.deepEqual([first.principal, first.createdBy], ['admin', undefined]);
      const alias = (await s.createToken('admin-laptop', 'admin', { createdBy: first.id, principal: first.principal })).token;
      const bob = (await s.createToken('bob', 'viewer', { principal: 'Bob Example', createdBy: first.id })).token;
      const cli = (await s.createToken('break-glass', 'admin')).token;
      const byId = new Map((await s.listTokens()).map((t) => [t.id, t]));
      assert.deepEqual([byId.get(alias.id)?.principal, byId.get(alias.id)?.createdBy], ['admin', first.id]);
      assert.deepEqual([byId.get(bob.id)?.principal, byId.get(bob.id)?.createdBy], ['Bob Example', first.id]);
      assert.deepEqual([byId.get(cli.id)?.principal, byId.get(cli.id)?.createdBy], ['break-glass', undefined]);
      await rejectsWithCode(s.createToken('nobody', 'viewer', { principal: ' ' }), 'PALISADE_STORE_QUERY');

      const base = { controls: [INSIDE], resources: [{ namespace: 'legacy' }], justification: 'vendor image, fixed in Q3', owner: 'team-a', expires: '2099-06-30' };
      const e = await s.requestException({ ...base, id: 'EXC-P1', requestedBy: 'admin-laptop', requestedPrincipal: 'admin' });
      assert.equal(e.requestedPrincipal, 'admin');
      assert.equal((await s.requestException({ ...base, requestedBy: 'carol' })).requestedPrincipal, 'carol', 'defaults to the requester');
      await s.decideException('EXC-P1', 'approved', 'bob', 'fine', 'Bob Example');
      await s.decideException('EXC-P1', 'revoked', 'someone');
      assert.deepEqual(
        (await s.exceptionEvents('EXC-P1')).map((x) => [x.actor, x.principal]),
        [['admin-laptop', 'admin'], ['bob', 'Bob Example'], ['someone', undefined]],
      );
      assert.equal((await s.listExceptions()).find((x) => x.id === 'EXC-P1')?.requestedPrincipal, 'admin');
    });
  });

  test(`${dialect}: a store made before principals upgrades: its tokens and requests act for themselves`, async () => {
    const url = await target().fresh();
    const old = await openStore(url, { migrate: false });
    await applyMigrations((fn, o) => old.raw().tx(fn, o), MIGRATIONS.slice(0, 1));
    await old.raw().run("INSERT INTO api_tokens (id, name, role, hash, created_at) VALUES ('tok_old', 'ops', 'admin', 'abc', '2026-01-01T00:00:00.000Z')");
    await old.raw().run(
      `INSERT INTO exceptions (id, controls, resources, justification, owner, approved_by, expires, state, requested_by, requested_at)
       VALUES ('EXC-OLD', '["*"]', '[]', 'legacy', 'team-a', '', '2099-01-01', 'requested', 'ops', '2026-01-02T00:00:00.000Z')`,
    );
    await old.raw().run("INSERT INTO exception_events (exception_id, action, actor, at) VALUES ('EXC-OLD', 'requested', 'ops', '2026-01-02T00:00:00.000Z')");
    await old.close();
    const s = await openStore(url);
    try {
      assert.deepEqual((await s.listTokens()).map((t) => [t.name, t.principal, t.createdBy]), [['ops', 'ops', undefined]]);
      assert.equal((await s.listExceptions())[0]?.requestedPrincipal, 'ops');
      // The append-only trail is not rewritten: its old entry has no principal.
      assert.deepEqual((await s.exceptionEvents('EXC-OLD')).map((x) => [x.actor, x.principal]), [['ops', undefined]]);
    } finally {
      await s.close();
    }
  });

  test(`${dialect}: API tokens keep only a SHA-256 of the secret`, async () => {
    const url = await target().fresh();
    const s = await open(url);
    const { token, secret } = await s.createToken('ci-bot', 'admin');
    const viewer = await s.createToken('dashboard', 'viewer');
    assert.match(secret, /^pal_[A-Za-z0-9_-]{43}$/);
    assert.equal((await s.authenticate(secret))?.id, token.id);
    assert.equal((await s.authenticate(secret))?.role, 'admin');
    assert.equal(await s.authenticate(secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A')), undefined);
    assert.equal(await s.authenticate(''), undefined);
    assert.ok((await s.listTokens()).find((t) => t.id === token.id)?.lastUsedAt);
    assert.equal(await s.countTokens(), 2);
    assert.equal(await s.revokeToken(viewer.token.id), true);
    assert.equal(await s.revokeToken(viewer.token.id), false);
    assert.equal(await s.authenticate(viewer.secret), undefined);
    assert.equal(await s.countTokens(), 1);
    assert.ok((await s.listTokens()).find((t) => t.id === viewer.token.id)?.revokedAt);
    await rejectsWithCode(s.createToken('x', 'root' as never), 'PALISADE_STORE_QUERY');
    const rows = JSON.stringify(await s.raw().all('SELECT * FROM api_tokens'));
    for (const x of [secret, viewer.secret]) assert.ok(!rows.includes(x) && !rows.includes(x.slice(4)), 'secret in the tokens table');
    await s.close();
    // The bytes on disk: the hash is there (so the search looks at the right bytes), the secret is not.
    const files = await target().files(url);
    const hash = createHash('sha256').update(secret).digest('hex');
    assert.ok(files.some((b) => b.includes(hash)), 'the token hash is on disk');
    for (const bytes of files) {
      for (const x of [secret, viewer.secret]) assert.equal(bytes.indexOf(x.slice(4)), -1, 'secret in the database files');
    }
  });

  test(`${dialect}: servers starting together on an empty store create one first token between them`, async () => {
    await withStore(async (s, url) => {
      const other = await openStore(url);
      try {
        const made = await Promise.all([s.createFirstToken('admin', 'admin'), other.createFirstToken('admin', 'admin'), s.createFirstToken('admin', 'admin')]);
        assert.equal(made.filter(Boolean).length, 1);
        assert.equal(await s.countTokens(), 1);
        assert.equal(await other.createFirstToken('admin', 'admin'), undefined);
        await s.revokeToken(made.find(Boolean)!.token.id);
        assert.ok(await other.createFirstToken('admin', 'admin'), 'with every token revoked, a new first token can be made');
      } finally {
        await other.close();
      }
    });
  });

  test(`${dialect}: retention deletes old scans, long-resolved findings, old alerts and admission decisions, never a cluster's latest scan`, async () => {
    await withStore(async (s) => {
      const now = new Date('2026-06-01T00:00:00.000Z');
      const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
      const A = finding({ name: 'a' });
      const B = finding({ name: 'b' });
      const old1 = await s.recordScan('prod', 'cluster', result([A, B], daysAgo(100)));
      const old2 = await s.recordScan('prod', 'cluster', result([A], daysAgo(95))); // B resolved long ago
      const recent = await s.recordScan('prod', 'cluster', result([A], daysAgo(1)));
      const lonely = await s.recordScan('edge', 'cluster', result([B], daysAgo(200))); // edge's only scan
      const alert = (time: string) => ({ time, rule: 'Exec into pod', priority: 'Warning', output: 'x', output_fields: {}, source: 'k8s_audit', tags: [], hostname: 'h', palisade: { mitre: [], frameworks: [], incident: null } }) as unknown as DetectionRecord;
      await s.recordAlerts('prod', [alert(daysAgo(40)), alert(daysAgo(2))]);
      const decision = (at: string) => ({ at, cluster: 'prod', uid: 'u', operation: 'CREATE', kind: 'Pod', namespace: 'shop', name: 'p', user: 'alice', allowed: false, dryRun: false, controls: [INSIDE] });
      await s.recordAdmissionDecisions([decision(daysAgo(40)), decision(daysAgo(2)), decision(daysAgo(3))]);

      const out = await s.applyRetention({ scansDays: 30, resolvedFindingsDays: 60, alertsDays: 30, admissionDays: 30 }, now);
      assert.deepEqual(out, { scans: 2, findings: 1, alerts: 1, admission: 1 });
      assert.deepEqual((await s.listScans()).map((x) => x.id).sort((a, b) => a - b), [recent.scanId, lonely.scanId].sort((a, b) => a - b));
      assert.equal(await s.getScan(old1.scanId), undefined);
      assert.equal(await s.getScan(old2.scanId), undefined);
      assert.deepEqual(await s.controlRuns(old1.scanId), []);
      assert.equal(await s.finding(B.fingerprint, 'prod'), undefined);
      assert.ok(await s.finding(B.fingerprint, 'edge'));
      assert.deepEqual(fps((await s.scanResult(recent.scanId))!.findings), [A.fingerprint]);
      assert.equal((await s.alerts()).items.length, 1);
      assert.deepEqual(await s.applyRetention({ scansDays: 0, resolvedFindingsDays: 0, alertsDays: 0, admissionDays: 0 }, now), { scans: 0, findings: 0, alerts: 0, admission: 0 });
      assert.ok((await s.sizeBytes()) > 0);
    });
  });

  test(`${dialect}: alerts are stored per cluster and paged newest first; incidents can be asked for alone`, async () => {
    await withStore(async (s) => {
      const mk = (i: number, incident = false) =>
        ({ time: `2026-03-01T00:00:${String(i).padStart(2, '0')}.000Z`, rule: `rule-${i}`, priority: 'Critical', output: `o${i}`, output_fields: {}, source: 'k8s_audit', tags: [], hostname: 'h', palisade: { mitre: ['T1609'], frameworks: [], incident: incident ? `inc-${i}` : null, ...(incident ? { stages: ['a', 'b'], entity: { kind: 'user', id: 'alice' } } : {}) } }) as unknown as DetectionRecord;
      assert.equal(await s.recordAlerts('prod', [mk(1), mk(2), mk(3, true), mk(4), mk(5)]), 5);
      await s.recordAlerts('dev', [mk(6)]);
      const p1 = await s.alerts({ cluster: 'prod', limit: 3 });
      assert.deepEqual(p1.items.map((a) => a.rule), ['rule-5', 'rule-4', 'rule-3']);
      const p2 = await s.alerts({ cluster: 'prod', limit: 3, cursor: p1.next });
      assert.deepEqual(p2.items.map((a) => a.rule), ['rule-2', 'rule-1']);
      assert.equal(p2.next, undefined);
      const incidents = await s.alerts({ incidentsOnly: true });
      assert.deepEqual(incidents.items.map((a) => [a.rule, a.cluster, a.palisade.incident]), [['rule-3', 'prod', 'inc-3']]);
      assert.equal((await s.alerts({ since: '2026-03-01T00:00:05.000Z' })).items.length, 2);
    });
  });
}
