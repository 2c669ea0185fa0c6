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
import type { AuditEvent } from './event.js';
// Managed clouds wrap audit events (GKE Cloud Audit Logs, EKS CloudWatch, AKS diagnostics).
import { auditRecordsFromValue } from '../receiver/cloud.js';

export interface ReadLimits {
  maxLineBytes: number;
  maxDocumentBytes: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxLineBytes: 1024 * 1024, maxDocumentBytes: 256 * 1024 * 1024 };

export type AuditRecord = { event: AuditEvent; line: number } | { diagnostic: Diagnostic };

type Line = { text: string; line: number } | { tooLong: true; line: number };

/**
 * Splits a byte stream into lines, a chunk at a time (one await per chunk, not per line:
 * per-line promises cost more than the JSON parsing). Text is decoded per chunk; a partial
 * line is carried over, and dropped as soon as it exceeds `max` bytes.
 */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';
  private oversized = false;
  private lineNo = 0;
  constructor(private readonly max: number) {}

  private tooBig(s: string): boolean {
    // UTF-8 needs at least one byte per UTF-16 unit and at most three.
    return s.length > this.max || (s.length * 3 > this.max && Buffer.byteLength(s) > this.max);
  }

  push(chunk: Buffer | string, out: Line[]): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) {
        if (!this.oversized) {
          this.carry += text.slice(start);
          if (this.tooBig(this.carry)) {
            this.oversized = true;
            this.carry = '';
          }
        }
        return;
      }
      this.lineNo++;
      if (this.oversized) out.push({ tooLong: true, line: this.lineNo });
      else {
        const line = this.carry ? this.carry + text.slice(start, nl) : text.slice(start, nl);
        out.push(this.tooBig(line) ? { tooLong: true, line: this.lineNo } : { text: line, line: this.lineNo });
      }
      this.carry = '';
      this.oversized = false;
      start = nl + 1;
    }
  }

  end(out: Line[]): void {
    const rest = this.carry + this.decoder.end();
    if (this.oversized || this.tooBig(rest)) out.push({ tooLong: true, line: this.lineNo + 1 });
    else if (rest) out.push({ text: rest, line: this.lineNo + 1 });
  }
}

async function* lineBatches(stream: AsyncIterable<Buffer | string>, max: number): AsyncGenerator<Line[]> {
  const splitter = new LineSplitter(max);
  for await (const chunk of stream) {
    const out: Line[] = [];
    splitter.push(chunk, out);
    if (out.length) yield out;
  }
  const out: Line[] = [];
  splitter.end(out);
  if (out.length) yield out;
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
  // Large reads: an audit log is read once, front to back.
  const s = createReadStream(path, { highWaterMark: 1 << 20 });
  if (!gz) return s;
  const out = createGunzip();
  s.on('error', (e) => out.destroy(e));
  return s.pipe(out);
}

/** Audit events and per-line problems, in file order, a batch per chunk read. `file` names the input in diagnostics. */
export async function* readAuditBatches(stream: AsyncIterable<Buffer | string>, file: string, limits: ReadLimits = DEFAULT_READ_LIMITS): AsyncGenerator<AuditRecord[]> {
  let whole: string[] | undefined;
  let wholeBytes = 0;
  for await (const batch of lineBatches(stream, limits.maxLineBytes)) {
    const out: AuditRecord[] = [];
    for (const l of batch) {
      if (whole) {
        if ('tooLong' in l || (wholeBytes += l.text.length + 1) > limits.maxDocumentBytes) {
          out.push({ diagnostic: diagnostic('PALISADE_DETECT_BAD_EVENT', { line: 1, detail: `JSON document larger than ${limits.maxDocumentBytes} bytes` }, { file, line: 1 }) });
          yield out;
          return;
        }
        whole.push(l.text);
        continue;
      }
      if ('tooLong' in l) {
        out.push({ diagnostic: diagnostic('PALISADE_DETECT_LINE_TOO_LONG', { line: l.line, limit: limits.maxLineBytes }, { file, line: l.line }) });
        continue;
      }
      const text = l.text.trim();
      if (!text) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        if (l.line === 1 && (text.startsWith('{') || text.startsWith('['))) {
          // Not one value per line: read the rest as a single (pretty-printed) document.
          whole = [l.text];
          wholeBytes = l.text.length;
          continue;
        }
        out.push({ diagnostic: diagnostic('PALISADE_DETECT_BAD_EVENT', { line: l.line, detail: `invalid JSON (${(e as Error).message})` }, { file, line: l.line }) });
        continue;
      }
      for (const r of auditRecordsFromValue(value, file, l.line)) out.push(r);
    }
    if (out.length) yield out;
  }
  if (whole) {
    let value: unknown;
    try {
      value = JSON.parse(whole.join('\n'));
    } catch (e) {
      yield [{ diagnostic: diagnostic('PALISADE_DETECT_BAD_EVENT', { line: 1, detail: `invalid JSON (${(e as Error).message})` }, { file, line: 1 }) }];
      return;
    }
    yield [...auditRecordsFromValue(value, file, 1)];
  }
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
