/**
 * The kube-apiserver audit webhook backend: POST /audit takes an audit.k8s.io/v1 (or
 * v1beta1) EventList, appends its events to the spool and answers 200 only once they are
 * fsync'ed (the body is spooled as it arrived, one line, not re-serialised). /healthz, /readyz and /metrics answer probes and Prometheus.
 *
 * Refusals are Kubernetes Status bodies. The API server's webhook client retries (with
 * back-off) on 429, on 5xx with a Retry-After, and on connection resets, and gives up on
 * other 4xx — so anything transient here (queue full: 429; disk budget, shutdown, a slow
 * disk: 503) carries Retry-After, and anything wrong with the request itself is a 4xx
 * without it. The webhook's default timeout is 30 s; an append that has not become durable
 * within --ack-timeout is answered 503 (the events may still land: the consumer drops the
 * resent copies by auditID).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { diagnostic, PalisadeError, type ErrorCode } from '../../core/errors.js';
import { Counter, Histogram } from '../../admission/metrics.js';
import { CertificateWatcher, closeGracefully, listenHttps, serverTlsOptions, type ConnectionLimits } from '../../admission/tls.js';
import { BodyTooLarge, readBoundedBody } from '../../server/request-body.js';
import { AUDIT_API_VERSIONS, toAuditEvent } from '../audit/event.js';
import type { SpoolConsumer } from './consumer.js';
import { batchRecord, SpoolFullError, type Spool } from './spool.js';
import type { WebhookStats } from './webhook.js';

export type ReceiverAuth = { kind: 'token'; tokens: readonly string[] } | { kind: 'client-cert'; caFile: string };

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface ReceiverOptions {
  host: string;
  port: number;
  certFile: string;
  keyFile: string;
  auth: ReceiverAuth;
  spool: Spool;
  consumer: SpoolConsumer;
  maxBodyBytes: number;
  /** Events acknowledged and not yet processed beyond which batches get 429. */
  queueSize: number;
  retryAfterSeconds: number;
  /** Batches being read or spooled at once (bounds memory: each may be up to maxBodyBytes); more get 429. Default 32. */
  maxInFlight?: number;
  ackTimeoutMs: number;
  log?: LogFn;
  certPollMs?: number;
  /** The webhook sinks' counters, for /metrics. */
  webhooks?: () => readonly WebhookStats[];
  /** Connection cap, handshake and idle timeouts (defaults: DEFAULT_CONNECTION_LIMITS). */
  connections?: Partial<ConnectionLimits>;
}

export class ReceiverMetrics {
  readonly batches = new Counter('palisade_audit_batches_total', 'EventList batches answered, by HTTP status.');
  readonly events = new Counter('palisade_audit_events_received_total', 'Audit events acknowledged (spooled and fsync\'ed).');
  readonly skipped = new Counter('palisade_audit_events_skipped_total', 'Items of accepted batches that were not audit Events.');
  readonly processed = new Counter('palisade_audit_events_processed_total', 'Spooled events run through the rules.', 'gauge');
  readonly alerts = new Counter('palisade_audit_alerts_total', 'Alerts written.', 'gauge');
  readonly duplicates = new Counter('palisade_audit_events_duplicate_total', 'Events dropped as redeliveries (same auditID and stage).', 'gauge');
  readonly incidents = new Counter('palisade_audit_incidents_total', 'Incidents (kill chains) written by correlation.', 'gauge');
  readonly anomalies = new Counter('palisade_audit_anomaly_alerts_total', 'Anomaly alerts raised by the baseline (before the alert limiter).', 'gauge');
  readonly webhookSent = new Counter('palisade_audit_webhook_alerts_sent_total', 'Alerts delivered to a webhook, by endpoint (redacted URL).');
  readonly webhookDropped = new Counter('palisade_audit_webhook_alerts_dropped_total', 'Alerts dropped because the webhook queue was full (oldest first).');
  readonly webhookFailed = new Counter('palisade_audit_webhook_alerts_failed_total', 'Alerts given up on: retries exhausted or refused by the endpoint.');
  readonly webhookQueued = new Counter('palisade_audit_webhook_queue_alerts', 'Alerts waiting to be sent to a webhook.', 'gauge');
  readonly pending = new Counter('palisade_audit_events_pending', 'Events acknowledged and not yet processed.', 'gauge');
  readonly spoolBytes = new Counter('palisade_audit_spool_bytes', 'Bytes held by the spool.', 'gauge');
  readonly connectionsRefused = new Counter('palisade_audit_connections_refused_total', 'Connections closed on arrival because --max-connections were open.');
  readonly connectionsTimedOut = new Counter('palisade_audit_connections_timed_out_total', 'Connections closed because they were idle past --idle-timeout or their client stopped reading.');
  readonly latency = new Histogram('palisade_audit_batch_duration_seconds', 'Time from receiving a batch to answering it 200 (includes the fsync).', [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

  render(): string {
    const out: string[] = [];
    for (const m of [this.batches, this.events, this.skipped, this.processed, this.alerts, this.duplicates, this.incidents, this.anomalies, this.pending, this.spoolBytes, this.webhookSent, this.webhookDropped, this.webhookFailed, this.webhookQueued, this.connectionsRefused, this.connectionsTimedOut, this.latency]) m.render(out);
    return out.join('\n') + '\n';
  }
}

export interface AuditReceiver {
  readonly port: number;
  readonly url: string;
  readonly metrics: ReceiverMetrics;
  /** Events acknowledged and not yet processed. */
  readonly pending: number;
  /** Readiness fails, new connections stop, batches in flight finish, the consumer drains (at most graceMs), the spool closes. */
  close(opts?: { graceMs?: number }): Promise<void>;
}

function statusBody(code: number, reason: string, message: string, palisadeCode?: ErrorCode, retryAfter?: number): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code,
    reason,
    message,
    ...(palisadeCode || retryAfter ? { details: { ...(palisadeCode ? { causes: [{ reason: palisadeCode, message }] } : {}), ...(retryAfter ? { retryAfterSeconds: retryAfter } : {}) } } : {}),
  });
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares a presented bearer token with every configured one in constant time. */
export function tokenMatches(presented: string, tokens: readonly Buffer[]): boolean {
  const p = digest(presented);
  let ok = false;
  for (const t of tokens) ok = timingSafeEqual(p, t) || ok;
  return ok;
}

/** Reads a token file: one token a line (blank lines and # comments skipped). */
export function readTokenFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PalisadeError(diagnostic('PALISADE_AUDIT_TOKEN_FILE', { file, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file }));
  }
  const tokens = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (!tokens.length) throw new PalisadeError(diagnostic('PALISADE_AUDIT_TOKEN_FILE', { file, reason: 'it holds no token' }, { file }));
  return tokens;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

export async function startAuditReceiver(opts: ReceiverOptions): Promise<AuditReceiver> {
  const metrics = new ReceiverMetrics();
  const log: LogFn = opts.log ?? (() => {});
  const { spool, consumer } = opts;
  const tokenDigests = opts.auth.kind === 'token' ? opts.auth.tokens.map(digest) : [];
  let clientCa: Buffer | undefined;
  if (opts.auth.kind === 'client-cert') {
    try {
      clientCa = readFileSync(opts.auth.caFile);
    } catch (e) {
      throw new PalisadeError(diagnostic('PALISADE_ADMISSION_TLS', { file: opts.auth.caFile, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: opts.auth.caFile }));
    }
  }

  let server: Server | undefined;
  const watcher = new CertificateWatcher({
    certFile: opts.certFile,
    keyFile: opts.keyFile,
    pollMs: opts.certPollMs,
    onReload: (pair) => {
      server?.setSecureContext(serverTlsOptions(pair, clientCa));
      log('info', 'serving certificate reloaded');
    },
    onError: (e) => log('warn', `serving certificate not reloaded, keeping the current one: ${e.message}`),
  });

  // Acknowledged events: those the spool held unprocessed at start, plus every one since.
  let acknowledged = spool.backlogAtOpen;
  const pending = () => acknowledged - consumer.processed;
  let inFlight = 0;
  let draining = false;

  const send = (res: ServerResponse, code: number, body: string, type = 'application/json', headers: Record<string, string | number> = {}) => {
    if (res.headersSent) return;
    res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...(draining ? { connection: 'close' } : {}), ...headers });
    res.end(body);
  };
  const refuse = (res: ServerResponse, code: number, reason: string, message: string, palisadeCode?: ErrorCode, extra: { retryAfter?: number; close?: boolean; headers?: Record<string, string> } = {}) => {
    metrics.batches.inc({ code: String(code) });
    const headers: Record<string, string | number> = { ...extra.headers };
    if (extra.retryAfter) headers['retry-after'] = extra.retryAfter;
    if (extra.close) headers.connection = 'close';
    send(res, code, statusBody(code, reason, message, palisadeCode, extra.retryAfter), 'application/json', headers);
  };
  const retryAfter = opts.retryAfterSeconds;

  /** undefined when the caller may post; otherwise the refusal was sent. */
  const authenticate = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (opts.auth.kind === 'token') {
      const h = String(req.headers.authorization ?? '');
      const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
      if (!m) {
        refuse(res, 401, 'Unauthorized', diagnostic('PALISADE_AUDIT_UNAUTHENTICATED', { detail: 'a bearer token is required (Authorization: Bearer …)' }).message, 'PALISADE_AUDIT_UNAUTHENTICATED', { headers: { 'www-authenticate': 'Bearer realm="palisade-audit"' } });
        return false;
      }
      if (!tokenMatches(m[1]!, tokenDigests)) {
        refuse(res, 401, 'Unauthorized', diagnostic('PALISADE_AUDIT_UNAUTHENTICATED', { detail: 'the bearer token is not valid' }).message, 'PALISADE_AUDIT_UNAUTHENTICATED', { headers: { 'www-authenticate': 'Bearer realm="palisade-audit", error="invalid_token"' } });
        return false;
      }
      return true;
    }
    const sock = req.socket as TLSSocket;
    if (sock.authorized) return true;
    const peer = sock.getPeerCertificate();
    if (!peer || Object.keys(peer).length === 0) {
      refuse(res, 401, 'Unauthorized', diagnostic('PALISADE_AUDIT_UNAUTHENTICATED', { detail: 'a client certificate is required (--client-ca)' }).message, 'PALISADE_AUDIT_UNAUTHENTICATED', { close: true });
    } else {
      refuse(res, 403, 'Forbidden', diagnostic('PALISADE_AUDIT_UNAUTHENTICATED', { detail: `the client certificate is not signed by the configured client CA (${String(sock.authorizationError)})` }).message, 'PALISADE_AUDIT_UNAUTHENTICATED', { close: true });
    }
    return false;
  };

  const malformed = (res: ServerResponse, detail: string) => refuse(res, 400, 'BadRequest', diagnostic('PALISADE_AUDIT_MALFORMED_BATCH', { detail }).message, 'PALISADE_AUDIT_MALFORMED_BATCH');

  const handleBatch = async (req: IncomingMessage, res: ServerResponse, started: number) => {
    if (req.method !== 'POST') return refuse(res, 405, 'MethodNotAllowed', '/audit accepts POST only', undefined, { headers: { allow: 'POST' } });
    if (!authenticate(req, res)) return;
    if (draining) return refuse(res, 503, 'ServiceUnavailable', 'the receiver is shutting down', undefined, { retryAfter, close: true });
    const type = req.headers['content-type'];
    if (type !== undefined && !JSON_TYPE.test(type)) return refuse(res, 415, 'UnsupportedMediaType', 'expected Content-Type: application/json (an audit.k8s.io EventList)', 'PALISADE_AUDIT_MALFORMED_BATCH', { close: true });
    const tooLarge = () => refuse(res, 413, 'RequestEntityTooLarge', diagnostic('PALISADE_AUDIT_BODY_TOO_LARGE', { limit: opts.maxBodyBytes }).message, 'PALISADE_AUDIT_BODY_TOO_LARGE', { close: true });
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > opts.maxBodyBytes) return tooLarge();
    // Back-pressure before reading: the API server keeps the batch and retries it.
    const waiting = pending();
    if (inFlight >= (opts.maxInFlight ?? 32)) {
      return refuse(res, 429, 'TooManyRequests', `${inFlight} batches are being received already; retry after ${retryAfter}s`, 'PALISADE_AUDIT_QUEUE_FULL', { retryAfter, close: true });
    }
    if (waiting >= opts.queueSize) {
      return refuse(res, 429, 'TooManyRequests', diagnostic('PALISADE_AUDIT_QUEUE_FULL', { pending: waiting, limit: opts.queueSize, retryAfter }).message, 'PALISADE_AUDIT_QUEUE_FULL', { retryAfter, close: true });
    }
    inFlight++;
    try {
      let body: Buffer;
      try {
        body = await readBoundedBody(req, opts.maxBodyBytes);
      } catch (e) {
        if (e instanceof BodyTooLarge) return tooLarge();
        return; // the client went away
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (e) {
        return malformed(res, `the body is not JSON (${(e as Error).message.slice(0, 200)})`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return malformed(res, 'expected a JSON object (an audit.k8s.io EventList)');
      const list = parsed as { kind?: unknown; apiVersion?: unknown; items?: unknown };
      if (list.kind !== 'EventList') return malformed(res, `kind is ${JSON.stringify(list.kind ?? null)}; expected EventList`);
      if (!AUDIT_API_VERSIONS.includes(String(list.apiVersion))) return malformed(res, `apiVersion is ${JSON.stringify(list.apiVersion ?? null)}; expected ${AUDIT_API_VERSIONS.join(' or ')}`);
      if (list.items !== null && list.items !== undefined && !Array.isArray(list.items)) return malformed(res, 'items is not a list');
      const items = (list.items ?? []) as unknown[];
      let skipped = 0;
      for (const item of items) if (typeof toAuditEvent(item) === 'string') skipped++;
      const accepted = items.length - skipped;
      if (skipped) {
        metrics.skipped.inc({}, skipped);
        log('warn', `${skipped} of ${items.length} item(s) of a batch are not audit Events; skipped`);
      }
      if (accepted) {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            spool.append(batchRecord(accepted, body)),
            new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('ack-timeout')), opts.ackTimeoutMs))),
          ]);
        } catch (e) {
          if (e instanceof SpoolFullError) {
            return refuse(res, 503, 'ServiceUnavailable', diagnostic('PALISADE_AUDIT_SPOOL_FULL', { detail: e.message, retryAfter }).message, 'PALISADE_AUDIT_SPOOL_FULL', { retryAfter });
          }
          const slow = (e as Error).message === 'ack-timeout';
          log(slow ? 'warn' : 'error', slow ? `spool append not durable within ${opts.ackTimeoutMs} ms; answered 503` : `spool append failed: ${(e as Error).message}`);
          return refuse(res, 503, 'ServiceUnavailable', slow ? 'the spool did not become durable in time' : 'the spool cannot be written; see the receiver log', undefined, { retryAfter });
        } finally {
          clearTimeout(timer);
        }
        acknowledged += accepted;
        metrics.events.inc({}, accepted);
      }
      metrics.batches.inc({ code: '200' });
      metrics.latency.observe({}, (performance.now() - started) / 1000);
      send(res, 200, JSON.stringify({ accepted, skipped }));
    } finally {
      inFlight--;
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const run = async () => {
      switch (path) {
        case '/audit':
          return handleBatch(req, res, started);
        case '/healthz':
        case '/livez':
          return send(res, 200, 'ok\n', 'text/plain; charset=utf-8');
        case '/readyz':
          if (draining) return send(res, 503, 'shutting down\n', 'text/plain; charset=utf-8');
          if (consumer.failure) return send(res, 503, `processing stopped: ${consumer.failure.message}\n`, 'text/plain; charset=utf-8');
          if (spool.failure) return send(res, 503, `the spool cannot be written: ${spool.failure.message}\n`, 'text/plain; charset=utf-8');
          return send(res, 200, 'ok\n', 'text/plain; charset=utf-8');
        case '/metrics':
          metrics.processed.set({}, consumer.processed);
          metrics.alerts.set({}, consumer.alerts);
          metrics.duplicates.set({}, consumer.duplicates);
          metrics.incidents.set({}, consumer.incidents);
          metrics.anomalies.set({}, consumer.anomalies);
          for (const w of opts.webhooks?.() ?? []) {
            const labels = { endpoint: w.endpoint };
            metrics.webhookSent.set(labels, w.sent);
            metrics.webhookDropped.set(labels, w.dropped);
            metrics.webhookFailed.set(labels, w.failed);
            metrics.webhookQueued.set(labels, w.queued);
          }
          metrics.pending.set({}, pending());
          metrics.spoolBytes.set({}, spool.usedBytes);
          return send(res, 200, metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
        default:
          return refuse(res, 404, 'NotFound', `no such path ${JSON.stringify(path.slice(0, 100))}; the receiver serves /audit, /healthz, /readyz, /metrics`);
      }
    };
    run().catch((e: unknown) => {
      log('error', `internal error answering ${path}: ${(e as Error)?.stack ?? String(e)}`);
      if (!res.headersSent) send(res, 500, statusBody(500, 'InternalError', 'internal error in the Palisade audit receiver; see its log'));
      else res.destroy();
    });
  };

  const listening = await listenHttps(onRequest, {
    host: opts.host,
    port: opts.port,
    keyPair: watcher.keyPair,
    clientCa,
    connections: opts.connections,
    onConnectionRefused: () => metrics.connectionsRefused.inc(),
    onConnectionTimedOut: () => metrics.connectionsTimedOut.inc(),
    onListenError: () => watcher.close(),
    log,
  });
  server = listening.server;
  const srv = server;
  consumer.start();
  const { port } = listening;
  let closing: Promise<void> | undefined;

  return {
    port,
    url: listening.url,
    metrics,
    get pending() {
      return pending();
    },
    close({ graceMs = 20_000 } = {}) {
      closing ??= (async () => {
        draining = true;
        const deadline = await closeGracefully(srv, () => inFlight, graceMs, 5);
        watcher.close();
        await spool.close();
        await consumer.stop(Math.max(0, deadline - Date.now()));
      })();
      return closing;
    },
  };
}
