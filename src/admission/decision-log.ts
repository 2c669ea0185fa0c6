/**
 * The structured decision log: one JSON object per line for every review answered, to a file
 * (appended) or standard output. It never holds a review up: lines are buffered and written
 * asynchronously, and when the buffer is full further lines are dropped and counted.
 * Evidence values are never written, only control ids, messages and paths.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { JudgedFinding, Outcome } from './judge.js';

export interface DecisionRecord {
  time: string;
  uid: string;
  endpoint: 'validate' | 'mutate';
  operation: string;
  kind: string;
  resource: string;
  subResource?: string;
  namespace?: string;
  name?: string;
  user: string;
  /** The request was a dry run: nothing was stored and nothing here happened for real. */
  dryRun: boolean;
  /** --dry-run mode: denials were turned into warnings. */
  enforcement: 'enforce' | 'dry-run';
  allowed: boolean;
  outcome: Outcome | 'mutate' | 'shed';
  reason?: string;
  findings?: JudgedFinding[];
  mutations?: string[];
  warnings?: number;
  durationMs: number;
}

const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class DecisionLog {
  private readonly stream: WriteStream | NodeJS.WritableStream;
  private readonly owned: boolean;
  private dropped = 0;

  constructor(target: string, private readonly onDrop: () => void = () => {}) {
    if (target === '-') {
      this.stream = process.stdout;
      this.owned = false;
    } else {
      const file = createWriteStream(target, { flags: 'a' });
      this.stream = file;
      this.owned = true;
      file.on('error', () => {
        this.dropped++;
        this.onDrop();
      });
    }
  }

  get droppedLines(): number {
    return this.dropped;
  }

  write(record: DecisionRecord): void {
    const s = this.stream as WriteStream;
    if (typeof s.writableLength === 'number' && s.writableLength > MAX_BUFFERED_BYTES) {
      this.dropped++;
      this.onDrop();
      return;
    }
    this.stream.write(JSON.stringify(record) + '\n');
  }

  /** Flushes and closes a file log. */
  close(): Promise<void> {
    if (!this.owned) return Promise.resolve();
    return new Promise((resolve) => (this.stream as WriteStream).end(() => resolve()));
  }
}
