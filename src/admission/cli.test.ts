import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runCli } from '../cli/testing.js';
import { admissionReview, HARDENED_CONTAINER, podSpec, workload } from './test-support.js';

const MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

function post(url: string, ca: string, body: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}/validate`, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function get(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => https.get(url, { ca }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject));
}

describe('palisade admission serve (a real process)', () => {
  it('serves with a generated certificate, logs decisions, reloads on SIGHUP and drains on SIGTERM, exiting 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pal-adm-cli-'));
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import(${JSON.stringify(MAIN)}).then((m) => m.main(process.argv.slice(1))).then((c) => { process.exitCode = c; })`, 'admission', 'serve', '--generate-cert', 'certs', '--listen', '127.0.0.1:0', '--decision-log', '-', '--shutdown-delay', '0.3', '--refuse-latest'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let url: string | undefined;
      for (let i = 0; i < 400 && !url; i++) {
        await new Promise((r) => setTimeout(r, 25));
        url = /"msg":"listening on (https:\/\/[^"]+)"/.exec(stderr)?.[1];
      }
      assert.ok(url, stderr);
      const ca = readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8');
      assert.match(stderr, /CA bundle .* for clientConfig.caBundle:\n[A-Za-z0-9+/=]+\n/);
      const denied = await post(url, ca, admissionReview('CREATE', workload('Pod', podSpec([{ ...HARDENED_CONTAINER, image: 'registry.example.com/app:latest' }])), { uid: 'cli-1' }));
      assert.equal(denied.json.response.allowed, false);
      child.kill('SIGHUP');
      for (let i = 0; i < 200 && !/configuration reloaded \(SIGHUP\)/.test(stderr); i++) await new Promise((r) => setTimeout(r, 10));
      assert.match(stderr, /configuration reloaded \(SIGHUP\)/);
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(await get(`${url}/readyz`, ca), 503, 'not ready while draining');
      assert.equal(await exited, 0);
      const log = stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(log[0].uid, 'cli-1');
      assert.equal(log[0].outcome, 'deny');
      assert.match(stderr, /"msg":"stopped"/);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('caps connections (--max-connections): one over the cap is closed on arrival and counted in /metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pal-adm-conn-'));
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import(${JSON.stringify(MAIN)}).then((m) => m.main(process.argv.slice(1))).then((c) => { process.exitCode = c; })`, 'admission', 'serve', '--generate-cert', 'certs', '--listen', '127.0.0.1:0', '--max-connections', '1', '--handshake-timeout', '30s', '--idle-timeout', '30s'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      let url: string | undefined;
      for (let i = 0; i < 400 && !url; i++) {
        await new Promise((r) => setTimeout(r, 25));
        url = /"msg":"listening on (https:\/\/[^"]+)"/.exec(stderr)?.[1];
      }
      assert.ok(url, stderr);
      const ca = readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8');
      const open = () =>
        new Promise<{ ok: boolean; socket: tls.TLSSocket }>((resolve) => {
          const socket = tls.connect({ host: '127.0.0.1', port: Number(new URL(url!).port), ca });
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
      for (let i = 0; i < 200 && !/palisade_admission_connections_refused_total 1/.test(metrics); i++) {
        await new Promise((r) => setTimeout(r, 25));
        metrics = await new Promise<string>((resolve) =>
          https
            .get(`${url}/metrics`, { ca, agent: false }, (res) => {
              let text = '';
              res.on('data', (d) => (text += d));
              res.on('end', () => resolve(text));
            })
            .on('error', () => resolve('')),
        );
      }
      assert.match(metrics, /palisade_admission_connections_refused_total 1\n/);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad connection limits, naming the option', async () => {
    for (const [option, value] of [['--max-connections', '0'], ['--handshake-timeout', 'soon'], ['--idle-timeout', 'never']]) {
      const r = await runCli(['admission', 'serve', '--generate-cert', 'certs', '--listen', '127.0.0.1:0', option!, value!], { cwd: tmpdir() });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`${option}: expected`));
    }
  });
});
