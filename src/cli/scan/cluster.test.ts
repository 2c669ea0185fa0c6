import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { webhookCertificates } from '../../admission/x509.js';
import { RECORDED_DIR, startFakeApiServer, type FakeApiServer } from '../../sources/cluster/test-server.js';
import sarifSchema from '../../report/schemas/sarif-2.1.0.json' with { type: 'json' };
import { main } from '../main.js';
import { runCli } from '../testing.js';

interface JsonReport {
  inputs: string[];
  cluster?: string;
  gaps?: { kind: string; reason: string; status: number; controls: string[] }[];
  findings: { controlId: string; resource: { key: string; kind: string }; path: string; messageId: string; message: string; fingerprint: string; status: string; severity: string; evidence?: unknown; location?: unknown }[];
  diagnostics: { code: string; level: string; message: string }[];
  frameworks: { id: string; requirements: { id: string; status: string; controls: string[] }[] }[];
}

async function withServer(fn: (s: FakeApiServer, dir: string) => Promise<void>, opts: Parameters<typeof startFakeApiServer>[0] = {}) {
  const s = await startFakeApiServer(opts);
  const dir = mkdtempSync(join(tmpdir(), 'pal-cluster-cli-'));
  try {
    await fn(s, dir);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const requirement = (r: JsonReport, fw: string, id: string) => r.frameworks.find((f) => f.id === fw)!.requirements.find((q) => q.id === id)!;

test('scan --cluster reads the cluster, reports findings without file locations, and the forbidden kind as a warning', () =>
  withServer(async (s, dir) => {
    const run = await runCli(['scan', '--cluster', '--kubeconfig', s.kubeconfig(), '-f', 'json'], { cwd: dir });
    assert.equal(run.code, 1, 'findings at or above info');
    const r = JSON.parse(run.stdout) as JsonReport;
    assert.equal(r.cluster, 'recorded');
    assert.deepEqual(r.inputs, ['k8s://recorded']);
    assert.ok(r.findings.length > 20);
    assert.ok(r.findings.every((f) => f.location === undefined));
    assert.ok(r.findings.some((f) => f.controlId === 'PAL-POD-001' && f.resource.key === '/Pod/default/debug-shell'));
    // Owned workloads are judged through their controllers' templates, once.
    const keys = new Set(r.findings.map((f) => f.resource.key));
    assert.ok(keys.has('apps/Deployment/shop/web') && keys.has('batch/CronJob/payments/nightly-report') && keys.has('apps/DaemonSet/kube-system/node-agent'));
    for (const owned of ['apps/ReplicaSet/shop/web-7d9c8b5f4', '/Pod/shop/web-7d9c8b5f4-x8k2p', 'batch/Job/payments/nightly-report-28911520', '/Pod/kube-system/node-agent-x2x9z']) {
      assert.ok(!keys.has(owned), `${owned} is owned`);
    }
    assert.ok(keys.has('/Pod/kube-system/kube-apiserver-cp1'), 'a mirror pod (owned by a Node) is judged');
    const gap = r.gaps!.find((g) => g.kind === 'Role')!;
    assert.deepEqual([gap.reason, gap.status], ['forbidden', 403]);
    assert.ok(gap.controls.includes('PAL-RBAC-004') && gap.controls.includes('PAL-RBAC-010'));
    assert.ok(!gap.controls.includes('PAL-POD-001'));
    const d = r.diagnostics.find((x) => x.code === 'PALISADE_CLUSTER_FORBIDDEN')!;
    assert.equal(d.level, 'warning');
    assert.match(d.message, /cannot list roles \(rbac\.authorization\.k8s\.io\/v1\): forbidden \(403\)/);
    assert.ok(!run.stdout.includes('czNjcjN0LWRiLXBhc3N3b3Jk') && !run.stdout.includes('ZXlKaGJHY2lPaUpTVXpJMU5p'), 'no Secret value');
  }));

test('a control that could not read a kind it needs is not evaluated, never passed; the exit code follows --fail-on only', () =>
  withServer(async (s, dir) => {
    const argv = ['scan', '--cluster', '--kubeconfig', s.kubeconfig(), '-f', 'json', '--framework', 'cis-kubernetes', '--fail-on', 'none'];
    const denied = await runCli(argv, { cwd: dir });
    assert.equal(denied.code, 0, 'a coverage gap is a warning');
    const gapped = JSON.parse(denied.stdout) as JsonReport;
    // PAL-RBAC-004 finds nothing on the readable objects; without Roles it cannot pass.
    assert.deepEqual(requirement(gapped, 'cis-kubernetes', '5.1.8'), { ...requirement(gapped, 'cis-kubernetes', '5.1.8'), status: 'not-evaluated', controls: ['PAL-RBAC-004'] });

    s.script('GET /apis/rbac.authorization.k8s.io/v1/roles', [{ body: { kind: 'RoleList', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { resourceVersion: '48213' }, items: [] } }]);
    const allowed = JSON.parse((await runCli(argv, { cwd: dir })).stdout) as JsonReport;
    assert.equal(requirement(allowed, 'cis-kubernetes', '5.1.8').status, 'pass');
    assert.deepEqual(allowed.gaps, []);
    // Failing requirements fail whatever the coverage.
    assert.equal(requirement(gapped, 'cis-kubernetes', '5.1.1').status, 'fail');
  }));

test('only the kinds the selected controls need are listed', () =>
  withServer(async (s, dir) => {
    const run = await runCli(['scan', '--cluster', '--kubeconfig', s.kubeconfig(), '--control', 'PAL-NET-004', '-f', 'json'], { cwd: dir });
    const r = JSON.parse(run.stdout) as JsonReport;
    assert.deepEqual([...new Set(r.findings.map((f) => f.controlId))], ['PAL-NET-004']);
    assert.deepEqual(r.gaps, [], 'Roles are not needed, so their 403 is no gap');
    const listed = s.requests.filter((q) => !/^\/apis?(\/[^/]+)?(\/v[^/]+)?$/.test(q.path)).map((q) => q.path);
    assert.deepEqual(listed, ['/api/v1/services']);
  }));

/** The recorded objects as one manifest file, built straight from the response files. */
function recordedAsManifests(): string {
  const objects: Record<string, unknown>[] = [];
  for (const f of readdirSync(RECORDED_DIR).sort()) {
    const body = JSON.parse(readFileSync(join(RECORDED_DIR, f), 'utf8')) as { kind: string; apiVersion: string; items?: Record<string, unknown>[]; rows?: { cells: unknown[]; object: { metadata: unknown } }[] };
    if (f === 'api_v1_secrets.json') continue; // the full objects Palisade never asks for
    if (body.kind === 'Table') for (const row of body.rows ?? []) objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: row.object.metadata, type: row.cells[1] });
    else if (body.kind.endsWith('List') && body.items) for (const item of body.items) objects.push({ apiVersion: body.apiVersion, kind: body.kind.slice(0, -4), ...item });
  }
  const uids = new Set(objects.map((o) => (o.metadata as { uid: string }).uid));
  const top = objects.filter((o) => !((o.metadata as { ownerReferences?: { uid: string; controller?: boolean; kind: string }[] }).ownerReferences ?? []).some((ref) => ref.controller && ref.kind !== 'Node' && uids.has(ref.uid)));
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: top }, null, 2);
}

test('parity: the cluster scan finds exactly what scanning the same objects as manifests finds', () =>
  withServer(async (s, dir) => {
    writeFileSync(join(dir, 'cluster.json'), recordedAsManifests());
    const live = JSON.parse((await runCli(['scan', '--cluster', '--kubeconfig', s.kubeconfig(), '-f', 'json'], { cwd: dir })).stdout) as JsonReport;
    const files = JSON.parse((await runCli(['scan', 'cluster.json', '-f', 'json'], { cwd: dir })).stdout) as JsonReport;
    const norm = (r: JsonReport) => r.findings.map((f) => [f.controlId, f.resource.key, f.path, f.messageId, f.message, f.status, f.severity, JSON.stringify(f.evidence), f.fingerprint].join(' | ')).sort();
    assert.deepEqual(files.diagnostics, []);
    assert.ok(files.findings.length > 20);
    assert.deepEqual(norm(live), norm(files));
  }));

test('--progress reports pages on standard error, never on standard output', () =>
  withServer(async (s, dir) => {
    const run = await runCli(['scan', '--cluster', '--kubeconfig', s.kubeconfig(), '--page-size', '2', '--progress', '-f', 'json', '--fail-on', 'none'], { cwd: dir });
    assert.equal(run.code, 0);
    JSON.parse(run.stdout);
    assert.match(run.stderr, /^listing pods… 2 \(page 1\)$/m);
    assert.match(run.stderr, /^listing pods… 4 \(page 2\)$/m);
    assert.match(run.stderr, /^listed pods: 5 \(3 pages\)$/m);
    assert.ok(s.requests.filter((r) => r.path === '/api/v1/pods').every((r) => r.query.limit === '2'));
    const quiet = await runCli(['scan', '--cluster', '--kubeconfig', s.kubeconfig(), '-f', 'json', '--fail-on', 'none'], { cwd: dir });
    assert.doesNotMatch(quiet.stderr, /listing|listed/);
  }));

test('on a terminal, progress is one line rewritten in place and cleared at the end', () =>
  withServer(async (s, dir) => {
    let out = '';
    let err = '';
    const code = await main(['scan', '--cluster', '--kubeconfig', s.kubeconfig(), '--page-size', '2', '-f', 'json', '--fail-on', 'none'], {
      stdout: { write: (x: string) => (out += x) },
      stderr: { write: (x: string) => (err += x), isTTY: true } as { write(s: string): unknown },
      isTTY: false,
      cwd: dir,
      readStdin: () => '',
      env: {},
    });
    assert.equal(code, 0);
    JSON.parse(out);
    assert.ok(err.includes('\r\x1b[Klisting pods… 2 (page 1)'));
    const cleared = err.lastIndexOf('\r\x1b[K');
    assert.ok(!err.slice(0, cleared).includes('\n'), 'no line breaks: the line is rewritten');
    // Cleared before anything else is written: the coverage warning follows on a clean line.
    assert.match(err.slice(cleared + 4), /^palisade: warning: cannot list roles/);
  }));

test('SARIF of a live scan is valid 2.1.0 and names the objects by logical location', () =>
  withServer(async (s, dir) => {
    const run = await runCli(['scan', '--cluster', '--kubeconfig', s.kubeconfig(), '-f', 'sarif', '--fail-on', 'none'], { cwd: dir });
    const log = JSON.parse(run.stdout) as { runs: { results: { locations: { logicalLocations?: { fullyQualifiedName?: string }[]; physicalLocation?: unknown }[] }[] }[] };
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(sarifSchema);
    assert.ok(validate(log), ajv.errorsText(validate.errors));
    const results = log.runs[0]!.results;
    assert.ok(results.length > 0);
    assert.ok(results.every((x) => x.locations[0]!.logicalLocations?.[0]?.fullyQualifiedName && x.locations[0]!.physicalLocation === undefined));
  }));

test('HTTPS with a CA and a bearer token: the token is sent and never printed, also when it is refused', async () => {
  const { ca, server } = webhookCertificates({ service: 'kube-apiserver', namespace: 'default', extraNames: ['127.0.0.1'] });
  const token = 'pal-test-token-7f3a9c2e51d84b06';
  await withServer(
    async (s, dir) => {
      const run = await runCli(['scan', '--cluster', '--kubeconfig', s.kubeconfig({ caPem: ca.certPem, token }), '--progress', '-f', 'json', '--fail-on', 'none'], { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(s.requests.length > 10 && s.requests.every((r) => r.authorization === `Bearer ${token}`));
      assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token));

      const refused = await runCli(['scan', '--cluster', '--kubeconfig', s.kubeconfig({ caPem: ca.certPem, token: 'wrong-token-0123456789' })], { cwd: dir });
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /PALISADE_CLUSTER_UNAUTHORIZED/);
      assert.ok(!refused.stderr.includes('wrong-token-0123456789') && !refused.stdout.includes('wrong-token-0123456789'));

      const untrusted = webhookCertificates({ service: 'other', namespace: 'default' }).ca;
      const mitm = await runCli(['scan', '--cluster', '--kubeconfig', s.kubeconfig({ caPem: untrusted.certPem, token })], { cwd: dir });
      assert.equal(mitm.code, 2, 'a server the CA did not sign is refused');
      assert.match(mitm.stderr, /PALISADE_CLUSTER_UNREACHABLE/);
      assert.ok(!mitm.stderr.includes(token));
    },
    { tls: { certPem: server.certPem, keyPem: server.keyPem }, token },
  );
});

test('kubeconfig selection: --context, KUBECONFIG, and clear errors for a missing context, config or server', () =>
  withServer(async (s, dir) => {
    const kc = s.kubeconfig({ extraContexts: ['staging'] });
    const viaEnv = await runCli(['scan', '--cluster', '--context', 'staging', '-f', 'json', '--fail-on', 'none'], { cwd: dir, env: { KUBECONFIG: kc } });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    const named = await runCli(['scan', '--cluster', '--kubeconfig', kc, '--cluster-name', 'prod-eu', '-f', 'json', '--fail-on', 'none'], { cwd: dir });
    assert.equal((JSON.parse(named.stdout) as JsonReport).cluster, 'prod-eu');

    const noContext = await runCli(['scan', '--cluster', '--kubeconfig', kc, '--context', 'nope'], { cwd: dir });
    assert.equal(noContext.code, 2);
    assert.match(noContext.stderr, /no context "nope" .*contexts: recorded-admin, staging.*PALISADE_CLUSTER_CONFIG/);

    const none = await runCli(['scan', '--cluster'], { cwd: dir, env: { HOME: dir } });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no kubeconfig found/);

    const failingPlugin = join(dir, 'exec.kubeconfig');
    writeFileSync(failingPlugin, readFileSync(kc, 'utf8').replace('  user: {}\n', '  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/false\n      interactiveMode: Never\n'));
    const plugin = await runCli(['scan', '--cluster', '--kubeconfig', failingPlugin], { cwd: dir });
    assert.equal(plugin.code, 2);
    assert.match(plugin.stderr, /cannot get credentials for the kubeconfig user: .*PALISADE_CLUSTER_CONFIG/);

    const withPath = await runCli(['scan', '--cluster', '--kubeconfig', kc, 'k8s/'], { cwd: dir });
    assert.equal(withPath.code, 2);
    assert.match(withPath.stderr, /takes no PATH/);

    // A port nothing listens on.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const dead = join(dir, 'dead.kubeconfig');
    writeFileSync(dead, readFileSync(kc, 'utf8').replace(s.url, `http://127.0.0.1:${port}`));
    const down = await runCli(['scan', '--cluster', '--kubeconfig', dead], { cwd: dir });
    assert.equal(down.code, 2);
    assert.match(down.stderr, /cannot read from the API server http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.*PALISADE_CLUSTER_UNREACHABLE/);
  }));
