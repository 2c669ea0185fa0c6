/**
 * The HTTPS listener every Palisade server shares (admission webhook, audit receiver,
 * `palisade serve`), and its serving certificate, reloaded when its files change: cert-manager and Kubernetes
 * Secret volumes replace the files (atomically, through a symlink swap), so the directories
 * are watched rather than the files, with a periodic stat as a fallback for file systems
 * without change events. A new pair is used only once it loads and its key matches; until
 * then the server keeps the old one.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { diagnostic, PalisadeError } from '../core/errors.js';

export interface KeyPair {
  cert: Buffer;
  key: Buffer;
  /** Expiry of the leaf certificate (ms since the epoch). */
  notAfter: number;
  fingerprint: string;
}

/** Reads and checks a certificate and its key; throws PalisadeError naming the file. */
export function loadKeyPair(certFile: string, keyFile: string): KeyPair {
  let cert: Buffer;
  let key: Buffer;
  const fail = (file: string, reason: string) => new PalisadeError(diagnostic('PALISADE_ADMISSION_TLS', { file, reason }, { file }));
  try {
    cert = readFileSync(certFile);
  } catch (e) {
    throw fail(certFile, (e as NodeJS.ErrnoException).code ?? String(e));
  }
  try {
    key = readFileSync(keyFile);
  } catch (e) {
    throw fail(keyFile, (e as NodeJS.ErrnoException).code ?? String(e));
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw fail(certFile, `not a PEM certificate (${(e as Error).message})`);
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error('the key does not belong to the certificate');
    createSecureContext({ cert, key });
  } catch (e) {
    throw fail(keyFile, (e as Error).message);
  }
  return { cert, key, notAfter: Date.parse(x509.validTo), fingerprint: x509.fingerprint256 };
}

export interface CertificateWatcherOptions {
  certFile: string;
  keyFile: string;
  /** Stat fallback period. */
  pollMs?: number;
  onReload: (pair: KeyPair) => void;
  onError: (e: Error) => void;
}

/** Watches a certificate and key pair and reports each new valid pair. */
export class CertificateWatcher {
  private current: KeyPair;
  private readonly watchers: FSWatcher[] = [];
  private readonly timer: NodeJS.Timeout;
  private debounce: NodeJS.Timeout | undefined;
  private lastStat: string;

  constructor(private readonly opts: CertificateWatcherOptions) {
    this.current = loadKeyPair(opts.certFile, opts.keyFile);
    this.lastStat = this.stamp();
    for (const dir of new Set([dirname(opts.certFile), dirname(opts.keyFile)])) {
      try {
        const w = watch(dir, { persistent: false }, () => this.schedule());
        w.on('error', () => {});
        this.watchers.push(w);
      } catch {
        // No change events here: the periodic stat still notices.
      }
    }
    this.timer = setInterval(() => {
      // A reload already waiting will see the change; restarting it would starve it.
      if (!this.debounce && this.stamp() !== this.lastStat) this.schedule();
    }, opts.pollMs ?? 10_000);
    this.timer.unref();
  }

  get keyPair(): KeyPair {
    return this.current;
  }

  private stamp(): string {
    try {
      const a = statSync(this.opts.certFile);
      const b = statSync(this.opts.keyFile);
      return `${a.ino}:${a.size}:${a.mtimeMs}|${b.ino}:${b.size}:${b.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }

  /** Writers replace the certificate and the key one after the other: wait for both. */
  private schedule(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.reload(), 100);
    this.debounce.unref();
  }

  /** Loads the files now; keeps the old pair when the new one is not valid. */
  reload(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = undefined;
    this.lastStat = this.stamp();
    let pair: KeyPair;
    try {
      pair = loadKeyPair(this.opts.certFile, this.opts.keyFile);
    } catch (e) {
      this.opts.onError(e as Error);
      return;
    }
    if (pair.fingerprint === this.current.fingerprint && pair.key.equals(this.current.key)) return;
    this.current = pair;
    this.opts.onReload(pair);
  }

  close(): void {
    clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    for (const w of this.watchers) w.close();
  }
}

/** TLS settings of the webhook: TLS 1.2 or later, as the API server speaks. */
export function serverTlsOptions(pair: KeyPair, clientCa?: Buffer): SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean } {
  return {
    cert: pair.cert,
    key: pair.key,
    minVersion: 'TLSv1.2',
    ...(clientCa ? { ca: clientCa } : {}),
    // Client certificates are checked per path: probes (kubelet) have none.
    requestCert: !!clientCa,
    rejectUnauthorized: false,
  };
}

/** How many connections a listener holds and how long a silent or slow peer may keep one. */
export interface ConnectionLimits {
  /** Open connections at most (TLS handshakes included); beyond it a new one is closed at once. */
  maxConnections: number;
  /** A TLS handshake not finished by then is aborted (a client that connects and sends nothing). */
  handshakeTimeoutMs: number;
  /**
   * A connection with no traffic either way for this long is closed: a client that stalls while
   * sending, or stops reading its response (noticed within twice this). A slow reader whose bytes
   * keep moving, and a server still working on an answer, are not cut.
   */
  idleTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 1024, handshakeTimeoutMs: 10_000, idleTimeoutMs: 60_000 };

export interface HttpsListenOptions {
  host: string;
  port: number;
  keyPair: KeyPair;
  clientCa?: Buffer;
  requestTimeoutMs?: number;
  connections?: Partial<ConnectionLimits>;
  /** Called for each connection closed because --max-connections were open (for a metric). */
  onConnectionRefused?: () => void;
  /** Called for each connection closed because it was idle or its client stopped reading (for a metric). */
  onConnectionTimedOut?: () => void;
  /** Called before the listen error is thrown (to release what the caller holds). */
  onListenError?: () => void;
  log: (level: 'error' | 'debug', message: string) => void;
}

/**
 * An HTTPS server with the limits every Palisade endpoint shares (a connection cap, handshake,
 * idle, header and request timeouts, keep-alive, a bare 400 on client errors), listening before
 * it returns.
 */
export async function listenHttps(
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
  opts: HttpsListenOptions,
): Promise<{ server: Server; port: number; url: string }> {
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...opts.connections };
  // Responses being answered, by connection: the idle timeout tells a busy server from a stalled client by them.
  const answering = new WeakMap<Socket, ServerResponse>();
  const lastUnsent = new WeakMap<Socket, number>();
  const track = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    answering.set(socket, res);
    res.once('close', () => {
      if (answering.get(socket) === res) answering.delete(socket);
    });
    // A pipelined request still waiting for its turn when the connection dies gets no 'close'
    // from Node (its response never had a socket): say so, for the servers' in-flight counts.
    req.once('close', () => {
      if (socket.destroyed && !res.socket && !res.writableFinished) res.emit('close');
    });
    onRequest(req, res);
  };
  const requestTimeout = opts.requestTimeoutMs ?? 30_000;
  const headersTimeout = Math.min(10_000, requestTimeout);
  const server = createServer(
    {
      ...serverTlsOptions(opts.keyPair, opts.clientCa),
      handshakeTimeout: limits.handshakeTimeoutMs,
      // Header and request timeouts are checked this often; the default (30 s) would let short limits run long.
      connectionsCheckingInterval: Math.max(50, Math.floor(headersTimeout / 4)),
    },
    track,
  );
  server.requestTimeout = requestTimeout;
  server.headersTimeout = headersTimeout;
  // Longer than the API server's idle connection reuse, shorter than load balancer defaults.
  server.keepAliveTimeout = 65_000;
  // Beyond the cap Node closes each new connection as it is accepted: refused at once, never queued
  // here (the kernel's listen backlog is the only queue, and it is bounded).
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => opts.onConnectionRefused?.());
  // Node's http has no write timeout: a client that stops reading keeps its response buffered for
  // ever. The socket's inactivity timer covers it, and a stalled sender too.
  server.timeout = limits.idleTimeoutMs;
  server.on('timeout', (socket: Socket) => {
    const res = answering.get(socket);
    // The whole request is in, nothing waits to be sent, no answer yet complete: the server is still working on it.
    if (res && res.req.complete && !res.writableEnded && res.writableLength === 0 && socket.writableLength === 0) {
      socket.setTimeout(limits.idleTimeoutMs);
      return;
    }
    // Node counts a write as activity when it completes, and a TLS socket's write completes once all
    // of it has left: a large answer read slowly but steadily looks idle. The TCP socket under it
    // shows the progress; a client is stalled when its unsent bytes did not move for a whole period.
    const unsent = unsentBytes(socket);
    if (unsent !== undefined && unsent > 0 && unsent !== lastUnsent.get(socket)) {
      lastUnsent.set(socket, unsent);
      socket.setTimeout(limits.idleTimeoutMs);
      return;
    }
    // Between requests Node arms the keep-alive timeout instead: its end is ordinary, not counted.
    if (socket.timeout === limits.idleTimeoutMs) opts.onConnectionTimedOut?.();
    socket.destroy();
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.on('tlsClientError', (err, socket) => {
    opts.log('debug', `TLS handshake failed: ${err.message}`);
    // With a listener here Node leaves the socket open: a handshake that timed out would hold its connection for ever.
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      opts.onListenError?.();
      reject(new PalisadeError(diagnostic('PALISADE_ADMISSION_LISTEN', { address: `${opts.host}:${opts.port}`, reason: e.code ?? e.message })));
    };
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (e) => opts.log('error', `server error: ${e.message}`));
  const port = (server.address() as AddressInfo).port;
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { server, port, url: `https://${shownHost}:${port}` };
}

/**
 * Bytes the kernel has not yet taken from the TCP connection under a TLS socket, when Node
 * exposes them (internal fields, present since the first TLS sockets; without them a slow reader
 * of a large answer is cut like a stalled one).
 */
function unsentBytes(socket: Socket): number | undefined {
  const tcp = (socket as unknown as { _parent?: { _handle?: { writeQueueSize?: unknown } } })._parent?._handle;
  return typeof tcp?.writeQueueSize === 'number' ? tcp.writeQueueSize : undefined;
}

/**
 * The graceful stop every Palisade server shares: stop accepting, close idle keep-alive
 * connections, let requests in flight finish until `graceMs` has passed, then close every
 * connection. Resolves with that deadline, for what the caller still stops within the grace.
 */
export async function closeGracefully(server: Server, inFlight: () => number, graceMs: number, pollMs = 10): Promise<number> {
  const stopped = new Promise<void>((r) => server.close(() => r()));
  server.closeIdleConnections();
  const deadline = Date.now() + graceMs;
  while (inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, pollMs));
  server.closeAllConnections();
  await stopped;
  return deadline;
}
