/**
 * Where the receiver's alerts go: a file (appended, fsync'ed before the spool position
 * moves, so an alert is never lost to a crash, only possibly repeated) or a stream, and
 * also, best effort, to webhooks (webhook.ts).
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { formatAlertText } from '../audit/alerts.js';
import type { DetectionRecord } from '../correlate/record.js';
import type { AlertSink } from './consumer.js';

export type AlertFormat = 'json' | 'text';

const render = (a: DetectionRecord, format: AlertFormat) => (format === 'text' ? formatAlertText(a) : JSON.stringify(a)) + '\n';

/** Buffers lines and writes them in one call per flush or per 64 KiB. */
export class FileAlertSink implements AlertSink {
  private readonly fd: number;
  private buf: string[] = [];
  private bytes = 0;

  constructor(path: string, private readonly format: AlertFormat) {
    this.fd = openSync(path, 'a');
  }

  write(a: DetectionRecord): void {
    const s = render(a, this.format);
    this.buf.push(s);
    this.bytes += s.length;
    if (this.bytes >= 64 * 1024) this.drain();
  }

  private drain(): void {
    if (!this.buf.length) return;
    const data = Buffer.from(this.buf.join(''));
    this.buf = [];
    this.bytes = 0;
    for (let off = 0; off < data.length; ) off += writeSync(this.fd, data, off);
  }

  flush(): void {
    this.drain();
    fsyncSync(this.fd);
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export class StreamAlertSink implements AlertSink {
  constructor(private readonly out: { write(s: string): unknown }, private readonly format: AlertFormat) {}
  write(a: DetectionRecord): void {
    this.out.write(render(a, this.format));
  }
  flush(): void {}
  close(): void {}
}

/** Something that takes alerts without blocking (a WebhookSink). */
export interface AlertQueue {
  write(a: DetectionRecord): void;
}

/** The durable sink first, then the queues; flush and close concern the durable sink (queues are closed by their owner, with a grace period). */
export class FanoutSink implements AlertSink {
  constructor(private readonly primary: AlertSink, private readonly queues: readonly AlertQueue[]) {}
  write(a: DetectionRecord): void {
    this.primary.write(a);
    for (const q of this.queues) q.write(a);
  }
  flush(): void {
    this.primary.flush();
  }
  close(): void {
    this.primary.close();
  }
}
