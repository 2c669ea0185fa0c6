/**
 * The HTTPS server of `palisade serve`: the API (api.ts), the dashboard's files
 * (static.ts), probes and metrics. Every request is answered inside a catch-all: a bad
 * request gets a coded JSON error naming what is wrong, a bug a 500 that names the route
 * (details go to the log, never to the client). Graceful shutdown: readiness fails, the
 * listener stops accepting, idle connections close, requests in flight finish (at most
 * `graceMs`), then the connections close; the caller closes the store afterwards.
 */
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PACKAGE_ROOT } from '../core/version.js';
import type { Control } from '../core/control.js';
import type { Store } from '../store/types.js';
import { apiRoutes, ScanResultCache, storeError, storeUnavailable, type App, type ServerLimits, type LogFn, type Reply, type Route } from './api.js';
import { authorize } from './auth.js';
import { ApiError, apiError, ClientGone, errorBody, parsePathParams, parseQuery } from './http.js';
import { CertificateWatcher, closeGracefully, listenHttps, serverTlsOptions, type ConnectionLimits } from './https.js';
import { AuditPipeline } from './ingest.js';
import { ServerMetrics } from './metrics.js';
import { Router } from './router.js';
import { SECURITY_HEADERS, sendStatic, StaticFiles } from './static.js';

export const DEFAULT_LIMITS: ServerLimits = { scanBytes: 64 << 20, auditBytes: 32 << 20, jsonBytes: 1 << 20, concurrentIngests: 2 };

export interface ServerOptions {
  host: string;
  port: number;
  certFile: string;
  keyFile: string;
  store: Store;
  limits?: Partial<ServerLimits>;
  /** Dashboard files; default <package>/web. */
  webRoot?: string;
  metrics?: ServerMetrics;
  audit?: AuditPipeline;
  log?: LogFn;
  /** Ed25519 key that signs evidence bundles. */
  signingKey?: KeyObject;
  /** Controls loaded from --policy: findings of theirs are described with their title and remediation. */
  policyControls?: readonly Control[];
  certPollMs?: number;
  requestTimeoutMs?: number;
  /** Connection cap, handshake and idle timeouts (defaults: DEFAULT_CONNECTION_LIMITS). */
  connections?: Partial<ConnectionLimits>;
  now?: () => Date;
}

export interface PalisadeServer {
  readonly url: string;
  readonly port: number;
  readonly metrics: ServerMetrics;
  readonly app: App;
  readonly inFlight: number;
  /** Stops accepting, lets requests in flight finish (at most graceMs), closes connections. Does not close the store. */
  close(opts?: { graceMs?: number }): Promise<void>;
  readonly closed: Promise<void>;
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

export async function startServer(opts: ServerOptions): Promise<PalisadeServer> {
  const log: LogFn = opts.log ?? (() => {});
  const metrics = opts.metrics ?? new ServerMetrics();
  const routes = apiRoutes();
  const router = new Router<Route>(routes);
  const files = new StaticFiles(opts.webRoot ?? join(PACKAGE_ROOT, 'web'));
  let draining = false;
  let inFlight = 0;

  const app: App = {
    store: opts.store,
    metrics,
    log,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    audit: opts.audit ?? new AuditPipeline(),
    scans: new ScanResultCache(opts.store),
    routes,
    signingKey: opts.signingKey,
    policyControls: new Map((opts.policyControls ?? []).map((c) => [c.meta.id, c.meta])),
    ingesting: 0,
    now: opts.now ?? (() => new Date()),
    async ready() {
      if (draining) return { ok: false, detail: 'shutting down' };
      try {
        await opts.store.countTokens();
        return { ok: true, detail: 'ok' };
      } catch (e) {
        metrics.storeErrors.inc({ operation: 'ready' });
        // /readyz needs no token: the database's own words (host, user, database names) go to the log only.
        log('warn', `readiness: the store does not answer: ${String((e as Error)?.message ?? e).slice(0, 300)}`);
        return { ok: false, detail: `the store does not answer (${storeUnavailable(e) ?? 'see the server log'})` };
      }
    },
  };

  const sendError = (res: ServerResponse, e: ApiError) => {
    if (res.headersSent) return void res.destroy();
    const body = errorBody(e);
    // A body left unread (refused before reading: no token, 415, 429…) would otherwise be read and discarded to its declared length.
    const close = draining || !res.req.complete;
    res.writeHead(e.status, { ...SECURITY_HEADERS, ...JSON_HEADERS, ...e.headers, ...(close ? { connection: 'close' } : {}), 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const sendReply = async (req: IncomingMessage, res: ServerResponse, r: Reply) => {
    const base: Record<string, string | number> = { ...SECURITY_HEADERS, 'cache-control': 'no-store', ...(draining ? { connection: 'close' } : {}) };
    if (!('json' in r) && !('body' in r)) {
      res.writeHead(r.status, base);
      return void res.end();
    }
    const head = req.method === 'HEAD';
    if ('json' in r) {
      const body = JSON.stringify(r.json);
      res.writeHead(r.status, { ...base, ...JSON_HEADERS, ...r.headers, 'content-length': Buffer.byteLength(body) });
      return void res.end(head ? undefined : body);
    }
    const { body } = r;
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      res.writeHead(r.status, { ...base, 'content-type': r.type, ...r.headers, 'content-length': Buffer.byteLength(body) });
      return void res.end(head ? undefined : body);
    }
    // Large reports arrive in pieces: written as they come, waiting when the client is slow.
    res.writeHead(r.status, { ...base, 'content-type': r.type, ...r.headers });
    if (head) return void res.end();
    for (const piece of body) {
      if (res.destroyed) return;
      // A client that goes away never drains: stop waiting when the response closes.
      if (!res.write(piece)) await drainedOrClosed(res);
    }
    if (!res.destroyed) res.end();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, label: { route: string }) => {
    const rawUrl = req.url ?? '/';
    const qi = rawUrl.indexOf('?');
    const path = qi < 0 ? rawUrl : rawUrl.slice(0, qi);
    const method = req.method ?? 'GET';
    if ((method === 'GET' || method === 'HEAD') && (path === '/' || path === '/ui' || path.startsWith('/ui/'))) {
      label.route = '/ui';
      const a = await files.lookup(path, typeof req.headers['if-none-match'] === 'string' ? req.headers['if-none-match'] : undefined);
      if (a.status === 200 || a.status === 304) return sendStatic(req, res, a, draining ? { connection: 'close' } : {});
      throw a.status === 400 ? apiError(400, 'PALISADE_API_BAD_REQUEST', { field: 'path', detail: 'not a valid URL path' }) : apiError(404, 'PALISADE_API_NOT_FOUND', { detail: 'no such file' });
    }
    const found = router.lookup(method, path);
    if ('notFound' in found) {
      throw apiError(404, 'PALISADE_API_NOT_FOUND', { detail: `no such endpoint ${JSON.stringify(path.slice(0, 100))}; see /api/v1/openapi.json` });
    }
    if ('methodNotAllowed' in found) {
      throw apiError(405, 'PALISADE_API_METHOD_NOT_ALLOWED', { method: method.slice(0, 10), path: path.slice(0, 100), allowed: found.methodNotAllowed.join(', ') }, { headers: { allow: found.methodNotAllowed.join(', ') } });
    }
    const { route, params } = found.found;
    label.route = route.path;
    let token;
    if (route.role) {
      try {
        token = await authorize(req, opts.store, route.role);
      } catch (e) {
        if (e instanceof ApiError) metrics.authFailures.inc({ code: String(e.status) });
        throw e;
      }
    }
    const search = new URLSearchParams(qi < 0 ? '' : rawUrl.slice(qi + 1));
    const ctx = {
      req,
      params: parsePathParams(params, route.params ?? []),
      query: parseQuery(search, route.query ?? []),
      token: token!,
      app,
    };
    if (token) log('debug', `${method} ${route.path}`, { token: token.name });
    await sendReply(req, res, await route.handle(ctx));
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    inFlight++;
    metrics.inFlight.set({}, inFlight);
    const label = { route: 'unmatched' };
    let counted = false;
    const done = () => {
      if (counted) return;
      counted = true;
      inFlight--;
      metrics.inFlight.set({}, inFlight);
      metrics.requests.inc({ method: req.method ?? '', route: label.route, code: String(res.statusCode) });
      metrics.latency.observe({ route: label.route }, (performance.now() - started) / 1000);
    };
    res.once('finish', done);
    res.once('close', done);
    handle(req, res, label).catch((e: unknown) => {
      if (e instanceof ClientGone) return void res.destroy();
      let err = e instanceof ApiError ? e : storeError(e);
      if (err?.code === 'PALISADE_API_STORE_UNAVAILABLE') {
        metrics.storeErrors.inc({ operation: label.route });
        log('warn', `store unavailable answering ${req.method} ${label.route}: ${(e as Error).message.slice(0, 300)}`);
      }
      if (!err) {
        metrics.storeErrors.inc({ operation: label.route });
        log('error', `internal error answering ${req.method} ${label.route}: ${(e as Error)?.stack ?? String(e)}`);
        err = apiError(500, 'PALISADE_API_INTERNAL', { route: `${req.method} ${label.route}` });
      }
      try {
        sendError(res, err);
      } catch {
        res.destroy();
      }
    });
  };

  let server: Server | undefined;
  const watcher = new CertificateWatcher({
    certFile: opts.certFile,
    keyFile: opts.keyFile,
    pollMs: opts.certPollMs,
    onReload: (pair) => {
      server?.setSecureContext(serverTlsOptions(pair));
      log('info', 'serving certificate reloaded', { fingerprint: pair.fingerprint });
    },
    onError: (e) => log('warn', `serving certificate not reloaded, keeping the current one: ${e.message}`),
  });
  const listening = await listenHttps(onRequest, {
    host: opts.host,
    port: opts.port,
    keyPair: watcher.keyPair,
    // Ingesting a large report over a slow link takes a while.
    requestTimeoutMs: opts.requestTimeoutMs ?? 300_000,
    connections: opts.connections,
    onConnectionRefused: () => metrics.connectionsRefused.inc({}),
    onConnectionTimedOut: () => metrics.connectionsTimedOut.inc({}),
    onListenError: () => watcher.close(),
    log,
  });
  server = listening.server;
  const srv = server;

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | undefined;
  return {
    url: listening.url,
    port: listening.port,
    metrics,
    app,
    get inFlight() {
      return inFlight;
    },
    close({ graceMs = 25_000 } = {}) {
      closing ??= (async () => {
        draining = true;
        await closeGracefully(srv, () => inFlight, graceMs);
        watcher.close();
        resolveClosed();
      })();
      return closing;
    },
    closed,
  };
}
