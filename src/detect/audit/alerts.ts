/**
 * Alerts in Falco's JSON shape (time, rule, priority, output, output_fields, source, tags,
 * hostname) plus Palisade's own fields under `palisade`, and the two noise controls:
 *  - dedup: an alert identical to one of the same rule (same output text) seen less than
 *    `dedupWindowMs` earlier in event time is dropped;
 *  - rate limit: a token bucket per rule, `ratePerSecond` tokens per second of event time
 *    up to `burst`; an alert without a token is dropped.
 * Event time (not wall-clock time) drives both, so analysing a log twice gives the same
 * alerts. Dropped alerts are counted per rule and reported at the end.
 */
import type { Priority } from '../rules-lang/priority.js';

export interface Alert {
  time: string;
  rule: string;
  priority: Priority;
  output: string;
  /** As Falco writes them: strings, lists as arrays, numbers as numbers, null when absent. */
  output_fields: Record<string, OutputFieldValue>;
  source: string;
  tags: string[];
  hostname: string;
  palisade: { mitre: string[]; frameworks: string[]; incident: null };
}

const MITRE = /^(T\d{4}(\.\d{3})?|TA\d{4}|mitre_[a-z_]+)$/i;
const FRAMEWORK = /^(NIST|PCI|CIS|SOC2|SOC_2|HIPAA|GDPR|ISO|NSA|PSS)[_-]/i;

/** MITRE ATT&CK ids and tactics, and compliance requirement ids, read from Falco-style tags. */
export function classifyTags(tags: readonly string[]): { mitre: string[]; frameworks: string[] } {
  return { mitre: tags.filter((t) => MITRE.test(t)), frameworks: tags.filter((t) => FRAMEWORK.test(t)) };
}

export type OutputFieldValue = string | string[] | number | null;

/**
 * Falco's alert text: the event time of day (UTC, nanoseconds), the priority and the
 * rendered rule output, as in `08:00:01.000001000: Warning Pod created (user=…)`.
 */
export function falcoOutput(time: string, priority: string, text: string): string {
  const m = /T(\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?/.exec(time);
  const clock = m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : time;
  return `${clock}: ${priority} ${text}`;
}

/** The rendered rule output without Falco's time and priority prefix (what dedup compares). */
export function outputText(a: Pick<Alert, 'output' | 'priority'>): string {
  const i = a.output.indexOf(`: ${a.priority} `);
  return i >= 0 ? a.output.slice(i + a.priority.length + 3) : a.output;
}

/** One line per alert in text form: full event time, priority, rule name and the rendered output. */
export function formatAlertText(a: Pick<Alert, 'time' | 'priority' | 'rule' | 'output'>): string {
  return `${a.time} ${a.priority} ${a.rule}: ${outputText(a)}`;
}

export interface LimiterOptions {
  /** 0 disables deduplication. */
  dedupWindowMs: number;
  /** 0 disables rate limiting. */
  ratePerSecond: number;
  burst: number;
}

/** analyze keeps every alert by default, as Falco does; --dedup-window collapses repeats. */
export const DEFAULT_LIMITER: LimiterOptions = { dedupWindowMs: 0, ratePerSecond: 0, burst: 100 };
/** A long-running receiver collapses identical alerts within a minute by default. */
export const DEFAULT_SERVE_LIMITER: LimiterOptions = { dedupWindowMs: 60_000, ratePerSecond: 0, burst: 100 };

/** Bounds the dedup memory; beyond it, entries older than the window are swept. */
const DEDUP_MAX_KEYS = 100_000;

export class AlertLimiter {
  private readonly seen = new Map<string, number>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  readonly suppressed = new Map<string, { duplicate: number; rateLimited: number }>();

  constructor(private readonly opts: LimiterOptions) {}

  /** True when the alert should be emitted. `atMs` is the event time. */
  admit(rule: string, output: string, atMs: number): boolean {
    if (this.opts.dedupWindowMs > 0) {
      const key = `${rule}\u0000${output}`;
      const last = this.seen.get(key);
      if (last !== undefined && atMs - last < this.opts.dedupWindowMs && atMs >= last) {
        this.count(rule, 'duplicate');
        return false;
      }
      if (this.seen.size >= DEDUP_MAX_KEYS) this.sweep(atMs);
      this.seen.delete(key);
      this.seen.set(key, atMs);
    }
    if (this.opts.ratePerSecond > 0) {
      let b = this.buckets.get(rule);
      if (!b) this.buckets.set(rule, (b = { tokens: this.opts.burst, at: atMs }));
      const elapsed = Math.max(0, atMs - b.at) / 1000;
      b.tokens = Math.min(this.opts.burst, b.tokens + elapsed * this.opts.ratePerSecond);
      b.at = Math.max(b.at, atMs);
      if (b.tokens < 1) {
        this.count(rule, 'rateLimited');
        return false;
      }
      b.tokens -= 1;
    }
    return true;
  }

  private sweep(now: number): void {
    for (const [k, t] of this.seen) if (now - t >= this.opts.dedupWindowMs) this.seen.delete(k);
    // Still full (a flood of distinct alerts inside one window): forget the oldest half.
    if (this.seen.size >= DEDUP_MAX_KEYS) {
      let n = this.seen.size / 2;
      for (const k of this.seen.keys()) {
        if (n-- <= 0) break;
        this.seen.delete(k);
      }
    }
  }

  private count(rule: string, kind: 'duplicate' | 'rateLimited'): void {
    let s = this.suppressed.get(rule);
    if (!s) this.suppressed.set(rule, (s = { duplicate: 0, rateLimited: 0 }));
    s[kind]++;
  }
}
