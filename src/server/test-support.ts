/**
 * What the server's tests share: a real `palisade serve` on 127.0.0.1 over HTTPS with a
 * generated certificate, a real store (SQLite in a temp dir, or PostgreSQL by URL), one
 * token per role, and an HTTPS client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempCerts, type TempCerts } from '../admission/test-support.js';
import { allControls } from '../controls/registry.js';
import { PACKAGE_ROOT } from '../core/version.js';
import { scanManifests } from '../engine/scan.js';
import type { ScanResult } from '../engine/scan-result.js';
import { builtinFrameworks } from '../frameworks/loader.js';
import { jsonFormatter } from '../report/json.js';
import { openStore } from '../store/index.js';
import type { Role, Store } from '../store/types.js';
import { startServer, type PalisadeServer, type ServerOptions } from './serve.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json(): any;
}

export interface TestServer {
  server: PalisadeServer;
  store: Store;
  certs: TempCerts;
  agent: https.Agent;
  dir: string;
  dbUrl: string;
  /** Secrets by role. */
  tokens: Record<Role, string>;
  /** A request with the token of `as` (none when undefined). */
  call(method: string, path: string, opts?: { as?: Role | string; body?: string | Buffer | object; headers?: Record<string, string> }): Promise<Answer>;
  stop(): Promise<void>;
}

export function httpsRequest(url: string, agent: https.Agent, method: string, body: string | Buffer | undefined, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        const text = b.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function startTestServer(opts: { dbUrl?: string; server?: Partial<ServerOptions> } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pal-serve-'));
  const certs = tempCerts();
  const dbUrl = opts.dbUrl ?? `sqlite:${join(dir, 'palisade.db')}`;
  const store = await openStore(dbUrl);
  const tokens = {} as Record<Role, string>;
  for (const role of ['viewer', 'auditor', 'admin'] as const) tokens[role] = (await store.createToken(`test-${role}`, role)).secret;
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    certFile: certs.certFile,
    keyFile: certs.keyFile,
    store,
    log: process.env.PALISADE_DEBUG ? (level, message) => process.stderr.write(`[${level}] ${message}\n`) : undefined,
    ...opts.server,
  });
  const agent = new https.Agent({ keepAlive: true, ca: certs.caPem, maxSockets: 8 });
  return {
    server,
    store,
    certs,
    agent,
    dir,
    dbUrl,
    tokens,
    call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      const secret = o.as === undefined ? undefined : (tokens as Record<string, string>)[o.as] ?? o.as;
      if (secret) headers.authorization = `Bearer ${secret}`;
      let body: string | Buffer | undefined;
      if (o.body !== undefined) {
        body = typeof o.body === 'string' || Buffer.isBuffer(o.body) ? o.body : JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      return httpsRequest(server.url + path, agent, method, body, headers);
    },
    async stop() {
      agent.destroy();
      await server.close({ graceMs: 2000 });
      await store.close();
      certs.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const EXAMPLES = join(PACKAGE_ROOT, 'examples');

/** A scan of example manifests with every built-in control and framework, as `palisade scan` makes it. */
export async function exampleScan(inputs: string[] = ['storefront']): Promise<ScanResult> {
  return scanManifests({
    inputs,
    root: EXAMPLES,
    controls: allControls(),
    settings: { allowedRegistries: [], pssVersion: 'latest' },
    frameworks: [...builtinFrameworks().values()],
  });
}

/** The JSON report of a scan, as `palisade scan --format json` writes it. */
export function jsonReport(result: ScanResult): string {
  return jsonFormatter.render(result, { color: false });
}
