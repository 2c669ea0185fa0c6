/**
 * The webhook's HTTPS server: /validate and /mutate answer AdmissionReview v1, /healthz and
 * /readyz answer probes, /metrics answers Prometheus.
 *
 * Robustness rules: every request is handled inside a catch-all (a bad request gets a 4xx
 * with a JSON Status saying what is wrong, never a crash); bodies are limited (413); at most
 * `overload.maxInFlight` reviews are judged at once and a review that waited longer than
 * `overload.maxQueueMs` is not judged either: both are answered at once with the configured
 * fail-open (allowed, with a warning) or fail-closed (refused, code 503) review, so the
 * webhook never queues without bound. SIGTERM-style shutdown: readiness fails, new
 * connections stop, reviews in flight finish, then the server closes.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { diagnostic, PalisadeError } from '../core/errors.js';
import type { AdmissionSettings } from './config.js';
import type { ContextCache } from './context-cache.js';
import type { DecisionLog, DecisionRecord } from './decision-log.js';
import { decide, Exemptions, reviewedResource, type Decision, type JudgeSet } from './judge.js';
import { AdmissionMetrics } from './metrics.js';
import { mutationsFor, type DigestSource } from './mutate.js';
import { encodePatch, MAX_REVIEW_DEPTH, nestsDeeperThan, parseReview, reviewResponse, ReviewError, uidOf, type AdmissionRequest, type AdmissionResponse } from './review.js';
import { CertificateWatcher, listenHttps, serverTlsOptions, type ConnectionLimits, type KeyPair } from './tls.js';
import { auditAnnotations, limitWarnings } from './warnings.js';

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface AdmissionServerOptions {
  host: string;
  port: number;
  certFile: string;
  keyFile: string;
  /** CA bundle that client certificates of /validate and /mutate callers must chain to. */
  clientCaFile?: string;
  judge: JudgeSet;
  settings: AdmissionSettings;
  cache?: ContextCache;
  digests?: DigestSource;
  decisionLog?: DecisionLog;
  metrics?: AdmissionMetrics;
  log?: LogFn;
  certPollMs?: number;
  /** Time to receive a whole request (headers and body). */
  requestTimeoutMs?: number;
  /** Connection cap, handshake and idle timeouts (defaults: DEFAULT_CONNECTION_LIMITS). */
  connections?: Partial<ConnectionLimits>;
}

export interface AdmissionServer {
  readonly port: number;
  readonly url: string;
  readonly metrics: AdmissionMetrics;
  /** Reviews received and not yet answered. */
  readonly inFlight: number;
  /** Replaces the controls and settings decisions are made with (configuration reload). */
  setJudge(judge: JudgeSet): void;
  /** Fails readiness, waits `delayMs`, stops accepting, lets reviews in flight finish (at most `graceMs`), closes. */
  close(opts?: { delayMs?: number; graceMs?: number }): Promise<void>;
  readonly closed: Promise<void>;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** What readBody hands over when the body is over the limit. */
const TOO_LARGE = Symbol('too large');

/**
 * Reads a request body of at most `limit` bytes and calls `done` once: with the body, with
 * TOO_LARGE, or with undefined when the client went away (an aborted request emits 'error').
 * A callback rather than a promise: every review comes through here.
 */
function readBody(req: IncomingMessage, limit: number, done: (body: Buffer | typeof TOO_LARGE | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  req.on('data', (c: Buffer) => {
    if (finished) return;
    size += c.length;
    if (size > limit) {
      finished = true;
      done(TOO_LARGE);
      return;
    }
    chunks.push(c);
  });
  req.on('end', () => {
    if (finished) return;
    finished = true;
    done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  });
  req.on('error', () => {
    if (finished) return;
    finished = true;
    done(undefined);
  });
}

/** A Kubernetes-style Status body for refusals before judging. */
function statusBody(code: number, reason: string, message: string, palisadeCode?: string, field?: string): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code,
    reason,
    message,
    ...(palisadeCode ? { details: { causes: [{ reason: palisadeCode, message, ...(field ? { field } : {}) }] } } : {}),
  });
}

export async function startAdmissionServer(opts: AdmissionServerOptions): Promise<AdmissionServer> {
  const metrics = opts.metrics ?? new AdmissionMetrics();
  const log: LogFn = opts.log ?? (() => {});
  const settings = opts.settings;
  let judge = opts.judge;
  const exemptions = new Exemptions(settings.exemptions);
  let clientCa: Buffer | undefined;
  if (opts.clientCaFile) {
    try {
      clientCa = readFileSync(opts.clientCaFile);
    } catch (e) {
      throw new PalisadeError(diagnostic('PALISADE_ADMISSION_TLS', { file: opts.clientCaFile, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: opts.clientCaFile }));
    }
  }

  let server: Server | undefined;
  const applyPair = (pair: KeyPair) => {
    metrics.certExpiry.set({}, Math.floor(pair.notAfter / 1000));
    if (server) server.setSecureContext(serverTlsOptions(pair, clientCa));
  };
  const watcher = new CertificateWatcher({
    certFile: opts.certFile,
    keyFile: opts.keyFile,
    pollMs: opts.certPollMs,
    onReload: (pair) => {
      applyPair(pair);
      metrics.certReloads.inc({ result: 'success' });
      log('info', 'serving certificate reloaded', { fingerprint: pair.fingerprint, notAfter: new Date(pair.notAfter).toISOString() });
    },
    onError: (e) => {
      metrics.certReloads.inc({ result: 'error' });
      log('warn', `serving certificate not reloaded, keeping the current one: ${e.message}`);
    },
  });
  applyPair(watcher.keyPair);

  let inFlight = 0;
  let draining = false;
  const setInFlight = (n: number) => {
    inFlight = n;
    metrics.inFlight.set({}, n);
  };

  const send = (res: ServerResponse, code: number, body: string, type = 'application/json') => {
    if (res.headersSent) return;
    const headers: Record<string, string | number> = { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' };
    if (draining) headers.connection = 'close';
    res.writeHead(code, headers);
    // A string, not a Buffer: Node then sends the head and the body in one write (one TLS
    // record), which measured cheaper than encoding the body first (docs/benchmarks.md).
    res.end(body);
  };
  const refuse = (res: ServerResponse, code: number, reason: string, message: string, palisadeCode?: string, field?: string, close = false) => {
    metrics.badRequests.inc({ code: String(code) });
    if (close) res.setHeader('connection', 'close');
    send(res, code, statusBody(code, reason, message, palisadeCode, field));
  };

  // Series looked up once, not formatted for every review.
  const latencyOf = new Map<string, (seconds: number) => void>();
  const reviewSeries = new Map<string, { value: number }>();
  const record = (endpoint: 'validate' | 'mutate', req: AdmissionRequest, resp: AdmissionResponse, outcome: DecisionRecord['outcome'], started: number, extra: () => Partial<DecisionRecord>) => {
    const seconds = (performance.now() - started) / 1000;
    let observe = latencyOf.get(endpoint);
    if (!observe) latencyOf.set(endpoint, (observe = metrics.latency.observer({ endpoint })));
    observe(seconds);
    const key = `${endpoint} ${outcome}`;
    let series = reviewSeries.get(key);
    if (!series) reviewSeries.set(key, (series = metrics.reviews.series({ endpoint, outcome })));
    series.value++;
    if (!opts.decisionLog) return;
    opts.decisionLog.write({
      time: new Date().toISOString(),
      uid: req.uid,
      endpoint,
      operation: req.operation,
      kind: `${req.kind.group ? req.kind.group + '/' : ''}${req.kind.version}/${req.kind.kind}`,
      resource: req.resource.resource,
      ...(req.subResource ? { subResource: req.subResource } : {}),
      ...(req.namespace ? { namespace: req.namespace } : {}),
      ...(req.name ? { name: req.name } : {}),
      user: req.userInfo.username,
      dryRun: req.dryRun,
      enforcement: settings.dryRun ? 'dry-run' : 'enforce',
      allowed: resp.allowed,
      outcome,
      ...extra(),
      ...(resp.warnings?.length ? { warnings: resp.warnings.length } : {}),
      durationMs: Math.round(seconds * 1e6) / 1e3,
    });
  };

  const validate = (req: AdmissionRequest, started: number): AdmissionResponse => {
    const d: Decision = decide(req, judge, settings, exemptions, opts.cache, { fingerprints: opts.decisionLog !== undefined });
    for (const f of d.findings) metrics.countFinding(f.controlId, f.action);
    for (const diag of d.diagnostics) log('warn', diag.message, { code: diag.code, uid: req.uid });
    record('validate', req, d.response, d.outcome, started, () => ({ ...(d.reason ? { reason: d.reason } : {}), ...(d.findings.length ? { findings: d.findings } : {}) }));
    return d.response;
  };

  const mutate = async (req: AdmissionRequest, started: number): Promise<AdmissionResponse> => {
    const resp: AdmissionResponse = { uid: req.uid, allowed: true };
    let reason: string | undefined;
    let applied: string[] = [];
    if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') reason = `${req.operation} requests are not mutated`;
    else if (req.subResource && !settings.includeSubresources) reason = `subresource ${req.subResource} is not mutated`;
    else {
      const resource = reviewedResource(req, req.object!);
      const exempt = exemptions.reasonFor(req, resource.kind === 'Namespace' ? resource.name : resource.namespace, resource.labels);
      if (exempt) reason = `exempt: ${exempt}`;
      else {
        const m = await mutationsFor(req, resource, settings, opts.cache, opts.digests);
        if (m.ops.length) Object.assign(resp, encodePatch(m.ops));
        if (m.warnings.length) resp.warnings = limitWarnings(m.warnings);
        applied = m.applied;
        for (const a of applied) metrics.patches.inc({ mutation: a });
        if (m.applied.includes('resolve-digests')) metrics.digests.inc({ result: 'pinned' });
        if (m.warnings.length) metrics.digests.inc({ result: 'failed' }, m.warnings.length);
        if (applied.length) resp.auditAnnotations = auditAnnotations({ mutations: applied.join(',') });
      }
    }
    record('mutate', req, resp, reason ? (reason.startsWith('exempt') ? 'exempt' : 'skip') : 'mutate', started, () => ({ ...(reason ? { reason } : {}), ...(applied.length ? { mutations: applied } : {}) }));
    return resp;
  };

  const shed = (endpoint: 'validate' | 'mutate', uid: string, started: number): AdmissionResponse => {
    const mode = settings.overload.mode;
    metrics.shed.inc({ endpoint, mode });
    metrics.reviews.inc({ endpoint, outcome: 'shed' });
    metrics.latency.observe({ endpoint }, (performance.now() - started) / 1000);
    const message = diagnostic('PALISADE_ADMISSION_OVERLOADED', { inFlight, limit: settings.overload.maxInFlight, mode }).message;
    if (mode === 'open') return { uid, allowed: true, warnings: [`Palisade did not judge this request: overloaded (fail-open)`], auditAnnotations: { decision: 'shed', mode: 'open' } };
    return { uid, allowed: false, status: { code: 503, reason: 'ServiceUnavailable', message }, auditAnnotations: { decision: 'shed', mode: 'closed' } };
  };

  /** An error in our code while answering: logged, a 500 (or the connection cut when the head went), never a crash. */
  const internalError = (path: string, res: ServerResponse, e: unknown) => {
    try {
      metrics.errors.inc();
      log('error', `internal error answering ${path}: ${(e as Error)?.stack ?? String(e)}`);
      if (!res.headersSent) send(res, 500, statusBody(500, 'InternalError', 'internal error in the Palisade webhook; see its log'));
      else res.destroy();
    } catch {
      res.destroy();
    }
  };

  /** The answer to a review whose body is in: at once for /validate, a promise for /mutate (digest look-ups). */
  const answerReview = (endpoint: 'validate' | 'mutate', body: Buffer, res: ServerResponse, started: number): Promise<void> | undefined => {
    if (nestsDeeperThan(body, MAX_REVIEW_DEPTH)) {
      refuse(res, 400, 'BadRequest', diagnostic('PALISADE_ADMISSION_MALFORMED_REVIEW', { detail: `nesting deeper than ${MAX_REVIEW_DEPTH} levels` }).message, 'PALISADE_ADMISSION_MALFORMED_REVIEW');
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (e) {
      refuse(res, 400, 'BadRequest', diagnostic('PALISADE_ADMISSION_MALFORMED_REVIEW', { detail: `the body is not JSON (${(e as Error).message.slice(0, 200)})` }).message, 'PALISADE_ADMISSION_MALFORMED_REVIEW');
      return undefined;
    }
    const waited = performance.now() - started;
    if (inFlight > settings.overload.maxInFlight || waited > settings.overload.maxQueueMs) {
      const uid = uidOf(parsed);
      if (uid !== undefined) {
        send(res, 200, JSON.stringify(reviewResponse(shed(endpoint, uid, started))));
        return undefined;
      }
    }
    let request: AdmissionRequest;
    try {
      request = parseReview(parsed);
    } catch (e) {
      if (!(e instanceof ReviewError)) throw e;
      const message = e.code === 'PALISADE_ADMISSION_UNSUPPORTED_VERSION'
        ? diagnostic(e.code, { found: e.message }).message
        : diagnostic(e.code, { detail: e.message }).message;
      refuse(res, 400, 'BadRequest', message, e.code, e.field);
      return undefined;
    }
    if (endpoint === 'validate') {
      send(res, 200, JSON.stringify(reviewResponse(validate(request, started))));
      return undefined;
    }
    return mutate(request, started).then((response) => send(res, 200, JSON.stringify(reviewResponse(response))));
  };

  const handleReview = (endpoint: 'validate' | 'mutate', path: string, req: IncomingMessage, res: ServerResponse, started: number): void => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return refuse(res, 405, 'MethodNotAllowed', `${endpoint === 'validate' ? '/validate' : '/mutate'} accepts POST only`);
    }
    if (clientCa && !(req.socket as TLSSocket).authorized) {
      return refuse(res, 403, 'Forbidden', 'a client certificate signed by the configured client CA is required (--client-ca)', undefined, undefined, true);
    }
    if (!JSON_TYPE.test(String(req.headers['content-type'] ?? ''))) {
      return refuse(res, 415, 'UnsupportedMediaType', 'expected Content-Type: application/json (an AdmissionReview)', 'PALISADE_ADMISSION_MALFORMED_REVIEW', undefined, true);
    }
    const limit = settings.maxBodyBytes;
    const declared = Number(req.headers['content-length']);
    const tooLarge = () => refuse(res, 413, 'RequestEntityTooLarge', diagnostic('PALISADE_ADMISSION_BODY_TOO_LARGE', { limit }).message, 'PALISADE_ADMISSION_BODY_TOO_LARGE', undefined, true);
    // Refused before reading: the connection is closed rather than drained.
    if (Number.isFinite(declared) && declared > limit) return tooLarge();
    setInFlight(inFlight + 1);
    readBody(req, limit, (body) => {
      // In flight until answered, whatever happens; a mutation hands that over to its promise.
      let pending: Promise<void> | undefined;
      try {
        if (body === TOO_LARGE) tooLarge();
        else if (body !== undefined) pending = answerReview(endpoint, body, res, started); // undefined: the client went away
      } catch (e) {
        internalError(path, res, e);
      } finally {
        if (pending === undefined) setInFlight(inFlight - 1);
      }
      pending?.catch((e: unknown) => internalError(path, res, e)).finally(() => setInFlight(inFlight - 1));
    });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?', 1)[0];
    const run = () => {
      switch (path) {
        case '/validate':
          return handleReview('validate', path, req, res, started);
        case '/mutate':
          return handleReview('mutate', path, req, res, started);
        case '/healthz':
        case '/livez':
          return send(res, 200, 'ok\n', 'text/plain; charset=utf-8');
        case '/readyz':
          return draining ? send(res, 503, 'shutting down\n', 'text/plain; charset=utf-8') : send(res, 200, 'ok\n', 'text/plain; charset=utf-8');
        case '/metrics':
          if (opts.cache) for (const [kind, n] of Object.entries(opts.cache.countsByKind())) metrics.cacheObjects.set({ kind }, n);
          return send(res, 200, metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
        default:
          return refuse(res, 404, 'NotFound', `no such path ${JSON.stringify(path.slice(0, 100))}; the webhook serves /validate, /mutate, /healthz, /readyz, /metrics`);
      }
    };
    try {
      run();
    } catch (e) {
      internalError(path, res, e);
    }
  };

  const listening = await listenHttps(onRequest, {
    host: opts.host,
    port: opts.port,
    keyPair: watcher.keyPair,
    clientCa,
    requestTimeoutMs: opts.requestTimeoutMs,
    connections: opts.connections,
    onConnectionRefused: () => metrics.connectionsRefused.inc(),
    onConnectionTimedOut: () => metrics.connectionsTimedOut.inc(),
    onListenError: () => watcher.close(),
    log,
  });
  server = listening.server;
  const srv = server;
  const { port } = listening;

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | undefined;

  return {
    port,
    url: listening.url,
    metrics,
    get inFlight() {
      return inFlight;
    },
    setJudge(j: JudgeSet) {
      judge = j;
    },
    close({ delayMs = 0, graceMs = 25_000 } = {}) {
      if (closing) return closing;
      closing = (async () => {
        draining = true;
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        const stopped = new Promise<void>((r) => srv.close(() => r()));
        srv.closeIdleConnections();
        const deadline = Date.now() + graceMs;
        while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        srv.closeAllConnections();
        await stopped;
        watcher.close();
        await opts.decisionLog?.close();
        resolveClosed();
      })();
      return closing;
    },
    closed,
  };
}
