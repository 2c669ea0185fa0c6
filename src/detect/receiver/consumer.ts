/**
 * Drains the spool through detection (src/detect/audit/pipeline.ts: rules, baseline,
 * correlation, alert limiter), events in spool order, into a sink. Processing is at least once: the position is committed (after the sink is fsync'ed)
 * every `commitIntervalMs`, at each segment end and at shutdown, so after a crash at most
 * the events since the last commit are processed again. Redeliveries the receiver can see
 * (the API server resending a batch, a replay after restart within this process's memory)
 * are dropped by auditID and stage within the dedup window.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { AlertLimiter, LimiterOptions } from '../audit/alerts.js';
import type { AuditDetector } from '../audit/detector.js';
import { eventMillis, toAuditEvent } from '../audit/event.js';
import { DetectionPipeline } from '../audit/pipeline.js';
import type { Baseline } from '../baseline/baseline.js';
import type { Correlator } from '../correlate/correlator.js';
import type { DetectionRecord } from '../correlate/record.js';
import { BATCH_COUNT, type Spool, type SpoolPosition } from './spool.js';

export interface AlertSink {
  /** Rule alerts, anomaly alerts and incidents (the same Falco shape). */
  write(a: DetectionRecord): void;
  /** Makes written alerts durable (before the spool position moves past their events). */
  flush(): void;
  close(): void;
}

export interface ConsumerOptions {
  commitIntervalMs: number;
  /** Events with an auditID and stage seen this long before (event time) are dropped; 0 keeps all. */
  dedupWindowMs: number;
  limiter: LimiterOptions;
  /** Correlates alerts and events into incidents, as `audit analyze` does. */
  correlator?: Correlator;
  /** Learns behaviour per identity and raises anomaly alerts. */
  baseline?: Baseline;
  /** Most bytes read and processed before yielding to the event loop. */
  chunkBytes?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

const DEDUP_MAX = 200_000;

export class SpoolConsumer {
  processed = 0;
  duplicates = 0;
  badLines = 0;
  private pos: SpoolPosition;
  private dirty = false;
  private lastCommit = Date.now();
  private readonly seen = new Map<string, number>();
  /** The keys of `seen` in arrival order, for eviction (iterating a Map from its start walks over deleted entries). */
  private order: { key: string; at: number }[] = [];
  private orderHead = 0;
  private readonly pipeline: DetectionPipeline;
  private wake: (() => void) | undefined;
  private stopping = false;
  private paused = false;
  private loop: Promise<void> | undefined;
  private readonly unsubscribe: () => void;
  /** Set when processing failed for good (an unwritable sink): the server reports not ready. */
  failure: Error | undefined;

  constructor(
    private readonly spool: Spool,
    detector: AuditDetector,
    private readonly sink: AlertSink,
    private readonly opts: ConsumerOptions,
  ) {
    this.pos = { ...spool.committed };
    this.pipeline = new DetectionPipeline(detector, opts.limiter, opts.correlator, opts.baseline);
    this.unsubscribe = spool.onChange(() => this.poke());
  }

  /** Rule and anomaly alerts written. */
  get alerts(): number {
    return this.pipeline.alerts;
  }

  get anomalies(): number {
    return this.pipeline.anomalies;
  }

  get incidents(): number {
    return this.pipeline.incidents;
  }

  get position(): SpoolPosition {
    return { ...this.pos };
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  start(): void {
    if (!this.loop) this.loop = this.run().catch((e: Error) => {
      this.failure = e;
      this.opts.log?.('error', `audit event processing stopped: ${e.message}`);
    });
  }

  /** Holds processing (tests of back-pressure). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.poke();
  }

  /** Processes what the spool holds (at most `graceMs`), commits, closes the sink. */
  async stop(graceMs = 10_000): Promise<void> {
    const deadline = Date.now() + graceMs;
    this.paused = false;
    while (!this.failure && this.loop && this.hasData() && Date.now() < deadline) {
      this.poke();
      await new Promise((r) => setTimeout(r, 5));
    }
    this.stopping = true;
    this.poke();
    await this.loop;
    this.unsubscribe();
    if (this.failure) {
      try {
        this.sink.close();
      } catch {
        // The sink is what failed; the position stays where the last good commit left it.
      }
      return;
    }
    this.commit();
    this.sink.close();
  }

  private hasData(): boolean {
    const segs = this.spool.segments;
    const i = segs.findIndex((s) => s.seq === this.pos.segment);
    if (i < 0) return segs.some((s) => s.seq > this.pos.segment && s.size > 0);
    return this.pos.offset < segs[i]!.size || segs.slice(i + 1).some((s) => s.size > 0);
  }

  private commit(): void {
    if (!this.dirty) return;
    this.sink.flush();
    this.spool.commit(this.pos);
    this.dirty = false;
    this.lastCommit = Date.now();
  }

  private async run(): Promise<void> {
    const chunk = this.opts.chunkBytes ?? 256 * 1024;
    let fd: number | undefined;
    let fdSeq = -1;
    try {
      while (!this.stopping) {
        if (this.paused) {
          await new Promise<void>((r) => (this.wake = r));
          continue;
        }
        const segs = this.spool.segments;
        let seg = segs.find((s) => s.seq === this.pos.segment);
        if (!seg) {
          const next = segs.find((s) => s.seq > this.pos.segment);
          if (!next) {
            await this.idle();
            continue;
          }
          this.pos = { segment: next.seq, offset: 0 };
          this.dirty = true;
          seg = next;
        }
        if (this.pos.offset < seg.size) {
          if (fdSeq !== seg.seq) {
            if (fd !== undefined) closeSync(fd);
            fd = openSync(this.spool.segmentPath(seg.seq), 'r');
            fdSeq = seg.seq;
          }
          this.processFrom(fd!, seg.size, chunk);
          if (this.dirty && Date.now() - this.lastCommit >= this.opts.commitIntervalMs) this.commit();
          await yieldToLoop();
          continue;
        }
        const next = segs.find((s) => s.seq > seg!.seq);
        if (seg.sealed && next) {
          // Commit past the segment before deleting it: a crash in between leaves a file recovery deletes.
          const done = seg.seq;
          this.pos = { segment: next.seq, offset: 0 };
          this.dirty = true;
          this.commit();
          if (fd !== undefined && fdSeq === done) {
            closeSync(fd);
            fd = undefined;
            fdSeq = -1;
          }
          this.spool.release(done);
          continue;
        }
        await this.idle();
      }
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** Waits for new data, committing a pending position first (the spool is idle now). */
  private async idle(): Promise<void> {
    const due = this.lastCommit + this.opts.commitIntervalMs - Date.now();
    if (this.dirty && due <= 0) {
      this.commit();
      return;
    }
    await new Promise<void>((r) => {
      this.wake = r;
      // A periodic look as well (a notification may arrive between the check and the wait), and the next commit.
      setTimeout(r, this.dirty ? Math.min(200, due) : 200).unref();
    });
  }

  /** Reads whole lines from the position up to `size` (at most about `chunk` bytes) and processes them. */
  private processFrom(fd: number, size: number, chunk: number): void {
    let want = Math.min(chunk, size - this.pos.offset);
    for (;;) {
      const buf = Buffer.allocUnsafe(want);
      const got = readSync(fd, buf, 0, want, this.pos.offset);
      const end = buf.subarray(0, got).lastIndexOf(10);
      if (end < 0) {
        // One event longer than the chunk: read more (durable data always ends with a newline).
        if (this.pos.offset + want >= size) throw new Error(`spool segment ${this.spool.segmentPath(this.pos.segment)} ends without a newline`);
        want = Math.min(want * 2, size - this.pos.offset);
        continue;
      }
      const text = buf.toString('utf8', 0, end);
      for (const line of text.split('\n')) this.processLine(line);
      this.pos = { segment: this.pos.segment, offset: this.pos.offset + end + 1 };
      this.dirty = true;
      return;
    }
  }

  private processLine(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.processed++;
      this.badLines++;
      return;
    }
    const batch = value as { [BATCH_COUNT]?: unknown; list?: { items?: unknown } };
    if (typeof batch[BATCH_COUNT] === 'number') {
      this.processed += batch[BATCH_COUNT];
      const items = batch.list?.items;
      if (Array.isArray(items)) for (const item of items) this.processEvent(item);
      return;
    }
    this.processed++;
    this.processEvent(value);
  }

  private processEvent(value: unknown): void {
    const ev = toAuditEvent(value);
    if (typeof ev === 'string') {
      this.badLines++;
      return;
    }
    if (this.opts.dedupWindowMs > 0 && this.isDuplicate(`${String(ev.raw.auditID)}\u0000${String(ev.raw.stage ?? '')}`, eventMillis(ev))) {
      this.duplicates++;
      return;
    }
    for (const r of this.pipeline.process(ev)) this.sink.write(r);
  }

  private isDuplicate(key: string, atMs: number): boolean {
    const last = this.seen.get(key);
    if (last !== undefined && Math.abs(atMs - last) < this.opts.dedupWindowMs) return true;
    this.seen.set(key, atMs);
    this.order.push({ key, at: atMs });
    // Oldest first (arrival order): drop what is out of the window, and beyond the cap.
    while (this.orderHead < this.order.length) {
      const head = this.order[this.orderHead]!;
      if (this.seen.size <= DEDUP_MAX && atMs - head.at < this.opts.dedupWindowMs) break;
      if (this.seen.get(head.key) === head.at) this.seen.delete(head.key);
      this.orderHead++;
    }
    if (this.orderHead > 4096 && this.orderHead * 2 > this.order.length) {
      this.order = this.order.slice(this.orderHead);
      this.orderHead = 0;
    }
    return false;
  }

  get suppressed(): AlertLimiter['suppressed'] {
    return this.pipeline.limiter.suppressed;
  }
}
