/**
 * Sends alerts to an HTTP(S) endpoint (a SIEM, a chat bridge, Falcosidekick) in batches:
 * a JSON array of Falco-shaped alerts per POST (`json`), or one alert per line
 * (`jsonl`, application/x-ndjson). Alerts wait in a bounded in-memory queue; when it is
 * full the oldest are dropped and counted, so a dead endpoint never holds up detection or
 * grows memory. One POST at a time per endpoint keeps alerts in order. Network errors,
 * timeouts, 408, 429 and 5xx are retried with exponential back-off (Retry-After honoured);
 * other answers drop the batch. `close` sends what is queued, within a grace period.
 *
 * Delivery is best effort: the queue lives in memory, so alerts queued when the process
 * dies are lost (the alert file is the durable record). Header values and URL credentials
 * never appear in logs: `describe` shows a redacted form.
 */
import http from 'node:http';
import https from 'node:https';
import type { DetectionRecord } from '../correlate/record.js';

export type WebhookFormat = 'json' | 'jsonl';

export type WebhookLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface WebhookOptions {
  url: string;
  /** Sent with every POST; values are secrets as far as logs are concerned. */
  headers?: readonly (readonly [string, string])[];
  /** PEM CA certificates to trust for HTTPS instead of the system store. */
  ca?: string | Buffer;
  format?: WebhookFormat;
  /** Per POST, connection to last byte of the answer. */
  timeoutMs?: number;
  /** Attempts after the first one. */
  retries?: number;
  /** Alerts waiting to be sent; beyond it the oldest are dropped. */
  queueSize?: number;
  /** Alerts per POST at most. */
  batchSize?: number;
  /** How long a partial batch waits for more alerts. */
  flushIntervalMs?: number;
  /** First retry delay; doubles per attempt (with jitter) up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  log?: WebhookLog;
}

export const WEBHOOK_DEFAULTS = {
  format: 'json' as WebhookFormat,
  timeoutMs: 10_000,
  retries: 5,
  queueSize: 10_000,
  batchSize: 100,
  flushIntervalMs: 1_000,
  backoffMs: 500,
  maxBackoffMs: 30_000,
};

/** Largest answer body read from the endpoint (it is only logged, shortened). */
const MAX_ANSWER_BYTES = 4096;

/** The URL without credentials or query (which may hold a token): what logs and metrics show. */
export function describeWebhookUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username || u.password ? '<redacted>@' : ''}${u.host}${u.pathname}${u.search ? '?<redacted>' : ''}`;
  } catch {
    return '<invalid URL>';
  }
}

/** "Name: <redacted>" for each header. */
export function describeHeaders(headers: readonly (readonly [string, string])[]): string {
  return headers.map(([n]) => `${n}: <redacted>`).join(', ');
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses "Name: value"; the error never repeats the value. */
export function parseHeader(text: string): [string, string] | string {
  const i = text.indexOf(':');
  if (i <= 0) return 'expected "Name: value"';
  const name = text.slice(0, i).trim();
  const value = text.slice(i + 1).trim();
  if (!TOKEN.test(name)) return `"${name.slice(0, 64)}" is not a valid header name`;
  if (/[\r\n\0]/.test(value)) return `the value of ${name} contains a line break or NUL`;
  if (['content-type', 'content-length', 'host', 'transfer-encoding', 'connection'].includes(name.toLowerCase())) return `${name} is set by Palisade and cannot be given`;
  return [name, value];
}

interface Answer {
  status: number;
  retryAfterMs?: number;
  text: string;
}

export interface WebhookStats {
  /** The redacted URL. */
  endpoint: string;
  sent: number;
  /** Dropped because the queue was full (oldest first). */
  dropped: number;
  /** Given up on: retries exhausted, refused by the endpoint, or still queued when the grace period at close ended. */
  failed: number;
  /** POSTs retried. */
  retries: number;
  queued: number;
}

export class WebhookSink {
  readonly endpoint: string;
  private readonly url: URL;
  private readonly opts: Required<Omit<WebhookOptions, 'ca' | 'log' | 'headers'>> & { headers: readonly (readonly [string, string])[] };
  private readonly agent: http.Agent;
  private readonly log: WebhookLog;
  private queue: DetectionRecord[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private closing = false;
  private deadline = Infinity;
  private current: http.ClientRequest | undefined;
  private wakeSleep: (() => void) | undefined;
  sent = 0;
  dropped = 0;
  failed = 0;
  retries = 0;

  constructor(options: WebhookOptions) {
    this.url = new URL(options.url);
    if (this.url.protocol !== 'https:' && this.url.protocol !== 'http:') throw new Error(`${describeWebhookUrl(options.url)}: only http and https URLs are supported`);
    this.endpoint = describeWebhookUrl(options.url);
    this.opts = { ...WEBHOOK_DEFAULTS, ...stripUndefined(options), headers: options.headers ?? [] } as WebhookSink['opts'];
    this.log = options.log ?? (() => {});
    // One connection kept alive: POSTs go one at a time.
    this.agent = this.url.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 1, ...(options.ca ? { ca: options.ca } : {}) }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  stats(): WebhookStats {
    return { endpoint: this.endpoint, sent: this.sent, dropped: this.dropped, failed: this.failed, retries: this.retries, queued: this.queued };
  }

  /** Queues an alert; never blocks. After close() it is counted as failed. */
  write(a: DetectionRecord): void {
    if (this.closing) {
      this.failed++;
      return;
    }
    if (this.queued >= this.opts.queueSize) {
      this.head++;
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.log('warn', `webhook ${this.endpoint}: queue full (${this.opts.queueSize} alerts); dropped the oldest, ${this.dropped} so far`);
    }
    this.queue.push(a);
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.sending) return;
    if (this.queued >= this.opts.batchSize || this.closing) {
      this.startSending();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.startSending();
    }, this.opts.flushIntervalMs);
  }

  private startSending(): void {
    if (this.sending || !this.queued) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.sending = this.drain().finally(() => {
      this.sending = undefined;
      // Past the grace period close() takes over what is left.
      if (this.queued && !(this.closing && Date.now() >= this.deadline)) this.schedule();
    });
  }

  /** Sends full batches (every batch when closing) until the queue is empty. */
  private async drain(): Promise<void> {
    while (this.queued && (this.closing || this.queued >= this.opts.batchSize || !this.timer)) {
      if (this.closing && Date.now() >= this.deadline) return;
      const n = Math.min(this.opts.batchSize, this.queued);
      const batch = this.queue.slice(this.head, this.head + n);
      this.head += n;
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
      await this.deliver(batch);
      // A partial batch goes out once; the rest waits for the timer or a full batch.
      if (!this.closing && this.queued < this.opts.batchSize) return;
    }
  }

  private body(batch: DetectionRecord[]): Buffer {
    return Buffer.from(this.opts.format === 'jsonl' ? batch.map((a) => JSON.stringify(a) + '\n').join('') : JSON.stringify(batch));
  }

  private async deliver(batch: DetectionRecord[]): Promise<void> {
    const body = this.body(batch);
    for (let attempt = 0; ; attempt++) {
      let answer: Answer | undefined;
      let problem: string;
      try {
        answer = await this.post(body);
        if (answer.status >= 200 && answer.status < 300) {
          this.sent += batch.length;
          return;
        }
        problem = `HTTP ${answer.status}${answer.text ? `: ${answer.text.replace(/\s+/g, ' ').slice(0, 200)}` : ''}`;
      } catch (e) {
        problem = (e as Error).message;
      }
      const retryable = !answer || answer.status === 408 || answer.status === 429 || answer.status >= 500;
      const late = this.closing && Date.now() >= this.deadline;
      if (!retryable || attempt >= this.opts.retries || late) {
        this.failed += batch.length;
        this.log('warn', `webhook ${this.endpoint}: ${batch.length} alert(s) not delivered (${problem}${retryable ? `; gave up after ${attempt + 1} attempt(s)` : ''})`);
        return;
      }
      const backoff = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** attempt);
      // Jitter: endpoints recovering from an outage do not get every sender at once.
      const delay = Math.min(this.opts.maxBackoffMs, Math.max(answer?.retryAfterMs ?? 0, backoff * (0.8 + 0.4 * Math.random())));
      this.retries++;
      this.log('info', `webhook ${this.endpoint}: ${problem}; retrying in ${Math.round(delay)} ms`);
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, Math.max(0, Math.min(ms, this.deadline - Date.now())));
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wakeSleep = done;
    });
  }

  private post(body: Buffer): Promise<Answer> {
    const u = this.url;
    const mod = u.protocol === 'https:' ? https : http;
    const timeout = Math.max(1, Math.min(this.opts.timeoutMs, this.closing ? this.deadline - Date.now() : Infinity));
    return new Promise<Answer>((resolve, reject) => {
      const headers: Record<string, string | number> = {};
      for (const [n, v] of this.opts.headers) headers[n] = v;
      headers['content-type'] = this.opts.format === 'jsonl' ? 'application/x-ndjson' : 'application/json';
      headers['content-length'] = body.length;
      const req = mod.request(u, { method: 'POST', agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ANSWER_BYTES) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          const ra = Number(res.headers['retry-after']);
          resolve({ status: res.statusCode ?? 0, retryAfterMs: Number.isFinite(ra) && ra >= 0 ? ra * 1000 : undefined, text: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES) });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeout} ms`)), timeout);
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      this.current = req;
      req.end(body);
    }).finally(() => {
      this.current = undefined;
    });
  }

  /**
   * Stops taking alerts and sends what is queued, retrying as usual, for at most graceMs;
   * what is still queued then counts as failed. Resolves when done.
   */
  async close(graceMs = 10_000): Promise<WebhookStats> {
    if (!this.closing) {
      this.closing = true;
      this.deadline = Date.now() + graceMs;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const abort = setTimeout(() => {
      this.wakeSleep?.();
      this.current?.destroy(new Error('shutting down'));
    }, Math.max(0, this.deadline - Date.now()));
    try {
      while (this.queued || this.sending) {
        this.startSending();
        if (this.sending) await this.sending;
        if (Date.now() >= this.deadline) break;
      }
    } finally {
      clearTimeout(abort);
    }
    if (this.queued) {
      this.failed += this.queued;
      this.log('warn', `webhook ${this.endpoint}: ${this.queued} alert(s) still queued after the ${graceMs} ms grace period; not delivered`);
      this.queue = [];
      this.head = 0;
    }
    this.agent.destroy();
    return this.stats();
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
