/**
 * Tests' Kubernetes API server: serves recorded responses (hand-written JSON in the API's
 * real format, in __fixtures__/recorded/) over HTTP or HTTPS on 127.0.0.1, and scripted
 * watch streams. A response file named after the URL path answers GETs of that path
 * ("/apis/apps/v1/deployments" → apis_apps_v1_deployments.json; a continue token T →
 * …@T.json). A file holding a Status is served with its code as the HTTP status.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../core/version.js';

export const RECORDED_DIR = join(PACKAGE_ROOT, 'src', 'sources', 'cluster', '__fixtures__', 'recorded');

/** One scripted answer: a JSON body with a status, or watch lines (then the stream ends, or stays open). */
export interface Scripted {
  status?: number;
  body?: unknown;
  /** Watch events, one JSON value per line. */
  lines?: unknown[];
  /** Keep the watch open after the lines until the client goes away. */
  hold?: boolean;
  /** Cut the connection after the lines (no proper end of the response). */
  drop?: boolean;
}

export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  accept: string;
  authorization: string | undefined;
}

export interface FakeApiServer {
  url: string;
  requests: SeenRequest[];
  /** Scripted answers for "GET /path" or "WATCH /path", used in order; the last one repeats. */
  script(key: string, answers: Scripted[]): void;
  /** Writes a kubeconfig pointing at this server into a temp dir; returns its path. */
  kubeconfig(opts?: { context?: string; cluster?: string; token?: string; caPem?: string; extraContexts?: string[] }): string;
  close(): Promise<void>;
}

export interface FakeApiServerOptions {
  dir?: string;
  /** HTTPS with this key pair. */
  tls?: { certPem: string; keyPem: string };
  /** Require `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
}

export async function startFakeApiServer(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const dir = opts.dir ?? RECORDED_DIR;
  const requests: SeenRequest[] = [];
  const scripts = new Map<string, Scripted[]>();
  const open = new Set<http.ServerResponse>();
  const tmp = mkdtempSync(join(tmpdir(), 'pal-kube-'));

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query, accept: String(req.headers.accept ?? ''), authorization: req.headers.authorization });
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) {
      return json(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    const watching = query.watch === '1' || query.watch === 'true';
    const key = `${watching ? 'WATCH' : 'GET'} ${url.pathname}`;
    const queue = scripts.get(key);
    if (queue?.length) {
      const answer = queue.length > 1 ? queue.shift()! : queue[0]!;
      if (answer.lines) {
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
        for (const l of answer.lines) res.write(JSON.stringify(l) + '\n');
        if (answer.drop) setTimeout(() => res.destroy(), 20);
        else if (answer.hold) {
          open.add(res);
          res.on('close', () => open.delete(res));
        } else res.end();
        return;
      }
      return json(res, answer.status ?? 200, answer.body);
    }
    if (watching) return json(res, 404, status(404, 'NotFound', 'no watch scripted'));
    const base = url.pathname.replace(/^\/+/, '').replace(/\//g, '_') || 'root';
    const wantsTable = /as=Table/.test(String(req.headers.accept ?? ''));
    const candidates = [
      ...(query.continue ? [`${base}@${query.continue}`] : []),
      ...(wantsTable && !query.continue ? [`${base}.table`] : []),
      ...(query.continue ? [] : [base]),
    ];
    const file = candidates.map((c) => join(dir, `${c}.json`)).find((f) => existsSync(f));
    if (!file) return json(res, 404, status(404, 'NotFound', `the server could not find the requested resource`));
    const body = JSON.parse(readFileSync(file, 'utf8')) as { kind?: string; code?: number };
    json(res, body.kind === 'Status' && typeof body.code === 'number' ? body.code : 200, body);
  };

  const server = opts.tls ? https.createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, handler) : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    url,
    requests,
    script(key, answers) {
      scripts.set(key, [...answers]);
    },
    kubeconfig(k = {}) {
      const cluster = k.cluster ?? 'recorded';
      const context = k.context ?? 'recorded-admin';
      const clusterEntry = k.caPem
        ? `    server: ${url}\n    certificate-authority-data: ${Buffer.from(k.caPem).toString('base64')}\n`
        : `    server: ${url}\n    insecure-skip-tls-verify: true\n`;
      const contexts = [context, ...(k.extraContexts ?? [])]
        .map((c) => `- name: ${c}\n  context:\n    cluster: ${cluster}\n    user: tester\n`)
        .join('');
      const text =
        `apiVersion: v1\nkind: Config\ncurrent-context: ${context}\n` +
        `clusters:\n- name: ${cluster}\n  cluster:\n${clusterEntry}` +
        `contexts:\n${contexts}` +
        `users:\n- name: tester\n  user:${k.token ? `\n    token: ${k.token}\n` : ' {}\n'}`;
      const file = join(tmp, `kubeconfig-${Math.random().toString(36).slice(2)}`);
      writeFileSync(file, text);
      return file;
    },
    async close() {
      for (const r of open) r.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function json(res: http.ServerResponse, code: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
