/**
 * `palisade audit serve`: the API server's audit webhook backend. Events go through the
 * same detection as `audit analyze` (rules, correlation into incidents, baselines with
 * their learning period). Runs until SIGTERM or SIGINT, then shuts down gracefully (stop
 * accepting, finish batches in flight, process what the spool holds, commit, save the
 * baseline, flush the webhooks, close).
 */
import { mkdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { CliIO, OptionSpec } from '../command.js';
import { diagnostic, EXIT, formatDiagnostic, PalisadeError } from '../../core/errors.js';
import { AuditDetector, loadAuditRules } from '../../detect/audit/detector.js';
import { SpoolConsumer, type AlertSink } from '../../detect/receiver/consumer.js';
import { readTokenFile, startAuditReceiver, type ReceiverAuth } from '../../detect/receiver/server.js';
import { FanoutSink, FileAlertSink, StreamAlertSink } from '../../detect/receiver/sink.js';
import { Spool } from '../../detect/receiver/spool.js';
import { learnBaseline } from '../../detect/audit/analyze.js';
import { DEFAULT_READ_LIMITS, openAuditFile } from '../../detect/audit/reader.js';
import { DETECTION_OPTION_NAMES, detectionFromOptions } from '../../detect/correlate/cli-options.js';
import { closeWebhookSinks, describeSinks, WEBHOOK_OPTION_NAMES, webhookSinksFrom } from './webhook-options.js';
import { connectionLimitsFrom, connectionOptions } from '../connection-options.js';

/** Options of `audit serve` only. No defaults in the spec (they would reach `analyze`): defaults are below. */
export const SERVE_OPTIONS: readonly OptionSpec[] = [
  { name: 'listen', type: 'string', valueName: 'HOST:PORT', description: 'Address to serve HTTPS on (port 0 picks a free one). Default: 0.0.0.0:8443.' },
  { name: 'tls-cert', type: 'string', valueName: 'FILE', description: 'Serving certificate (PEM); reloaded when the file changes.' },
  { name: 'tls-key', type: 'string', valueName: 'FILE', description: 'Key of the serving certificate (PEM).' },
  { name: 'token-file', type: 'string', valueName: 'FILE', description: 'Bearer tokens the API server may present (one a line; `token:` in its webhook kubeconfig).' },
  { name: 'client-ca', type: 'string', valueName: 'FILE', description: 'Require a client certificate signed by this CA instead of a token (`client-certificate` in the webhook kubeconfig).' },
  { name: 'spool', type: 'string', valueName: 'DIR', description: 'Write-ahead spool directory: events are fsync\'ed here before the API server gets 200.' },
  { name: 'spool-max-bytes', type: 'string', valueName: 'BYTES', description: 'Disk budget of the spool; batches beyond it get 503 with Retry-After. Default: 1073741824.' },
  { name: 'segment-bytes', type: 'string', valueName: 'BYTES', description: 'Spool segment size before rotation. Default: 67108864.' },
  { name: 'queue-size', type: 'string', valueName: 'EVENTS', description: 'Acknowledged, unprocessed events beyond which batches get 429 with Retry-After. Default: 100000.' },
  { name: 'max-body', type: 'string', valueName: 'BYTES', description: 'Largest EventList body accepted (413 beyond). Default: 33554432.' },
  { name: 'retry-after', type: 'string', valueName: 'SECONDS', description: 'Retry-After given with 429 and 503. Default: 5.' },
  { name: 'ack-timeout', type: 'string', valueName: 'SECONDS', description: 'A batch not durable within this time is answered 503 (the API server waits 30 s). Default: 10.' },
  { name: 'commit-interval', type: 'string', valueName: 'MS', description: 'How often the processed position is committed; a crash repeats at most this much work. Default: 200.' },
  { name: 'baseline-save-interval', type: 'string', valueName: 'SECONDS', description: 'How often `audit serve` saves --baseline (also at shutdown). Default: 300.' },
  ...connectionOptions('palisade_audit_connections_refused_total'),
];

export const SERVE_ONLY = new Set([...SERVE_OPTIONS.map((o) => o.name), 'output', 'format', 'rules', 'no-builtin', 'dedup-window', 'rate-limit', 'rate-burst', ...DETECTION_OPTION_NAMES, ...WEBHOOK_OPTION_NAMES]);

/** How long shutdown waits for webhooks to take the alerts still queued. */
const WEBHOOK_GRACE_MS = 10_000;

function int(v: unknown, option: string, fallback: number, min = 0): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n < min) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--${option}: expected a number ≥ ${min}, got "${String(v)}"` }, { field: `--${option}` }));
  return n;
}

function required(v: unknown, option: string): string {
  if (typeof v !== 'string' || !v) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--${option} is required by \`audit serve\`` }, { field: `--${option}` }));
  return v;
}

export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--listen: expected HOST:PORT, got "${v}"` }, { field: '--listen' }));
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export async function serve(
  values: Record<string, unknown>,
  io: CliIO,
  rules: { loadRules: () => ReturnType<typeof loadAuditRules>; limiter: { dedupWindowMs: number; ratePerSecond: number; burst: number } },
  signals: { once(event: 'SIGTERM' | 'SIGINT', fn: () => void): unknown; off(event: 'SIGTERM' | 'SIGINT', fn: () => void): unknown } = process,
): Promise<number> {
  const { host, port } = parseListen(typeof values.listen === 'string' ? values.listen : '0.0.0.0:8443');
  const connections = connectionLimitsFrom(values);
  const certFile = resolve(io.cwd, required(values['tls-cert'], 'tls-cert'));
  const keyFile = resolve(io.cwd, required(values['tls-key'], 'tls-key'));
  const spoolDir = resolve(io.cwd, required(values.spool, 'spool'));
  const tokenFile = typeof values['token-file'] === 'string' ? resolve(io.cwd, values['token-file']) : undefined;
  const caFile = typeof values['client-ca'] === 'string' ? resolve(io.cwd, values['client-ca']) : undefined;
  if (!!tokenFile === !!caFile) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: 'give exactly one of --token-file and --client-ca: the receiver does not accept unauthenticated batches' }, { field: '--token-file' }));
  const auth: ReceiverAuth = tokenFile ? { kind: 'token', tokens: readTokenFile(tokenFile) } : { kind: 'client-cert', caFile: caFile! };
  const maxBytes = int(values['spool-max-bytes'], 'spool-max-bytes', 1 << 30, 1);
  const segmentBytes = int(values['segment-bytes'], 'segment-bytes', 64 << 20, 1);
  const queueSize = int(values['queue-size'], 'queue-size', 100_000, 1);
  const maxBodyBytes = int(values['max-body'], 'max-body', 32 << 20, 1);
  const retryAfter = int(values['retry-after'], 'retry-after', 5, 1);
  const ackTimeoutMs = int(values['ack-timeout'], 'ack-timeout', 10, 0.001) * 1000;
  const commitIntervalMs = int(values['commit-interval'], 'commit-interval', 200, 0);

  const baselineSaveMs = int(values['baseline-save-interval'], 'baseline-save-interval', 300, 0.1) * 1000;

  const loaded = rules.loadRules();
  const ruleErrors = loaded.diagnostics.filter((d) => d.level === 'error');
  for (const d of loaded.diagnostics) if (d.level !== 'note' || io.env.PALISADE_VERBOSE) io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
  if (ruleErrors.length) {
    io.stderr.write(`palisade: ${ruleErrors.length} error(s) in the rules; not serving\n`);
    return EXIT.input;
  }
  const detector = new AuditDetector(loaded.rules);
  const detection = detectionFromOptions(values, io.cwd, new Set(loaded.rules.map((r) => r.name)));
  for (const d of detection.diagnostics) io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
  if (detection.diagnostics.some((d) => d.level === 'error')) return EXIT.input;
  const log = (level: string, message: string) => {
    if (level !== 'debug' || io.env.PALISADE_DEBUG) io.stderr.write(`palisade: ${level}: ${message}\n`);
  };
  const { correlator, baseline } = detection;
  if (baseline && detection.learnFiles.length) {
    let bad = false;
    const learned = await learnBaseline(baseline, detection.learnFiles.map((p) => ({ name: p, open: () => openAuditFile(resolve(io.cwd, p)) })), DEFAULT_READ_LIMITS, (d) => {
      if (d.level === 'error') bad = true;
      io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
    }, (input, e) => {
      bad = true;
      const err = e as NodeJS.ErrnoException;
      io.stderr.write(`palisade: ${formatDiagnostic(diagnostic('PALISADE_DETECT_INPUT', { reason: err.code === 'ENOENT' ? 'no such file' : err.code ?? err.message }, { file: input.name }))}\n`);
    });
    if (bad) return EXIT.input;
    io.stderr.write(`palisade: baseline learned from ${learned} event(s) of --baseline-learn\n`);
  }
  const webhooks = webhookSinksFrom(values, io.cwd, log);

  let spool: Spool;
  try {
    mkdirSync(spoolDir, { recursive: true });
    spool = await Spool.open({ dir: spoolDir, maxBytes, segmentBytes });
  } catch (e) {
    throw new PalisadeError(diagnostic('PALISADE_AUDIT_SPOOL', { dir: spoolDir, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message }, { file: spoolDir }));
  }
  const format = values.format === 'text' ? 'text' : 'json';
  const output = typeof values.output === 'string' ? values.output : '-';
  let primary: AlertSink;
  try {
    primary = output === '-' ? new StreamAlertSink(io.stdout, format) : new FileAlertSink(resolve(io.cwd, output), format);
  } catch (e) {
    await spool.close();
    throw new PalisadeError(diagnostic('PALISADE_OUTPUT_WRITE', { file: output, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: output }));
  }
  const sink: AlertSink = webhooks.length ? new FanoutSink(primary, webhooks) : primary;
  const consumer = new SpoolConsumer(spool, detector, sink, { commitIntervalMs, dedupWindowMs: rules.limiter.dedupWindowMs, limiter: rules.limiter, correlator, baseline, log });
  let receiver;
  try {
    receiver = await startAuditReceiver({ host, port, certFile, keyFile, auth, spool, consumer, maxBodyBytes, queueSize, retryAfterSeconds: retryAfter, ackTimeoutMs, log, webhooks: () => webhooks.map((w) => w.stats()), connections });
  } catch (e) {
    await spool.close();
    sink.close();
    await closeWebhookSinks(webhooks, 0);
    throw e;
  }
  // The baseline is saved now and then (a crash loses at most this much learning) and at shutdown.
  const saveBaseline = (): void => {
    for (const d of detection.finish()) io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
  };
  const saver = baseline && detection.baselineFile ? setInterval(saveBaseline, baselineSaveMs) : undefined;
  saver?.unref();
  if (spool.backlogAtOpen) io.stderr.write(`palisade: resuming ${spool.backlogAtOpen} spooled event(s) not yet processed\n`);
  const detecting = [correlator ? `correlation of ${correlator.sequences.filter((q) => q.enabled).length} sequence(s)` : '', baseline ? `baseline${detection.baselineFile ? ` ${relative(io.cwd, detection.baselineFile) || detection.baselineFile}` : ''}` : ''].filter(Boolean).join(', ');
  io.stderr.write(`palisade: audit receiver listening on ${receiver.url}/audit (${loaded.rules.filter((r) => r.enabled).length} rule(s)${detecting ? `, ${detecting}` : ''}, spool ${spoolDir})\n`);
  for (const line of describeSinks(webhooks, values)) io.stderr.write(`palisade: alerts also go to ${line}\n`);

  await new Promise<void>((done) => {
    const stop = () => {
      signals.off('SIGTERM', stop);
      signals.off('SIGINT', stop);
      done();
    };
    signals.once('SIGTERM', stop);
    signals.once('SIGINT', stop);
  });
  io.stderr.write('palisade: shutting down: finishing batches in flight and processing the spool\n');
  const r = receiver;
  await r.close();
  if (saver) clearInterval(saver);
  if (baseline && detection.baselineFile) saveBaseline();
  const closed = await closeWebhookSinks(webhooks, WEBHOOK_GRACE_MS);
  for (const line of closed.lines) io.stderr.write(`palisade: ${line}\n`);
  for (const d of closed.diagnostics) io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
  if (correlator?.evicted) io.stderr.write(`palisade: ${formatDiagnostic(diagnostic('PALISADE_DETECT_CORRELATION_EVICTED', { count: correlator.evicted, cap: correlator.maxEntities }, { level: 'warning' }))}\n`);
  io.stderr.write(`palisade: stopped; ${consumer.processed} event(s) processed, ${consumer.alerts} alert(s), ${consumer.incidents} incident(s), ${consumer.duplicates} duplicate(s) dropped, ${r.pending} event(s) left in the spool\n`);
  return EXIT.ok;
}
