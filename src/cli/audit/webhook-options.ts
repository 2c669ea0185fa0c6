/**
 * The --webhook options of `audit analyze` and `audit serve`, as data, and the code that
 * turns them into WebhookSinks. Header values are secrets: errors name the header, never
 * its value, and the startup line shows them redacted.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { OptionSpec } from '../command.js';
import { diagnostic, PalisadeError, type Diagnostic } from '../../core/errors.js';
import { describeHeaders, describeWebhookUrl, parseHeader, WEBHOOK_DEFAULTS, WebhookSink, type WebhookLog } from '../../detect/receiver/webhook.js';

export const WEBHOOK_OPTIONS: readonly OptionSpec[] = [
  { name: 'webhook', type: 'string', multiple: true, valueName: 'URL', description: 'Also POST alerts and incidents to this http(s) URL (repeatable): batches of up to --webhook-batch alerts, at least once a second while alerts come. Retried with back-off on network errors, timeouts, 408, 429 and 5xx; sent from a bounded queue that drops the oldest alert when full (counted and reported).' },
  { name: 'webhook-format', type: 'string', valueName: 'FORMAT', choices: ['json', 'jsonl'], description: 'Body of a webhook POST: json, a JSON array of Falco-shaped alerts (application/json); jsonl, one alert per line (application/x-ndjson). Default: json.' },
  { name: 'webhook-header', type: 'string', multiple: true, valueName: "'NAME: VALUE'", description: 'A header sent with every webhook POST (repeatable), e.g. an Authorization token. Values are never logged; prefer --webhook-header-file for secrets (the command line is visible to other local users).' },
  { name: 'webhook-header-file', type: 'string', valueName: 'FILE', description: 'Headers for webhook POSTs, one `Name: value` a line (blank lines and # comments skipped).' },
  { name: 'webhook-ca', type: 'string', valueName: 'FILE', description: 'PEM CA certificate(s) to verify https webhook endpoints with, instead of the system store.' },
  { name: 'webhook-timeout', type: 'string', valueName: 'SECONDS', description: `Time limit of one webhook POST. Default: ${WEBHOOK_DEFAULTS.timeoutMs / 1000}.` },
  { name: 'webhook-retries', type: 'string', valueName: 'COUNT', description: `Retries of a failed webhook POST before its alerts are given up. Default: ${WEBHOOK_DEFAULTS.retries}.` },
  { name: 'webhook-queue', type: 'string', valueName: 'ALERTS', description: `Alerts waiting per webhook; beyond it the oldest are dropped. Default: ${WEBHOOK_DEFAULTS.queueSize}.` },
  { name: 'webhook-batch', type: 'string', valueName: 'ALERTS', description: `Alerts per webhook POST at most. Default: ${WEBHOOK_DEFAULTS.batchSize}.` },
];

export const WEBHOOK_OPTION_NAMES: readonly string[] = WEBHOOK_OPTIONS.map((o) => o.name);

function usage(option: string, detail: string): PalisadeError {
  return new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--${option}: ${detail}` }, { field: `--${option}` }));
}

function count(v: unknown, option: string, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n < min) throw usage(option, `expected a number ≥ ${min}, got "${String(v)}"`);
  return n;
}

function readFile(file: string, cwd: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const shown = relative(cwd, file) || file;
    throw new PalisadeError(diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: shown }));
  }
}

/** The sinks the options ask for (none without --webhook); throws a usage error for bad values. */
export function webhookSinksFrom(values: Record<string, unknown>, cwd: string, log?: WebhookLog): WebhookSink[] {
  const urls = Array.isArray(values.webhook) ? values.webhook.map(String) : [];
  const extra = WEBHOOK_OPTION_NAMES.filter((n) => n !== 'webhook' && values[n] !== undefined);
  if (!urls.length) {
    if (extra.length) throw usage(extra[0]!, 'needs --webhook URL');
    return [];
  }
  const headers: [string, string][] = [];
  for (const h of Array.isArray(values['webhook-header']) ? values['webhook-header'].map(String) : []) {
    const parsed = parseHeader(h);
    if (typeof parsed === 'string') throw usage('webhook-header', parsed);
    headers.push(parsed);
  }
  if (typeof values['webhook-header-file'] === 'string') {
    const file = resolve(cwd, values['webhook-header-file']);
    const shown = relative(cwd, file) || file;
    readFile(file, cwd).split(/\r?\n/).forEach((line, i) => {
      const l = line.trim();
      if (!l || l.startsWith('#')) return;
      const parsed = parseHeader(l);
      if (typeof parsed === 'string') throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--webhook-header-file: ${parsed}` }, { file: shown, line: i + 1 }));
      headers.push(parsed);
    });
  }
  const ca = typeof values['webhook-ca'] === 'string' ? readFile(resolve(cwd, values['webhook-ca']), cwd) : undefined;
  const format = values['webhook-format'] === 'jsonl' ? 'jsonl' : 'json';
  const timeoutMs = count(values['webhook-timeout'], 'webhook-timeout', WEBHOOK_DEFAULTS.timeoutMs / 1000, 0.001) * 1000;
  const retries = count(values['webhook-retries'], 'webhook-retries', WEBHOOK_DEFAULTS.retries, 0);
  const queueSize = count(values['webhook-queue'], 'webhook-queue', WEBHOOK_DEFAULTS.queueSize, 1);
  const batchSize = count(values['webhook-batch'], 'webhook-batch', WEBHOOK_DEFAULTS.batchSize, 1);
  return urls.map((url) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw usage('webhook', `"${describeWebhookUrl(url)}" is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usage('webhook', `${describeWebhookUrl(url)}: expected an http or https URL`);
    return new WebhookSink({ url, headers, ...(ca ? { ca } : {}), format, timeoutMs, retries: Math.floor(retries), queueSize: Math.floor(queueSize), batchSize: Math.floor(batchSize), log });
  });
}

/** "webhook https://siem.example.com/alerts (json, headers: Authorization: <redacted>)" */
export function describeSinks(sinks: readonly WebhookSink[], values: Record<string, unknown>): string[] {
  const headerNames: [string, string][] = [];
  for (const h of Array.isArray(values['webhook-header']) ? values['webhook-header'].map(String) : []) {
    const p = parseHeader(h);
    if (typeof p !== 'string') headerNames.push(p);
  }
  const fromFile = typeof values['webhook-header-file'] === 'string' ? `, headers from ${String(values['webhook-header-file'])}` : '';
  return sinks.map((s) => `webhook ${s.endpoint} (${values['webhook-format'] === 'jsonl' ? 'jsonl' : 'json'}${headerNames.length ? `, headers: ${describeHeaders(headerNames)}` : ''}${fromFile})`);
}

/** Closes the sinks (sending what is queued, for at most graceMs) and says how each did. */
export async function closeWebhookSinks(sinks: readonly WebhookSink[], graceMs: number): Promise<{ lines: string[]; diagnostics: Diagnostic[] }> {
  const stats = await Promise.all(sinks.map((s) => s.close(graceMs)));
  const lines: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const s of stats) {
    lines.push(`webhook ${s.endpoint}: ${s.sent} alert(s) sent${s.retries ? `, ${s.retries} retried POST(s)` : ''}`);
    if (s.dropped || s.failed) {
      const detail = [s.dropped ? `${s.dropped} dropped from the full queue (--webhook-queue)` : '', s.failed ? `${s.failed} given up after retries, refused or still queued at shutdown` : ''].filter(Boolean).join('; ');
      diagnostics.push(diagnostic('PALISADE_DETECT_WEBHOOK_UNDELIVERED', { count: s.dropped + s.failed, endpoint: s.endpoint, detail }, { level: 'warning' }));
    }
  }
  return { lines, diagnostics };
}
