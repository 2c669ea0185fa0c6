/**
 * Reading a request body up to a byte bound, shared by the Palisade servers (`palisade serve`
 * and the audit receiver). The read stops at the bound instead of buffering the rest; each
 * server turns BodyTooLarge into its own 413.
 */
import type { IncomingMessage } from 'node:http';

/** The body went past the bound. */
export class BodyTooLarge extends Error {}

/** The client went away while its body was read: nothing to answer. */
export class ClientGone extends Error {}

/** The whole body, or BodyTooLarge past `limit` bytes, or ClientGone when the request errs or is aborted. */
export function readBoundedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (f: () => void) => {
      if (!done) {
        done = true;
        f();
      }
    };
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) return finish(() => reject(new BodyTooLarge()));
      chunks.push(c);
    });
    req.on('end', () => finish(() => resolve(Buffer.concat(chunks, size))));
    // Wrapped: a client's ECONNRESET must not read as a failure of the server's own connections (its store).
    req.on('error', (e) => finish(() => reject(new ClientGone(e.message))));
    req.on('aborted', () => finish(() => reject(new ClientGone('request aborted'))));
  });
}
