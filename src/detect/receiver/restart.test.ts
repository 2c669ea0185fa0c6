import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempCerts } from '../../admission/test-support.js';
import { alertingEvent, bearer, eventList, post, readAlerts, RULES_FILE, waitFor, writeTokenFile } from './test-support.js';

// The compiled CLI of the dist under test (bin/palisade.js would import the repository's dist/).
const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

interface Child {
  proc: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startServe(work: string, args: string[]): Promise<Child> {
  const script = join(work, 'palisade.mjs');
  writeFileSync(script, `import { main } from ${JSON.stringify(MAIN)};\nmain(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n`);
  const proc = spawn(process.execPath, [script, 'audit', 'serve', ...args], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${err}`)), 15_000);
    proc.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (https:\/\/[^\s]+)\/audit/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!, stderr: () => err, exited });
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}:\n${err}`)));
  });
}

describe('palisade audit serve: crash safety', () => {
  it('after SIGKILL right after the last 200, a restart on the same spool processes every acknowledged event', async (t) => {
    const work = mkdtempSync(join(tmpdir(), 'pal-recv-kill-'));
    const certs = tempCerts();
    const tokenFile = writeTokenFile(work);
    const args = ['--listen', '127.0.0.1:0', '--tls-cert', certs.certFile, '--tls-key', certs.keyFile, '--token-file', tokenFile, '--spool', 'spool', '--no-builtin', '--rules', RULES_FILE, '--output', 'alerts.jsonl',
      // A long commit interval leaves processed-but-uncommitted events at the kill: they must be redone.
      '--commit-interval', '60000', '--segment-bytes', '200000'];
    const agent = new https.Agent({ keepAlive: true, ca: certs.caPem, maxSockets: 4 });
    const children: Child[] = [];
    try {
      const first = await startServe(work, args);
      children.push(first);
      const acked: number[] = [];
      let next = 0;
      const BATCHES = 40;
      const PER_BATCH = 25;
      // Four senders at once, like the API server's batch backend under load.
      await Promise.all(Array.from({ length: 4 }, async () => {
        for (;;) {
          const b = next++;
          if (b >= BATCHES) return;
          const ids = Array.from({ length: PER_BATCH }, (_, i) => b * PER_BATCH + i);
          const a = await post(`${first.url}/audit`, agent, eventList(ids.map((i) => alertingEvent(100_000 + i))), bearer());
          assert.equal(a.status, 200, a.text);
          acked.push(...ids);
        }
      }));
      first.proc.kill('SIGKILL');
      assert.equal(await first.exited, null, 'killed, not exited');
      agent.destroy();
      assert.equal(acked.length, BATCHES * PER_BATCH);

      const second = await startServe(work, args);
      children.push(second);
      // Commits happened only at segment ends (--commit-interval 60000): what followed the last one is redone.
      const resumed = Number(/resuming (\d+) spooled event\(s\)/.exec(second.stderr())?.[1]);
      assert.ok(resumed > 0 && resumed <= BATCHES * PER_BATCH, second.stderr());
      const want = new Set(acked.map((i) => `pod-${100_000 + i}`));
      const seen = () => new Set(readAlerts(join(work, 'alerts.jsonl')).map((a) => /pod=(pod-\d+)/.exec(a.output)?.[1]));
      await waitFor(() => [...want].every((p) => seen().has(p)), 20_000);
      second.proc.kill('SIGTERM');
      assert.equal(await second.exited, 0, second.stderr());
      assert.match(second.stderr(), /stopped; \d+ event\(s\) processed/);
      const alerts = readAlerts(join(work, 'alerts.jsonl'));
      assert.ok(alerts.length >= want.size, 'at least once');
      t.diagnostic(`${want.size} acknowledged events, ${resumed} resumed after the kill; ${alerts.length} alert lines in all (repeats are the at-least-once replay)`);
      const missing = [...want].filter((p) => !seen().has(p));
      assert.deepEqual(missing, []);
    } finally {
      agent.destroy();
      for (const c of children) {
        if (c.proc.exitCode === null && c.proc.signalCode === null) {
          c.proc.kill('SIGKILL');
          await c.exited;
        }
      }
      certs.cleanup();
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('refuses to start without authentication and names the missing option', async () => {
    const work = mkdtempSync(join(tmpdir(), 'pal-recv-usage-'));
    try {
      const script = join(work, 'palisade.mjs');
      writeFileSync(script, `import { main } from ${JSON.stringify(MAIN)};\nmain(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n`);
      const proc = spawn(process.execPath, [script, 'audit', 'serve', '--tls-cert', 'a', '--tls-key', 'b', '--spool', 's'], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      const code = await new Promise<number | null>((r) => proc.on('exit', r));
      assert.equal(code, 2);
      assert.match(err, /give exactly one of --token-file and --client-ca/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
