import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { startTestServer, type TestServer } from './test-support.js';

// Connection limits with real sockets on 127.0.0.1. Timeouts are configured small; the tests
// wait for their effect within generous bounds and never assert how long it took.

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 8_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TLS connection: 'open' once the handshake is done, 'refused' when the server closes it first. */
function connect(t: TestServer): Promise<{ outcome: 'open' | 'refused'; socket: tls.TLSSocket }> {
  const url = new URL(t.server.url);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: url.hostname, port: Number(url.port), ca: t.certs.caPem });
    socket.once('secureConnect', () => resolve({ outcome: 'open', socket }));
    socket.once('error', () => resolve({ outcome: 'refused', socket }));
    socket.once('close', () => resolve({ outcome: 'refused', socket }));
  });
}

/** One GET on its own connection, answered and closed. */
async function getOnNewConnection(t: TestServer, path: string): Promise<string> {
  const { outcome, socket } = await connect(t);
  if (outcome !== 'open') return 'refused';
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
  socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return answer;
}

test('beyond --max-connections new connections are closed at once and counted; a freed slot is usable again', async () => {
  const t = await startTestServer({ server: { connections: { maxConnections: 3 } } });
  const held: tls.TLSSocket[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const c = await connect(t);
      assert.equal(c.outcome, 'open', `connection ${i + 1} of 3`);
      held.push(c.socket);
    }
    // Many at once: each is refused, none waits for a slot.
    const extra = await Promise.all(Array.from({ length: 10 }, () => connect(t)));
    for (const c of extra) c.socket.destroy();
    assert.deepEqual(extra.map((c) => c.outcome), Array(10).fill('refused'));
    assert.equal(t.server.metrics.connectionsRefused.get(), 10);
    assert.match(t.server.metrics.render(), /^palisade_server_connections_refused_total 10$/m);

    // The held connections still work.
    held[0]!.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    const answer = await new Promise<string>((resolve) => held[0]!.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
    assert.match(answer, /^HTTP\/1\.1 200 /);

    held.pop()!.destroy();
    let got = '';
    await waitFor('a connection is accepted after one closed', async () => /^HTTP\/1\.1 200 /.test((got = await getOnNewConnection(t, '/healthz'))));
    assert.match(got, /\r\n\r\nok/);
  } finally {
    for (const s of held) s.destroy();
    await t.stop();
  }
});

test('a client that connects and sends nothing is disconnected after the handshake timeout, and its slot is freed', async () => {
  // Long enough that the refused connection below is tried while the silent one still holds the slot.
  const t = await startTestServer({ server: { connections: { maxConnections: 1, handshakeTimeoutMs: 1_000 } } });
  const url = new URL(t.server.url);
  const silent = net.connect({ host: url.hostname, port: Number(url.port) });
  try {
    let closed = false;
    silent.on('error', () => {});
    silent.once('close', () => (closed = true));
    await new Promise((resolve) => silent.once('connect', resolve));
    // While it holds the only slot, others are refused.
    assert.equal((await connect(t)).outcome, 'refused');
    await waitFor('the silent client is disconnected', () => closed);
    await waitFor('the slot is free again', async () => /^HTTP\/1\.1 200 /.test(await getOnNewConnection(t, '/healthz')));
  } finally {
    silent.destroy();
    await t.stop();
  }
});

test('a client that stops reading a large answer is disconnected after the idle timeout; the server lets go of it', async () => {
  const web = mkdtempSync(join(tmpdir(), 'pal-web-'));
  // Four pipelined answers of 12 MiB each: more than loopback socket buffers hold.
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(web, 'big.txt'), Buffer.alloc(12 << 20, 'x'));
  const t = await startTestServer({ server: { webRoot: web, connections: { maxConnections: 1, idleTimeoutMs: 300 } } });
  const url = new URL(t.server.url);
  let stalled: tls.TLSSocket | undefined;
  try {
    stalled = tls.connect({ host: url.hostname, port: Number(url.port), ca: t.certs.caPem });
    stalled.on('error', () => {});
    await new Promise((resolve) => stalled!.once('secureConnect', resolve));
    stalled.write('GET /ui/big.txt HTTP/1.1\r\nhost: x\r\n\r\n'.repeat(4));
    // Never read: no 'data' listener, and the stream stays paused.
    stalled.pause();
    await waitFor('the stalled connection is closed by the server', () => t.server.metrics.connectionsTimedOut.get() === 1);
    await waitFor('no request is in flight any more', () => t.server.inFlight === 0);
    // The only slot is free again: the server holds no socket for the stalled client.
    await waitFor('a new connection is served', async () => /^HTTP\/1\.1 200 /.test(await getOnNewConnection(t, '/healthz')));
    // The client gets less than it asked for, then the end.
    let received = 0;
    stalled.on('data', (d: Buffer) => (received += d.length));
    const ended = new Promise<void>((resolve) => stalled!.once('close', () => resolve()));
    stalled.resume();
    await ended;
    assert.ok(received < 4 * (12 << 20), `received ${received} bytes`);
  } finally {
    stalled?.destroy();
    await t.stop();
    rmSync(web, { recursive: true, force: true });
  }
});

test('a client that reads a large answer slowly but steadily gets all of it, even past many idle timeouts', async () => {
  const web = mkdtempSync(join(tmpdir(), 'pal-web-'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(web, 'big.txt'), Buffer.alloc(12 << 20, 'x'));
  // The kernel hands a slow reader's bytes on in steps of a sizeable part of its buffers: the
  // timeout is long enough for a step, and far shorter than the whole answer takes.
  const t = await startTestServer({ server: { webRoot: web, connections: { idleTimeoutMs: 1_000 } } });
  const url = new URL(t.server.url);
  const reader = tls.connect({ host: url.hostname, port: Number(url.port), ca: t.certs.caPem });
  try {
    await new Promise((resolve) => reader.once('secureConnect', resolve));
    reader.write('GET /ui/big.txt HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    // Read at 4 MiB/s at most: the 12 MiB answer takes three seconds or more, many times the
    // idle timeout, while bytes keep moving.
    let received = 0;
    const started = Date.now();
    reader.on('data', (d: Buffer) => {
      received += d.length;
      reader.pause();
      setTimeout(() => reader.resume(), Math.max(0, started + received / 4_194 - Date.now()));
    });
    await new Promise<void>((resolve) => reader.once('close', () => resolve()));
    assert.ok(received > 12 << 20, `received ${received} bytes`);
    assert.equal(t.server.metrics.connectionsTimedOut.get(), 0);
  } finally {
    reader.destroy();
    await t.stop();
    rmSync(web, { recursive: true, force: true });
  }
});

test('with short idle and handshake timeouts, ordinary requests, keep-alive and a server slower than the idle timeout still work', async () => {
  const t = await startTestServer({ server: { connections: { maxConnections: 4, handshakeTimeoutMs: 1_000, idleTimeoutMs: 300 } } });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await t.call('GET', '/api/v1/me', { as: 'viewer' })).status, 200);
    assert.equal((await t.call('GET', '/api/v1/openapi.json', { as: 'viewer' })).status, 200);
    // The store takes longer than the idle timeout to answer: the connection waits for it.
    const countTokens = t.store.countTokens.bind(t.store);
    t.store.countTokens = async () => {
      await new Promise((r) => setTimeout(r, 1_000));
      return countTokens();
    };
    const ready = await getOnNewConnection(t, '/readyz');
    assert.match(ready, /^HTTP\/1\.1 200 /);
    assert.equal(t.server.metrics.connectionsTimedOut.get(), 0);
    assert.equal(t.server.metrics.connectionsRefused.get(), 0);
  } finally {
    await t.stop();
  }
});
