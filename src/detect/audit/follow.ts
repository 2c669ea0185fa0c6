/**
 * `audit analyze --follow`: reads an audit log as the API server writes it, like `tail -F`.
 * At the end of the file it waits and polls; when the path names a new file (rotation by
 * rename, the API server's --audit-log-maxsize/maxbackup, or logrotate's create mode) the old
 * file is read to its very end first, then the new one from its start; when the file shrinks
 * (copytruncate) it is read again from the start. A path that is briefly missing during a
 * rotation is waited for. Only plain files: a gzipped log is already complete.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FollowOptions {
  /** Stops following; the generator then ends after what it has read. */
  signal: AbortSignal;
  /** How often the end of the file is polled. */
  pollMs?: number;
  /** Called when a rotation or truncation was handled (for a note on standard error). */
  onRotate?: (how: 'rotated' | 'truncated') => void;
}

const CHUNK = 1 << 16;

export async function* followFile(path: string, opts: FollowOptions): AsyncGenerator<Buffer> {
  const pollMs = opts.pollMs ?? 250;
  let fh: FileHandle = await open(path, 'r');
  let ino = (await fh.stat()).ino;
  let pos = 0;
  let endsWithNewline = true;
  const buf = Buffer.allocUnsafe(CHUNK);
  const readMore = async function* (): AsyncGenerator<Buffer> {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead === 0) return;
      pos += bytesRead;
      endsWithNewline = buf[bytesRead - 1] === 0x0a;
      yield Buffer.from(buf.subarray(0, bytesRead));
    }
  };
  try {
    for (;;) {
      yield* readMore();
      const now = await stat(path).catch(() => undefined);
      if (now && now.ino !== ino) {
        // Rotated: whatever the writer still put into the old file comes first.
        yield* readMore();
        if (!endsWithNewline) yield Buffer.from('\n');
        await fh.close();
        fh = await open(path, 'r');
        ino = (await fh.stat()).ino;
        pos = 0;
        endsWithNewline = true;
        opts.onRotate?.('rotated');
        continue;
      }
      if ((await fh.stat()).size < pos) {
        if (!endsWithNewline) yield Buffer.from('\n');
        pos = 0;
        endsWithNewline = true;
        opts.onRotate?.('truncated');
        continue;
      }
      // Stopping: what arrived until now, a rotation included, has been read above.
      if (opts.signal.aborted) return;
      await sleep(pollMs, undefined, { signal: opts.signal }).catch(() => undefined);
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}
