import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { relative, resolve } from 'node:path';
import type { Command, CommandSpec, CliIO } from '../command.js';
import { diagnostic, EXIT, formatDiagnostic, PalisadeError } from '../../core/errors.js';
import { DEFAULT_LIMITER, DEFAULT_SERVE_LIMITER, formatAlertText } from '../../detect/audit/alerts.js';
import type { DetectionRecord } from '../../detect/correlate/record.js';
import { analyzeAuditLogs } from '../../detect/audit/analyze.js';
import { followFile } from '../../detect/audit/follow.js';
import { AuditDetector, builtinRuleFiles, loadAuditRules, readRuleFiles } from '../../detect/audit/detector.js';
import { DEFAULT_READ_LIMITS, gunzipIfNeeded, openAuditFile, textStream } from '../../detect/audit/reader.js';
import { atLeastPriority, parsePriority, PRIORITIES, type Priority } from '../../detect/rules-lang/priority.js';
import { DETECTION_OPTION_NAMES, DETECTION_OPTIONS, detectionFromOptions } from '../../detect/correlate/cli-options.js';
import { serve, SERVE_ONLY, SERVE_OPTIONS } from './serve.js';
import { closeWebhookSinks, describeSinks, WEBHOOK_OPTION_NAMES, WEBHOOK_OPTIONS, webhookSinksFrom } from './webhook-options.js';

/** How long `audit analyze` waits at the end for webhooks to take what is queued. */
const WEBHOOK_GRACE_MS = 30_000;

export const RULES_OPTIONS = [
  { name: 'rules', short: 'r', type: 'string', multiple: true, valueName: 'FILE', description: 'A Falco-format rules file (source k8s_audit), loaded after the built-in rules; later files override and append to earlier ones.' },
  { name: 'no-builtin', type: 'boolean', description: 'Do not load the built-in rules (src/detect/rules/*.yaml).' },
] as const;

export const spec: CommandSpec = {
  name: 'audit',
  summary: 'Detect threats in Kubernetes audit logs with Falco-compatible k8s_audit rules (audit analyze, audit serve).',
  usage: 'palisade audit analyze [options] FILE... (- for standard input)\n       palisade audit serve --listen HOST:PORT --tls-cert FILE --tls-key FILE (--token-file FILE | --client-ca FILE) --spool DIR [options]',
  description: [
    'Reads audit.k8s.io/v1 and v1beta1 Events as JSON lines (plain or gzip, detected by content) or an EventList document, evaluates the rules and writes one alert per line: Falco\'s JSON alert fields plus `palisade` (MITRE ids and framework ids from the tags), or text `time priority rule: output`.',
    'Identical alerts (same rule and output) within --dedup-window seconds of event time are written once; --rate-limit caps alerts per rule with a token bucket. Suppressed counts go to standard error.',
    '--webhook URL also POSTs alerts, anomaly alerts and incidents to an HTTP(S) endpoint (both subcommands): a JSON array per POST, or JSON lines with --webhook-format jsonl; retried with back-off, from a bounded queue that drops the oldest when full; flushed at the end or at shutdown. See docs/detection.md.',
    'Exit codes: 0 the analysis ran; 1 an alert at or above --fail-on-alert; 2 a rules file or an input could not be read (bad lines are reported and skipped, and also give 2).',
    '`audit serve` is the API server\'s audit webhook backend (--audit-webhook-config-file): POST /audit takes audit.k8s.io/v1 or v1beta1 EventList batches, authenticated by bearer token or client certificate; every event is fsync\'ed to the --spool write-ahead log before the 200, then run through the same rules, correlation and baselines as `audit analyze` (the baseline is saved every --baseline-save-interval seconds and at shutdown), alerts going to --output (default standard output). A full queue answers 429 and a full spool 503, both with Retry-After, so the API server retries the batch. /healthz, /readyz and /metrics serve probes and Prometheus. SIGTERM stops it gracefully; after a crash it resumes after the last processed event.',
  ].join('\n'),
  options: [
    ...RULES_OPTIONS,
    { name: 'format', short: 'f', type: 'string', valueName: 'FORMAT', description: 'Alert format.', choices: ['json', 'text'], default: 'json' },
    { name: 'output', short: 'o', type: 'string', valueName: 'FILE', description: 'Write alerts to FILE instead of standard output.' },
    { name: 'fail-on-alert', type: 'string', valueName: 'PRIORITY', description: 'Exit 1 when an alert at or above this priority was raised (emergency … debug).' },
    { name: 'dedup-window', type: 'string', valueName: 'SECONDS', description: `Drop an alert identical to one raised less than this many seconds earlier (event time); 0 keeps all. Default: ${DEFAULT_LIMITER.dedupWindowMs / 1000} for analyze (every alert, as Falco writes them), ${DEFAULT_SERVE_LIMITER.dedupWindowMs / 1000} for serve.` },
    { name: 'rate-limit', type: 'string', valueName: 'PER_SECOND', description: 'At most this many alerts per second per rule (token bucket, event time); 0 is unlimited.', default: '0' },
    { name: 'rate-burst', type: 'string', valueName: 'COUNT', description: 'Token bucket size for --rate-limit.', default: String(DEFAULT_LIMITER.burst) },
    { name: 'follow', type: 'boolean', description: 'Keep reading the one FILE as it grows and across rotations (rename or copytruncate), like tail -F, until SIGINT or SIGTERM; then finish as usual.' },
    { name: 'max-line-bytes', type: 'string', valueName: 'BYTES', description: 'Longest JSON line read; longer lines are reported and skipped.', default: String(DEFAULT_READ_LIMITS.maxLineBytes) },
    ...DETECTION_OPTIONS,
    ...WEBHOOK_OPTIONS,
    ...SERVE_OPTIONS,
  ],
  examples: [
    'palisade audit analyze /var/log/kubernetes/audit.log',
    'palisade audit analyze --rules my-rules.yaml --format text audit-*.log.gz',
    'kubectl logs -n kube-system kube-apiserver-0 | palisade audit analyze --fail-on-alert warning -',
    'palisade audit serve --listen 0.0.0.0:8443 --tls-cert tls.crt --tls-key tls.key --token-file token --spool /var/lib/palisade/audit -o alerts.jsonl',
    'palisade audit serve … --baseline /var/lib/palisade/baseline.json --learn-for 7d --webhook https://siem.example.com/in --webhook-header-file /etc/palisade/siem-headers',
  ],
};

function num(v: unknown, option: string, min = 0): number {
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n < min) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--${option}: expected a number ≥ ${min}, got "${String(v)}"` }, { field: `--${option}` }));
  return n;
}

export function ruleFilesFrom(values: Record<string, unknown>, cwd: string): string[] {
  const user = (Array.isArray(values.rules) ? values.rules : []).map((f) => resolve(cwd, String(f)));
  return [...(values['no-builtin'] === true ? [] : builtinRuleFiles()), ...user];
}

export function readRulesOrThrow(paths: string[], cwd: string): ReturnType<typeof readRuleFiles> {
  try {
    return readRuleFiles(paths, (p) => relative(cwd, p) || p);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new PalisadeError(diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: err.code ?? err.message }, { file: err.path ? relative(cwd, err.path) : undefined }));
  }
}

/** The process's standard input is streamed (and may be gzip); an injected one is text. */
function stdin(io: CliIO): AsyncIterable<Buffer | string> {
  return io.stdout === process.stdout ? gunzipIfNeeded(process.stdin) : textStream(io.readStdin());
}

async function analyze(args: { values: Record<string, unknown>; positionals: string[] }, io: CliIO): Promise<number> {
  const v = args.values;
  if (!args.positionals.length) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: 'give at least one audit log FILE (or - for standard input)' }));
  let failOn: Priority | undefined;
  if (v['fail-on-alert'] !== undefined) {
    failOn = parsePriority(v['fail-on-alert']);
    if (!failOn) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--fail-on-alert: expected one of ${PRIORITIES.join(', ').toLowerCase()}` }, { field: '--fail-on-alert' }));
  }
  const limiter = { dedupWindowMs: num(v['dedup-window'] ?? String(DEFAULT_LIMITER.dedupWindowMs / 1000), 'dedup-window') * 1000, ratePerSecond: num(v['rate-limit'], 'rate-limit'), burst: num(v['rate-burst'], 'rate-burst', 1) };
  const maxLineBytes = num(v['max-line-bytes'], 'max-line-bytes', 1);
  const follow = v.follow === true;
  if (follow && (args.positionals.length !== 1 || args.positionals[0] === '-')) {
    throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: '--follow reads exactly one FILE (not standard input)' }, { field: '--follow' }));
  }

  const loaded = loadAuditRules(readRulesOrThrow(ruleFilesFrom(v, io.cwd), io.cwd));
  const ruleErrors = loaded.diagnostics.filter((d) => d.level === 'error');
  for (const d of loaded.diagnostics) if (d.level !== 'note' || io.env.PALISADE_VERBOSE) io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
  if (ruleErrors.length) {
    io.stderr.write(`palisade: ${ruleErrors.length} error(s) in the rules; nothing analysed\n`);
    return EXIT.input;
  }
  const detector = new AuditDetector(loaded.rules);
  const detection = detectionFromOptions(v, io.cwd, new Set(loaded.rules.map((r) => r.name)));
  for (const d of detection.diagnostics) io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
  if (detection.diagnostics.some((d) => d.level === 'error')) return EXIT.input;

  const webhooks = webhookSinksFrom(v, io.cwd, (level, message) => {
    if (level === 'warn' || level === 'error' || io.env.PALISADE_VERBOSE) io.stderr.write(`palisade: ${level === 'warn' ? 'warning' : level}: ${message}\n`);
  });
  for (const line of describeSinks(webhooks, v)) io.stderr.write(`palisade: alerts also go to ${line}\n`);

  let fd: number | undefined;
  // On the real standard output: wait when the pipe is full, stop quietly when it closes (| head).
  let closed = false;
  const onError = (): void => {
    closed = true;
  };
  const realStdout = io.stdout === process.stdout;
  if (realStdout) process.stdout.on('error', onError);
  let write: (s: string) => void | Promise<void> = (s) => {
    if (closed) return;
    if (io.stdout.write(s) === false && realStdout) return once(process.stdout, 'drain').then(() => undefined, onError);
  };
  const outFile = typeof v.output === 'string' ? v.output : undefined;
  if (outFile) {
    try {
      fd = openSync(resolve(io.cwd, outFile), 'w');
    } catch (e) {
      throw new PalisadeError(diagnostic('PALISADE_OUTPUT_WRITE', { file: outFile, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: outFile }));
    }
    write = (s) => {
      writeSync(fd!, s);
    };
  }
  const text = v.format === 'text';
  // --follow ends on SIGINT/SIGTERM: what was read is analysed, alerts flushed, the baseline saved.
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  const followInput = (path: string, name: string): AsyncIterable<Buffer> => {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    return followFile(path, { signal: stop.signal, onRotate: (how) => io.stderr.write(`palisade: ${name}: ${how === 'rotated' ? 'rotated; reading the new file' : 'truncated; reading it again from the start'}\n`) });
  };
  let worst: Priority | undefined;
  try {
    const result = await analyzeAuditLogs({
      inputs: args.positionals.map((p) => ({ name: p, open: () => (p === '-' ? stdin(io) : follow ? followInput(resolve(io.cwd, p), p) : openAuditFile(resolve(io.cwd, p))) })),
      detector,
      limiter,
      limits: { ...DEFAULT_READ_LIMITS, maxLineBytes },
      correlator: detection.correlator,
      baseline: detection.baseline,
      learnInputs: detection.learnFiles.map((p) => ({ name: p, open: () => openAuditFile(resolve(io.cwd, p)) })),
      emit: (a: DetectionRecord) => {
        if (!worst || atLeastPriority(a.priority, worst)) worst = a.priority;
        for (const w of webhooks) w.write(a);
        return write((text ? formatAlertText(a) : JSON.stringify(a)) + '\n');
      },
    });
    if (webhooks.length) {
      const closed = await closeWebhookSinks(webhooks, WEBHOOK_GRACE_MS);
      for (const line of closed.lines) io.stderr.write(`palisade: ${line}\n`);
      for (const d of closed.diagnostics) io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
    }
    for (const d of result.diagnostics) io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
    io.stderr.write(`palisade: ${result.events} event(s), ${result.alerts} alert(s) from ${loaded.rules.filter((r) => r.enabled).length} rule(s)\n`);
    for (const d of detection.finish()) {
      result.diagnostics.push(d);
      io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
    }
    if (detection.correlator || detection.baseline) io.stderr.write(`palisade: ${result.incidents} incident(s)${detection.baseline ? `, ${result.anomalies} anomaly alert(s), baseline of ${detection.baseline.identities} identit${detection.baseline.identities === 1 ? 'y' : 'ies'}${result.learnedEvents ? ` (+${result.learnedEvents} event(s) learned from --baseline-learn)` : ''}` : ''}\n`);
    if (result.diagnostics.some((d) => d.level === 'error')) return EXIT.input;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Also when the analysis failed: no timer or connection may keep the process alive.
    await closeWebhookSinks(webhooks, 0);
    if (fd !== undefined) closeSync(fd);
    if (realStdout) process.stdout.off('error', onError);
  }
  return failOn && worst && atLeastPriority(worst, failOn) ? EXIT.findings : EXIT.ok;
}

/** `audit serve` with parsed option values (tests pass their own signal source). */
export function runServe(v: Record<string, unknown>, io: CliIO, signals?: Parameters<typeof serve>[3]): Promise<number> {
  const limiter = { dedupWindowMs: num(v['dedup-window'] ?? String(DEFAULT_SERVE_LIMITER.dedupWindowMs / 1000), 'dedup-window') * 1000, ratePerSecond: num(v['rate-limit'] ?? '0', 'rate-limit'), burst: num(v['rate-burst'] ?? String(DEFAULT_SERVE_LIMITER.burst), 'rate-burst', 1) };
  return serve(v, io, { loadRules: () => loadAuditRules(readRulesOrThrow(ruleFilesFrom(v, io.cwd), io.cwd)), limiter }, signals);
}

const ANALYZE_ONLY = new Set(['format', 'output', 'follow', 'fail-on-alert', 'dedup-window', 'rate-limit', 'rate-burst', 'max-line-bytes', 'rules', 'no-builtin', ...DETECTION_OPTION_NAMES, ...WEBHOOK_OPTION_NAMES]);

export const command: Command = {
  spec,
  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    if (sub === 'serve') {
      for (const o of spec.options) {
        const v = args.values[o.name];
        if (v !== undefined && v !== o.default && !SERVE_ONLY.has(o.name)) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--${o.name} is not an option of \`audit serve\`` }, { field: `--${o.name}` }));
      }
      if (rest.length) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `\`audit serve\` takes no arguments, got "${rest[0]}"` }));
      return runServe(args.values, io);
    }
    if (sub !== 'analyze') {
      throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: sub ? `unknown subcommand "${sub}"; expected analyze or serve` : 'expected a subcommand: analyze or serve' }, { field: sub }));
    }
    for (const name of Object.keys(args.values)) {
      if (args.values[name] !== undefined && name !== 'help' && !ANALYZE_ONLY.has(name)) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--${name} is not an option of \`audit analyze\`` }, { field: `--${name}` }));
    }
    return analyze({ values: args.values, positionals: rest }, io);
  },
};
