/**
 * The receiver's write-ahead spool: audit events, one JSON line each, appended to numbered
 * segment files (`seg-000000000001.log`, …) and fsync'ed before the API server is told 200,
 * so a crash loses nothing that was acknowledged. The consumer's position is a separate,
 * fsync'ed `offset.json` ({segment, offset}); segments wholly before it are deleted.
 *
 * Concurrent appends are group-committed: whatever arrived while one write + fdatasync was
 * running goes out in the next single write + fdatasync, so fsync cost is shared by batches.
 * A batch never spans segments. Recovery: a torn tail (a crash in the middle of a write,
 * which was never acknowledged) is cut back to the last newline, and appends go to a fresh
 * segment.
 */
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, statSync, truncateSync, unlinkSync, writeSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export interface SpoolOptions {
  dir: string;
  /** A segment is closed and a new one started once it holds this many bytes. */
  segmentBytes: number;
  /** Appends that would make the unprocessed spool larger than this are refused. */
  maxBytes: number;
}

export interface SpoolPosition {
  segment: number;
  offset: number;
}

export interface SegmentInfo {
  seq: number;
  /** Bytes written and fsync'ed. */
  size: number;
  /** No more appends will go to it. */
  sealed: boolean;
}

export class SpoolFullError extends Error {
  constructor(readonly used: number, readonly limit: number) {
    super(`the spool holds ${used} bytes; its budget is ${limit} bytes (--spool-max-bytes)`);
  }
}

const SEGMENT = /^seg-(\d{12})\.log$/;
const segName = (seq: number) => `seg-${String(seq).padStart(12, '0')}.log`;

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A spool line is one event, or one EventList batch written as it arrived, prefixed by its
 * event count: `{"palisadeEvents":N,"list":<the body>}` (no re-serialising of the events).
 */
export const BATCH_COUNT = 'palisadeEvents';
const BATCH_HEAD = new RegExp(`^\\{"${BATCH_COUNT}":(\\d+),`);

/** The spool line for a batch: the body's raw newlines (only whitespace in JSON) become spaces. */
export function batchRecord(count: number, body: Buffer): Buffer {
  for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) body[i] = 32;
  for (let i = body.indexOf(13); i >= 0; i = body.indexOf(13, i + 1)) body[i] = 32;
  return Buffer.concat([Buffer.from(`{"${BATCH_COUNT}":${count},"list":`), body, Buffer.from('}\n')]);
}

/** Counts the events of a segment from `from` (used once, at recovery). */
function countEvents(file: string, from: number): number {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  const head = Buffer.allocUnsafe(40);
  const starts: number[] = [];
  try {
    let lineStart = from;
    for (let pos = from; ; ) {
      const got = readSync(fd, buf, 0, buf.length, pos);
      if (got <= 0) break;
      for (let i = buf.indexOf(10, 0); i >= 0 && i < got; i = buf.indexOf(10, i + 1)) {
        starts.push(lineStart);
        lineStart = pos + i + 1;
      }
      pos += got;
    }
    let n = 0;
    for (const at of starts) {
      const got = readSync(fd, head, 0, head.length, at);
      const m = BATCH_HEAD.exec(head.toString('latin1', 0, got));
      n += m ? Number(m[1]) : 1;
    }
    return n;
  } finally {
    closeSync(fd);
  }
}

/** Cuts a segment back to its last newline (a torn, never acknowledged write). */
function repairTail(file: string): number {
  const size = statSync(file).size;
  if (size === 0) return 0;
  const fd = openSync(file, 'r');
  let keep = 0;
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - buf.length);
      const got = readSync(fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, got).lastIndexOf(10);
      if (nl >= 0) {
        keep = start + nl + 1;
        break;
      }
      end = start;
    }
  } finally {
    closeSync(fd);
  }
  if (keep !== size) {
    truncateSync(file, keep);
    const fd2 = openSync(file, 'r+');
    try {
      fsyncSync(fd2);
    } finally {
      closeSync(fd2);
    }
  }
  return keep;
}

interface PendingAppend {
  data: Buffer;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class Spool {
  readonly segments: SegmentInfo[] = [];
  /** Where the consumer resumes (the last committed position). */
  readonly committed: SpoolPosition;
  /** Events after the committed position when the spool was opened. */
  readonly backlogAtOpen: number;
  private active!: { seq: number; fh: FileHandle };
  private queue: PendingAppend[] = [];
  private queuedBytes = 0;
  private writing = false;
  private broken: Error | undefined;
  private closed = false;
  private readonly listeners = new Set<() => void>();

  private constructor(readonly opts: SpoolOptions, committed: SpoolPosition, backlog: number) {
    this.committed = committed;
    this.backlogAtOpen = backlog;
  }

  static async open(opts: SpoolOptions): Promise<Spool> {
    const offsetFile = join(opts.dir, 'offset.json');
    let committed: SpoolPosition = { segment: 0, offset: 0 };
    try {
      const v = JSON.parse(readFileSync(offsetFile, 'utf8')) as Partial<SpoolPosition>;
      if (Number.isInteger(v.segment) && Number.isInteger(v.offset)) committed = { segment: v.segment!, offset: v.offset! };
    } catch {
      // No offset yet: start from the oldest segment.
    }
    const seqs = readdirSync(opts.dir)
      .map((f) => SEGMENT.exec(f))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const kept: SegmentInfo[] = [];
    let backlog = 0;
    for (const seq of seqs) {
      const file = join(opts.dir, segName(seq));
      if (seq < committed.segment) {
        unlinkSync(file); // processed; its deletion was interrupted
        continue;
      }
      const size = repairTail(file);
      backlog += countEvents(file, seq === committed.segment ? Math.min(committed.offset, size) : 0);
      kept.push({ seq, size, sealed: true });
    }
    if (!kept.some((s) => s.seq === committed.segment)) committed = { segment: kept[0]?.seq ?? committed.segment, offset: 0 };
    const spool = new Spool(opts, committed, backlog);
    spool.segments.push(...kept);
    await spool.startSegment(Math.max(committed.segment, (kept.at(-1)?.seq ?? 0) + 1));
    return spool;
  }

  segmentPath(seq: number): string {
    return join(this.opts.dir, segName(seq));
  }

  /** Bytes held by segments not yet deleted plus appends waiting to be written. */
  get usedBytes(): number {
    let n = this.queuedBytes;
    for (const s of this.segments) n += s.size;
    return n;
  }

  /** Set once a write or fsync failed: the spool takes no more appends until restarted (recovery repairs the tail). */
  get failure(): Error | undefined {
    return this.broken;
  }

  /** Called whenever new data is durable or a segment is sealed. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private async startSegment(seq: number): Promise<void> {
    const fh = await open(this.segmentPath(seq), 'wx');
    fsyncDir(this.opts.dir); // the new file's name must survive a crash too
    this.active = { seq, fh };
    this.segments.push({ seq, size: 0, sealed: false });
  }

  /**
   * Appends newline-terminated lines; resolves once they are on disk (fdatasync).
   * Throws SpoolFullError at once when the budget would be exceeded.
   */
  append(data: Buffer): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closed) return Promise.reject(new Error('the spool is closed'));
    const used = this.usedBytes;
    if (used + data.length > this.opts.maxBytes) return Promise.reject(new SpoolFullError(used, this.opts.maxBytes));
    this.queuedBytes += data.length;
    const p = new Promise<void>((resolve, reject) => this.queue.push({ data, resolve, reject }));
    if (!this.writing) void this.writeLoop();
    return p;
  }

  private async writeLoop(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue;
        this.queue = [];
        const data = batch.length === 1 ? batch[0]!.data : Buffer.concat(batch.map((b) => b.data));
        try {
          const seg = this.segments.at(-1)!;
          if (seg.size > 0 && seg.size + data.length > this.opts.segmentBytes) {
            await this.active.fh.close();
            seg.sealed = true;
            await this.startSegment(this.active.seq + 1);
          }
          const target = this.segments.at(-1)!;
          for (let off = 0; off < data.length; ) {
            const { bytesWritten } = await this.active.fh.write(data, off, data.length - off, target.size + off);
            off += bytesWritten;
          }
          await this.active.fh.datasync();
          target.size += data.length;
          this.queuedBytes -= data.length;
          for (const b of batch) b.resolve();
        } catch (e) {
          // A failed write may have left partial bytes: stop appending (recovery repairs the tail).
          this.broken = e as Error;
          this.queuedBytes -= data.length;
          for (const b of [...batch, ...this.queue]) b.reject(this.broken);
          this.queue = [];
        }
        for (const fn of this.listeners) fn();
      }
    } finally {
      this.writing = false;
    }
  }

  /** Records the consumer's position durably (write, fsync, rename, fsync the directory). */
  commit(pos: SpoolPosition): void {
    const tmp = join(this.opts.dir, 'offset.json.tmp');
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(pos) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.opts.dir, 'offset.json'));
    fsyncDir(this.opts.dir);
    (this as { committed: SpoolPosition }).committed = pos;
  }

  /** Deletes a sealed segment the consumer has committed past. */
  release(seq: number): void {
    const i = this.segments.findIndex((s) => s.seq === seq);
    if (i < 0 || !this.segments[i]!.sealed) return;
    this.segments.splice(i, 1);
    try {
      unlinkSync(this.segmentPath(seq));
    } catch {
      // Already gone; recovery deletes leftovers before the committed segment anyway.
    }
  }

  /** Waits for queued appends, then closes the active segment. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing || this.queue.length) await new Promise((r) => setTimeout(r, 2));
    await this.active.fh.close().catch(() => {});
    const seg = this.segments.at(-1);
    if (seg) seg.sealed = true;
    for (const fn of this.listeners) fn();
  }
}
