/**
 * Streams audit events from JSON-lines files (one Event per line, as the API server's log
 * backend writes them), gzip-compressed or not (detected by magic bytes, not by name),
 * or from standard input. Memory stays bounded: lines are split from the byte stream and
 * a line longer than maxLineBytes is dropped while it streams past. A file whose first
 * line is not a complete JSON value is read as one JSON document (an EventList or an array
 * of Events, e.g. `kubectl get --raw` output), up to maxDocumentBytes.
 */
import { closeSync, openSync, readSync, createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { once } from 'node:events';
import { diagnostic, type Diagnostic } from '../../core/errors.js';
import { toAuditEvent, type AuditEvent } from './event.js';
// Managed clouds wrap audit events (GKE Cloud Audit Logs, EKS CloudWatch, AKS diagnostics).
import { auditRecordsFromValue } from '../receiver/cloud.js';

export interface ReadLimits {
  maxLineBytes: number;
  maxDocumentBytes: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxLineBytes: 1024 * 1024, maxDocumentBytes: 256 * 1024 * 1024 };

export type AuditRecord = { event: AuditEvent; line: number } | { diagnostic: Diagnostic };

/**
 * Splits a byte stream into lines, a chunk at a time: `push` a chunk, then take its
 * complete lines with `next` (no object per line: a line is its text, or null when it is
 * longer than `max` bytes). Text is decoded per chunk; a partial line is carried over, and
 * dropped as soon as it exceeds `max` bytes.
 */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private text = '';
  private pos = 0;
  private carry = '';
  private oversized = false;
  /** Number of the line `next` returned last. */
  lineNo = 0;
  constructor(private readonly max: number) {}

  private tooBig(s: string): boolean {
    // UTF-8 needs at least one byte per UTF-16 unit and at most three.
    return s.length > this.max || (s.length * 3 > this.max && Buffer.byteLength(s) > this.max);
  }

  push(chunk: Buffer | string): void {
    this.text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    this.pos = 0;
  }

  /** The next complete line of the chunk (null: too long), or undefined when the chunk is used up. */
  next(): string | null | undefined {
    const text = this.text;
    const start = this.pos;
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      if (!this.oversized && start < text.length) {
        this.carry += text.slice(start);
        if (this.tooBig(this.carry)) {
          this.oversized = true;
          this.carry = '';
        }
      }
      this.text = '';
      this.pos = 0;
      return undefined;
    }
    this.lineNo++;
    this.pos = nl + 1;
    if (this.oversized) {
      this.oversized = false;
      return null;
    }
    const line = this.carry ? this.carry + text.slice(start, nl) : text.slice(start, nl);
    this.carry = '';
    return this.tooBig(line) ? null : line;
  }

  /** The last line, when the input does not end with a newline (null: too long). */
  end(): string | null | undefined {
    const rest = this.carry + this.decoder.end();
    this.carry = '';
    if (this.oversized || this.tooBig(rest)) {
      this.lineNo++;
      return null;
    }
    if (!rest) return undefined;
    this.lineNo++;
    return rest;
  }
}

/** A plain audit Event object, as most lines hold: none of the cloud wrappers, not a list. */
function isPlainEvent(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.auditID === 'string' && o.kind !== 'EventList' && o.protoPayload === undefined && o.logEvents === undefined && o.records === undefined && o.properties === undefined;
}

/**
 * Turns lines into events and diagnostics. A line holding one plain Event (nearly all) is
 * returned as its event; anything else (diagnostics, lists, cloud records) is appended to
 * `out`, in order. Keeps the state of the whole-document fallback.
 */
class AuditLineDecoder {
  private whole: string[] | undefined;
  private wholeBytes = 0;
  /** Set when reading must stop (a whole document over the limit). */
  stopped = false;

  constructor(
    private readonly file: string,
    private readonly limits: ReadLimits,
  ) {}

  line(raw: string | null, line: number, out: AuditRecord[]): AuditEvent | undefined {
    const file = this.file;
    if (this.whole) {
      if (raw === null || (this.wholeBytes += raw.length + 1) > this.limits.maxDocumentBytes) {
        out.push({ diagnostic: diagnostic('PALISADE_DETECT_BAD_EVENT', { line: 1, detail: `JSON document larger than ${this.limits.maxDocumentBytes} bytes` }, { file, line: 1 }) });
        this.stopped = true;
        return undefined;
      }
      this.whole.push(raw);
      return undefined;
    }
    if (raw === null) {
      out.push({ diagnostic: diagnostic('PALISADE_DETECT_LINE_TOO_LONG', { line, limit: this.limits.maxLineBytes }, { file, line }) });
      return undefined;
    }
    const text = raw.trim();
    if (!text) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      if (line === 1 && (text.startsWith('{') || text.startsWith('['))) {
        // Not one value per line: read the rest as a single (pretty-printed) document.
        this.whole = [raw];
        this.wholeBytes = raw.length;
        return undefined;
      }
      out.push({ diagnostic: diagnostic('PALISADE_DETECT_BAD_EVENT', { line, detail: `invalid JSON (${(e as Error).message})` }, { file, line }) });
      return undefined;
    }
    if (isPlainEvent(value)) {
      const ev = toAuditEvent(value);
      if (typeof ev !== 'string') return ev;
      out.push({ diagnostic: diagnostic('PALISADE_DETECT_BAD_EVENT', { line, detail: ev }, { file, line }) });
      return undefined;
    }
    for (const r of auditRecordsFromValue(value, file, line)) out.push(r);
    return undefined;
  }

  /** What the whole-document fallback read, at the end of the input. */
  end(out: AuditRecord[]): void {
    if (!this.whole || this.stopped) return;
    let value: unknown;
    try {
      value = JSON.parse(this.whole.join('\n'));
    } catch (e) {
      out.push({ diagnostic: diagnostic('PALISADE_DETECT_BAD_EVENT', { line: 1, detail: `invalid JSON (${(e as Error).message})` }, { file: this.file, line: 1 }) });
      return;
    }
    for (const r of auditRecordsFromValue(value, this.file, 1)) out.push(r);
  }
}

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    const n = readSync(fd, b, 0, 2, 0);
    return n === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Opens a file (gunzipping when it starts with the gzip magic) as a byte stream. */
export function openAuditFile(path: string): Readable {
  const gz = isGzip(path); // throws (ENOENT, EACCES) before any stream exists
  // 64 KiB reads: each chunk becomes one decoded string, and strings under V8's large-object
  // size (128 KiB) die young with the events; 1 MiB chunks were promoted to the old
  // generation at every scavenge and piled up as garbage (peak RSS +100 MB, more CPU).
  const s = createReadStream(path, { highWaterMark: 1 << 16 });
  if (!gz) return s;
  const out = createGunzip();
  s.on('error', (e) => out.destroy(e));
  return s.pipe(out);
}

/** Audit events and per-line problems, in file order, a batch per chunk read. `file` names the input in diagnostics. */
export async function* readAuditBatches(stream: AsyncIterable<Buffer | string>, file: string, limits: ReadLimits = DEFAULT_READ_LIMITS): AsyncGenerator<AuditRecord[]> {
  const splitter = new LineSplitter(limits.maxLineBytes);
  const decoder = new AuditLineDecoder(file, limits);
  const take = (l: string | null, out: AuditRecord[]): void => {
    const ev = decoder.line(l, splitter.lineNo, out);
    if (ev) out.push({ event: ev, line: splitter.lineNo });
  };
  for await (const chunk of stream) {
    splitter.push(chunk);
    const out: AuditRecord[] = [];
    for (let l = splitter.next(); l !== undefined && !decoder.stopped; l = splitter.next()) take(l, out);
    if (out.length) yield out;
    if (decoder.stopped) return;
  }
  const out: AuditRecord[] = [];
  const last = splitter.end();
  if (last !== undefined) take(last, out);
  if (!decoder.stopped) decoder.end(out);
  if (out.length) yield out;
}

export interface AuditStreamHandler {
  /** May return a promise to hold reading (backpressure). */
  event(event: AuditEvent, line: number): void | Promise<void>;
  diagnostic(d: Diagnostic): void;
}

/**
 * The same as readAuditBatches, handing each event over as soon as its line is parsed: no
 * batch of parsed events is kept, so they die young (cheap for the garbage collector).
 * The fast path for analysis; returns when the input is read.
 */
export async function readAuditStream(stream: AsyncIterable<Buffer | string>, file: string, limits: ReadLimits, handler: AuditStreamHandler): Promise<void> {
  const splitter = new LineSplitter(limits.maxLineBytes);
  const decoder = new AuditLineDecoder(file, limits);
  const other: AuditRecord[] = [];
  const flush = async (): Promise<void> => {
    for (const r of other) {
      if ('diagnostic' in r) handler.diagnostic(r.diagnostic);
      else {
        const p = handler.event(r.event, r.line);
        if (p) await p;
      }
    }
    other.length = 0;
  };
  for await (const chunk of stream) {
    splitter.push(chunk);
    for (let l = splitter.next(); l !== undefined; l = splitter.next()) {
      const ev = decoder.line(l, splitter.lineNo, other);
      if (ev) {
        const p = handler.event(ev, splitter.lineNo);
        if (p) await p;
      } else if (other.length) await flush();
      if (decoder.stopped) return;
    }
  }
  const last = splitter.end();
  if (last !== undefined) {
    const ev = decoder.line(last, splitter.lineNo, other);
    if (ev) {
      const p = handler.event(ev, splitter.lineNo);
      if (p) await p;
    }
  }
  if (!decoder.stopped) decoder.end(other);
  await flush();
}

/** The same, one record at a time (convenient; slower per event than the batches). */
export async function* readAuditEvents(stream: AsyncIterable<Buffer | string>, file: string, limits: ReadLimits = DEFAULT_READ_LIMITS): AsyncGenerator<AuditRecord> {
  for await (const batch of readAuditBatches(stream, file, limits)) yield* batch;
}

/**
 * Passes a byte stream through, gunzipping it when its first bytes are the gzip magic
 * (standard input cannot be peeked like a file).
 */
export async function* gunzipIfNeeded(src: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer | string> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = typeof first.value === 'string' ? Buffer.from(first.value) : first.value;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gz = createGunzip();
    const feed = async (): Promise<void> => {
      if (!gz.write(head)) await once(gz, 'drain');
      for (;;) {
        const n = await it.next();
        if (n.done) break;
        if (!gz.write(n.value)) await once(gz, 'drain');
      }
      gz.end();
    };
    feed().catch((e: Error) => gz.destroy(e));
    yield* gz as AsyncIterable<Buffer>;
    return;
  }
  yield head;
  for (;;) {
    const n = await it.next();
    if (n.done) return;
    yield n.value;
  }
}

/** Standard input given as text (the CLI's io.readStdin) as a stream. */
export function textStream(text: string): AsyncIterable<Buffer | string> {
  return Readable.from([text]);
}
