/**
 * The dashboard's static files: GET / is web/index.html, GET /ui/<path> is web/<path>, and
 * a /ui/ path without a file extension that names no file is index.html too (the
 * dashboard's own routes). No data is served here: the dashboard fetches everything from
 * the API with its token, so these files need no authentication.
 *
 * A path is refused unless it resolves, after symlinks, inside the web root; dot-files and
 * encoded separators are refused before touching the file system. Every answer carries a
 * strict Content-Security-Policy (no inline script or style, no framing).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';

export const CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** Headers every answer of the server carries, API and files alike. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const MAX_FILE_BYTES = 16 << 20;

export type StaticAnswer = { status: 200 | 304; type: string; body: Buffer; etag: string } | { status: 404 | 400 };

export class StaticFiles {
  private rootReal: string | undefined;

  constructor(private readonly root: string) {}

  /** `urlPath` is the raw request path (no query). */
  async lookup(urlPath: string, ifNoneMatch?: string): Promise<StaticAnswer> {
    let rel: string;
    if (urlPath === '/' || urlPath === '/ui' || urlPath === '/ui/') rel = 'index.html';
    else if (urlPath.startsWith('/ui/')) rel = urlPath.slice(4);
    else return { status: 404 };
    let decoded: string;
    try {
      decoded = decodeURIComponent(rel);
    } catch {
      return { status: 400 };
    }
    const parts = decoded.split('/');
    // Encoded separators and NULs change what the path means after decoding; dot segments and dot-files are never assets.
    if (/%2f|%5c|%00/i.test(rel) || decoded.includes('\\') || decoded.includes('\0') || parts.some((p) => p === '' || p.startsWith('.'))) return { status: 404 };
    let file = await this.resolveInside(parts);
    if (!file && !extname(decoded)) file = await this.resolveInside(['index.html']);
    if (!file) return { status: 404 };
    const stat = await fs.stat(file);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return { status: 404 };
    const etag = `"${createHash('sha256').update(`${file}\0${stat.size}\0${stat.mtimeMs}`).digest('base64url').slice(0, 27)}"`;
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === etag)) return { status: 304, type, body: Buffer.alloc(0), etag };
    return { status: 200, type, body: await fs.readFile(file), etag };
  }

  /** The real path of root/parts when it exists and stays inside the root. */
  private async resolveInside(parts: string[]): Promise<string | undefined> {
    try {
      this.rootReal ??= await fs.realpath(this.root);
      const real = await fs.realpath(join(this.rootReal, ...parts));
      return real.startsWith(this.rootReal + sep) ? real : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Writes a static answer (HEAD gets the headers only). */
export function sendStatic(req: IncomingMessage, res: ServerResponse, a: StaticAnswer & { status: 200 | 304 }, extra: Record<string, string>): void {
  res.writeHead(a.status, {
    ...SECURITY_HEADERS,
    ...extra,
    'content-type': a.type,
    etag: a.etag,
    // Revalidate every time: the files are small and not content-hashed, so a stale dashboard would talk to a newer API.
    'cache-control': 'no-cache',
    ...(a.status === 200 ? { 'content-length': a.body.length } : {}),
  });
  res.end(req.method === 'HEAD' || a.status === 304 ? undefined : a.body);
}
