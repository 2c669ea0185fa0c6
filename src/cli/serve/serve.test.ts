import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import tls from 'node:tls';
import { join } from 'node:path';
import { parseCommandArgs, type CliIO } from '../command.js';
import { runCli } from '../testing.js';
import { httpsRequest } from '../../server/test-support.js';
import { startFakeApiServer } from '../../sources/cluster/test-server.js';
import { openStore } from '../../store/index.js';
import { startPostgres } from '../../store/test-support.js';
import { command } from './index.js';
import { ensureFirstToken, runServe } from './serve.js';

function captureIO(cwd: string): CliIO & { err: () => string } {
  let err = '';
  return { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, isTTY: false, cwd, readStdin: () => '', env: {}, err: () => err };
}

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts `palisade serve` in-process; returns its URL, its stderr and a stop function (SIGTERM). */
async function serve(dir: string, extra: string[] = []) {
  const io = captureIO(dir);
  const signals = new EventEmitter();
  const args = parseCommandArgs(command.spec, ['--db', `sqlite:${join(dir, 'p.db')}`, '--listen', '127.0.0.1:0', '--tls-self-signed', '--tls-dir', join(dir, 'tls'), ...extra]);
  const exit = runServe(args, io, signals as unknown as Parameters<typeof runServe>[2]);
  exit.catch(() => {});
  await waitFor(() => /listening on https:\/\/127\.0\.0\.1:\d+/.test(io.err()) || /error/.test(io.err()));
  const url = /listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(io.err())?.[1];
  assert.ok(url, io.err());
  const agent = new https.Agent({ ca: readFileSync(join(dir, 'tls', 'ca.crt')) });
  return {
    url,
    io,
    get: (path: string, token?: string) => httpsRequest(url + path, agent, 'GET', undefined, token ? { authorization: `Bearer ${token}` } : {}),
    async stop() {
      signals.emit('SIGTERM');
      const code = await exit;
      agent.destroy();
      return code;
    },
  };
}

test('the first start prints one admin token once; later starts print none; SIGTERM exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pal-serve-cli-'));
  try {
    const first = await serve(dir);
    const secrets = first.io.err().match(/pal_[A-Za-z0-9_-]{20,}/g) ?? [];
    assert.equal(secrets.length, 1, first.io.err());
    const secret = secrets[0]!;
    const me = await first.get('/api/v1/me', secret);
    assert.deepEqual({ ...me.json(), id: undefined }, { id: undefined, name: 'admin', role: 'admin' });
    assert.match(me.json().id, /^tok_/);
    assert.equal((await first.get('/api/v1/me')).status, 401);
    assert.equal(await first.stop(), 0);
    // The self-signed CA signs once: its key is not kept (the admission webhook's is).
    assert.ok(existsSync(join(dir, 'tls', 'ca.crt')) && !existsSync(join(dir, 'tls', 'ca.key')));
    // The JSON log lines never carry it.
    for (const line of first.io.err().split('\n').filter((l) => l.startsWith('{'))) assert.ok(!line.includes(secret), line);

    const second = await serve(dir);
    assert.doesNotMatch(second.io.err(), /pal_[A-Za-z0-9_-]{20,}/);
    assert.doesNotMatch(second.io.err(), /created the first admin token/);
    assert.match(second.io.err(), /using a self-signed certificate/);
    assert.equal((await second.get('/api/v1/me', secret)).status, 200);
    assert.equal((await second.get('/readyz')).status, 200);
    assert.equal(await second.stop(), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve token create prints the secret once on stdout; list shows it; revoke refuses it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pal-serve-tok-'));
  const db = `sqlite:${join(dir, 'p.db')}`;
  try {
    const created = await runCli(['serve', 'token', 'create', '--db', db, '--name', 'ci-prod', '--role', 'auditor'], { cwd: dir });
    assert.equal(created.code, 0, created.stderr);
    const secret = created.stdout.trim();
    assert.match(secret, /^pal_[A-Za-z0-9_-]{20,}$/);
    assert.ok(!created.stderr.includes(secret));
    const alice = await runCli(['serve', 'token', 'create', '--db', db, '--name', 'alice-laptop', '--role', 'admin', '--principal', 'alice'], { cwd: dir });
    assert.equal(alice.code, 0, alice.stderr);
    assert.match(alice.stderr, /acting for alice/);
    const listed = await runCli(['serve', 'token', 'list', '--db', db], { cwd: dir });
    assert.match(listed.stdout, /ci-prod\s+auditor/);
    // Without --principal a token acts for itself; neither was made by another token.
    assert.match(listed.stdout, /ci-prod\s+auditor\s+\S+\s+-\s+-\s+ci-prod\s+-\n/);
    assert.match(listed.stdout, /alice-laptop\s+admin\s+\S+\s+-\s+-\s+alice\s+-\n/);
    assert.ok(!listed.stdout.includes(secret));
    const id = /(tok_[0-9a-f]+)\s+ci-prod/.exec(listed.stdout)![1]!;

    const s = await serve(dir);
    assert.doesNotMatch(s.io.err(), /created the first admin token/, 'a store with a token gets no first token');
    assert.equal((await s.get('/api/v1/me', secret)).json().role, 'auditor');
    assert.equal(await s.stop(), 0);

    assert.equal((await runCli(['serve', 'token', 'revoke', '--db', db, '--id', id], { cwd: dir })).code, 0);
    assert.equal((await runCli(['serve', 'token', 'revoke', '--db', db, '--id', id], { cwd: dir })).code, 2);
    assert.match((await runCli(['serve', 'token', 'list', '--db', db], { cwd: dir })).stdout, /ci-prod\s+auditor\s+\S+\s+\S+\s+20\d\d-/);
    const bad = await runCli(['serve', 'token', 'create', '--db', db, '--name', 'x', '--role', 'root'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--role/);
    for (const [args, field] of [
      [['--principal', ''], '--principal'],
      [['--principal', 'a/b'], '--principal'],
    ] as const) {
      const r = await runCli(['serve', 'token', 'create', '--db', db, '--name', 'y', '--role', 'viewer', ...args], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(field));
    }
    assert.equal((await runCli(['serve', 'token', 'list', '--db', db, '--principal', 'x'], { cwd: dir })).code, 2);
    for (const [option, value] of [['--max-connections', '0'], ['--handshake-timeout', 'soon'], ['--idle-timeout', 'never']]) {
      const r = await runCli(['serve', '--db', db, '--listen', '127.0.0.1:0', '--tls-self-signed', option, value], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`${option}: expected`));
    }
    const noTls = await runCli(['serve', '--db', db, '--listen', '127.0.0.1:0'], { cwd: dir });
    assert.equal(noTls.code, 2);
    assert.match(noTls.stderr, /--tls-cert/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--cluster-context: the server watches the cluster and records its scans under the context name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pal-serve-kube-'));
  const api = await startFakeApiServer();
  try {
    const s = await serve(dir, ['--cluster-context', 'recorded-admin', '--kubeconfig', api.kubeconfig(), '--scan-debounce', '1s']);
    const secret = /pal_[A-Za-z0-9_-]{20,}/.exec(s.io.err())![0];
    let scans: { cluster: string; source: string; resources: number }[] = [];
    await waitForAsync(async () => (scans = (await s.get('/api/v1/scans?cluster=recorded-admin', secret)).json().items).length > 0);
    assert.equal(scans[0]!.source, 'cluster');
    assert.ok(scans[0]!.resources > 10);
    const clusters = (await s.get('/api/v1/clusters', secret)).json().items;
    assert.deepEqual(clusters.map((c: { name: string }) => c.name), ['recorded-admin']);
    const findings = (await s.get('/api/v1/findings?cluster=recorded-admin&limit=500', secret)).json();
    assert.ok(findings.items.length > 0);
    assert.ok(findings.items.every((f: { location?: unknown }) => f.location === undefined), 'live objects have no file location');
    const metrics = (await s.get('/metrics', secret)).text;
    assert.match(metrics, /palisade_server_cluster_scans_total\{cluster="recorded-admin",result="ok"\} [1-9]/);
    assert.equal(await s.stop(), 0);
  } finally {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--max-connections reaches the listener: a connection over the cap is refused and counted in /metrics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pal-serve-conn-'));
  try {
    const s = await serve(dir, ['--max-connections', '1', '--handshake-timeout', '30s', '--idle-timeout', '30s']);
    const secret = /pal_[A-Za-z0-9_-]{20,}/.exec(s.io.err())![0];
    const { port } = new URL(s.url);
    const ca = readFileSync(join(dir, 'tls', 'ca.crt'));
    const open = () =>
      new Promise<{ ok: boolean; socket: tls.TLSSocket }>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: Number(port), ca });
        socket.once('secureConnect', () => resolve({ ok: true, socket }));
        socket.once('error', () => resolve({ ok: false, socket }));
        socket.once('close', () => resolve({ ok: false, socket }));
      });
    const held = await open();
    assert.equal(held.ok, true);
    const over = await open();
    over.socket.destroy();
    assert.equal(over.ok, false, 'a second connection is refused while one is open');
    held.socket.destroy();
    let metrics = '';
    await waitForAsync(async () => {
      try {
        metrics = (await s.get('/metrics', secret)).text;
        return true;
      } catch {
        return false;
      }
    });
    assert.match(metrics, /^palisade_server_connections_refused_total [1-9]/m);
    assert.equal(await s.stop(), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function waitForAsync(cond: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Two replicas starting at once on one empty store: each has its own connection(s), as two processes would. */
async function racingFirstStarts(url: string): Promise<{ printed: number; tokens: number }> {
  const replicas = [await openStore(url), await openStore(url)];
  try {
    const ios = replicas.map(() => captureIO(tmpdir()));
    const made = await Promise.all(replicas.map((s, i) => ensureFirstToken(s, ios[i]!)));
    const printed = ios.filter((io) => /pal_[A-Za-z0-9_-]{20,}/.test(io.err())).length;
    assert.equal(made.filter(Boolean).length, printed);
    return { printed, tokens: (await replicas[0]!.listTokens()).length };
  } finally {
    for (const s of replicas) await s.close();
  }
}

test('two replicas starting at once on an empty PostgreSQL make exactly one first admin token', async () => {
  const pg = await startPostgres();
  try {
    for (let round = 0; round < 3; round++) assert.deepEqual(await racingFirstStarts(await pg.newDatabase()), { printed: 1, tokens: 1 }, `round ${round}`);
  } finally {
    await pg.stop();
  }
});

test('two stores starting at once on an empty SQLite file make exactly one first admin token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pal-serve-first-'));
  try {
    assert.deepEqual(await racingFirstStarts(`sqlite:${join(dir, 'p.db')}`), { printed: 1, tokens: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a mistyped store URL is refused before certificates or a database are written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-serve-url-'));
  const r = await runCli(['serve', '--db', 'bogus://x', '--tls-self-signed', '--tls-dir', 'tls', '--listen', '127.0.0.1:0'], { cwd: dir });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /unsupported scheme bogus .*\[PALISADE_STORE_URL\]/);
  assert.equal(existsSync(join(dir, 'tls')), false);
  rmSync(dir, { recursive: true, force: true });
});
