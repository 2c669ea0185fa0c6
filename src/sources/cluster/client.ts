/**
 * The one place Palisade talks to a Kubernetes API server. Credentials, TLS and auth plugins
 * come from @kubernetes/client-node's KubeConfig (kubeconfig files, exec and OIDC plugins,
 * in-cluster service accounts); requests are plain GETs of JSON and watch streams, so list
 * responses keep every field as the server sent it (the generated typed client would turn
 * timestamps into Dates and drop fields it does not know, and scans must see what
 * `kubectl get -o yaml` shows). Bodies and lines are bounded; credentials never appear in an
 * error, a log line or a result.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { diagnostic, PalisadeError } from '../../core/errors.js';

/** Where the service account's token sits inside a pod. */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface ConnectOptions {
  /** --kubeconfig FILE; otherwise KUBECONFIG, ~/.kube/config, then the in-cluster service account. */
  kubeconfig?: string;
  /** --context NAME; otherwise the kubeconfig's current-context. */
  context?: string;
  /** Name used for the results; default: the context's cluster name. */
  clusterName?: string;
  /** Environment to read KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Largest response body read (list pages, discovery); default 256 MiB. */
  maxBodyBytes?: number;
  /** Longest watch line (one event); default 32 MiB. */
  maxLineBytes?: number;
  /** Idle time after which a request without a byte received is abandoned; default 60 s. */
  requestTimeoutMs?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** Accept header; default application/json. */
  accept?: string;
  signal?: AbortSignal;
  /** Idle timeout for this request (watches wait longer than lists). */
  timeoutMs?: number;
}

/** What the cluster sources need from an API server: JSON GETs and line streams. */
export interface ClusterClient {
  /** Name of the cluster in results (ClusterOrigin.cluster). */
  readonly cluster: string;
  /** API server URL (no credentials in it). */
  readonly server: string;
  getJson(path: string, opts?: RequestOptions): Promise<unknown>;
  /** Streams newline-delimited JSON; resolves when the server ends the stream. */
  stream(path: string, opts: RequestOptions, onObject: (value: unknown) => void): Promise<void>;
}

/** A non-2xx answer, or a request that failed on the way. Never carries request headers. */
export class ClusterApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when no response arrived (connection refused, TLS failure, timeout). */
    readonly status: number,
    /** The Status reason (Forbidden, Gone, Expired, NotFound…) when the server sent one. */
    readonly reason?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ClusterApiError';
  }
}

/** Loads the kubeconfig the way kubectl does and returns a client for its context. */
export function connect(opts: ConnectOptions = {}): ClusterClient {
  const env = opts.env ?? process.env;
  const kc = new KubeConfig();
  let source: string;
  try {
    if (opts.kubeconfig) {
      if (!existsSync(opts.kubeconfig)) throw configError(`${opts.kubeconfig} does not exist`, '--kubeconfig');
      kc.loadFromFile(opts.kubeconfig);
      source = opts.kubeconfig;
    } else if (env.KUBECONFIG) {
      const files = env.KUBECONFIG.split(delimiter).filter((f) => f && existsSync(f));
      if (!files.length) throw configError(`no file named by KUBECONFIG exists (${env.KUBECONFIG})`, 'KUBECONFIG');
      kc.loadFromFile(files[0]!);
      for (const f of files.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(f);
        // kubectl's merge: the first file to set a value wins.
        mergeFirstWins(kc, more);
      }
      source = files.join(delimiter);
    } else if (env.HOME && existsSync(join(env.HOME, '.kube', 'config'))) {
      source = join(env.HOME, '.kube', 'config');
      kc.loadFromFile(source);
    } else if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
      kc.loadFromCluster();
      source = 'in-cluster service account';
    } else {
      throw configError('no kubeconfig found: give --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, or run in a pod with a service account', '--kubeconfig');
    }
  } catch (e) {
    if (e instanceof PalisadeError) throw e;
    throw configError(`cannot read the kubeconfig: ${(e as Error).message}`, '--kubeconfig');
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw configError(`no context "${opts.context}" in ${source}${names.length ? `; contexts: ${names.join(', ')}` : ''}`, '--context');
    }
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw configError(`the current context of ${source} names no cluster (set current-context or give --context)`, '--context');
  if (!/^https?:\/\//.test(cluster.server)) throw configError(`cluster ${cluster.name}: server "${cluster.server}" is not an http(s) URL`, 'server');
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    throw configError(`cluster ${cluster.name}: plain-HTTP server ${cluster.server} needs insecure-skip-tls-verify: true`, 'server');
  }
  return new KubeConfigClient(kc, opts.clusterName ?? cluster.name, cluster.server.replace(/\/+$/, ''), opts);
}

function configError(detail: string, field: string): PalisadeError {
  return new PalisadeError(diagnostic('PALISADE_CLUSTER_CONFIG', { detail }, { field }));
}

function mergeFirstWins(into: KubeConfig, from: KubeConfig): void {
  for (const c of from.getClusters()) if (!into.getCluster(c.name)) into.addCluster(c);
  for (const u of from.getUsers()) if (!into.getUser(u.name)) into.addUser(u);
  for (const c of from.getContexts()) if (!into.getContextObject(c.name)) into.addContext(c);
  if (!into.getCurrentContext() && from.getCurrentContext()) into.setCurrentContext(from.getCurrentContext());
}

class KubeConfigClient implements ClusterClient {
  private agent: http.Agent | undefined;
  private readonly maxBody: number;
  private readonly maxLine: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly kc: KubeConfig,
    readonly cluster: string,
    readonly server: string,
    opts: ConnectOptions,
  ) {
    this.maxBody = opts.maxBodyBytes ?? 256 * 1024 * 1024;
    this.maxLine = opts.maxLineBytes ?? 32 * 1024 * 1024;
    this.timeoutMs = opts.requestTimeoutMs ?? 60_000;
  }

  async getJson(path: string, opts: RequestOptions = {}): Promise<unknown> {
    const res = await this.open(path, opts);
    const body = await readBody(res, this.maxBody, path);
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw new ClusterApiError(`GET ${path}: the response is not JSON`, res.statusCode ?? 0);
    }
  }

  async stream(path: string, opts: RequestOptions, onObject: (value: unknown) => void): Promise<void> {
    const res = await this.open(path, opts);
    await new Promise<void>((resolve, reject) => {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const line = (buf: Buffer) => {
        const text = buf.toString('utf8').trim();
        if (!text) return;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          return fail(new ClusterApiError(`watch ${path}: a line of the stream is not JSON`, res.statusCode ?? 0));
        }
        // The consumer may end the stream (an ERROR event): its exception becomes ours.
        try {
          onObject(value);
        } catch (e) {
          fail(e as Error);
        }
      };
      let failed = false;
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        res.destroy();
        reject(e);
      };
      res.on('data', (chunk: Buffer) => {
        let start = 0;
        for (let i = chunk.indexOf(10); i >= 0 && !failed; i = chunk.indexOf(10, start)) {
          pending.push(chunk.subarray(start, i));
          line(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
          start = i + 1;
        }
        if (start < chunk.length) {
          pending.push(chunk.subarray(start));
          pendingBytes += chunk.length - start;
          if (pendingBytes > this.maxLine) fail(new ClusterApiError(`watch ${path}: an event is longer than ${this.maxLine} bytes`, res.statusCode ?? 0));
        }
      });
      let ended = false;
      res.on('end', () => {
        ended = true;
        if (pending.length && !failed) line(Buffer.concat(pending));
        if (!failed) resolve();
      });
      const broken = (e: Error) => (opts.signal?.aborted ? new ClusterApiError(`watch ${path}: stopped`, 0, 'Aborted') : transportError(path, e));
      res.on('error', (e) => fail(broken(e)));
      res.on('aborted', () => fail(broken(new Error('the connection was closed'))));
      res.on('close', () => {
        if (!ended) fail(broken(new Error('the connection was closed')));
      });
    });
  }

  /** Sends the GET; resolves with a 2xx response, rejects with a ClusterApiError otherwise. */
  private async open(path: string, opts: RequestOptions): Promise<http.IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    // Headers are taken fresh each time: exec and OIDC plugins refresh expiring tokens here.
    let init: Awaited<ReturnType<KubeConfig['applyToFetchOptions']>>;
    try {
      init = await this.kc.applyToFetchOptions({});
    } catch (e) {
      // An exec or OIDC plugin that failed, an unreadable certificate file: no request was sent.
      const detail = ((e as Error)?.message ?? String(e)).trim() || 'its exec or auth-provider plugin failed';
      throw new ClusterApiError(`cannot get credentials for the kubeconfig user: ${detail}`, 0, 'Credentials');
    }
    this.agent ??= init.agent as http.Agent;
    const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json', 'User-Agent': 'palisade' };
    (init.headers as Headers | undefined)?.forEach((value, name) => (headers[name] = value));
    const mod = url.protocol === 'https:' ? https : http;
    const timeout = opts.timeoutMs ?? this.timeoutMs;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method: 'GET', agent: this.agent, headers, signal: opts.signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        readBody(res, 1024 * 1024, path).then(
          (body) => reject(statusError(path, status, body, res.headers['retry-after'])),
          () => reject(statusError(path, status, Buffer.alloc(0), res.headers['retry-after'])),
        );
      });
      req.setTimeout(timeout, () => req.destroy(new Error(`no answer within ${Math.round(timeout / 1000)} s`)));
      req.on('error', (e) => reject(opts.signal?.aborted ? new ClusterApiError(`GET ${path}: stopped`, 0, 'Aborted') : transportError(path, e)));
      req.end();
    });
  }
}

function readBody(res: http.IncomingMessage, limit: number, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        res.destroy();
        reject(new ClusterApiError(`GET ${path}: the response is larger than ${limit} bytes`, res.statusCode ?? 0, 'TooLarge'));
      } else chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', (e) => reject(transportError(path, e)));
  });
}

/** The API server's Status (reason, message) when the body is one; the HTTP status text otherwise. */
function statusError(path: string, status: number, body: Buffer, retryAfter: string | undefined): ClusterApiError {
  let reason: string | undefined;
  let message = `${status} ${http.STATUS_CODES[status] ?? ''}`.trim();
  try {
    const s = JSON.parse(body.toString('utf8')) as { kind?: string; reason?: unknown; message?: unknown };
    if (s && s.kind === 'Status') {
      if (typeof s.reason === 'string') reason = s.reason;
      if (typeof s.message === 'string') message = `${message}: ${s.message.slice(0, 500)}`;
    }
  } catch {
    // Not a Status: the HTTP status says enough.
  }
  const retry = retryAfter !== undefined && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  return new ClusterApiError(`GET ${path}: ${message}`, status, reason ?? http.STATUS_CODES[status]?.replace(/\s+/g, ''), retry);
}

function transportError(path: string, e: Error): ClusterApiError {
  const code = (e as NodeJS.ErrnoException).code;
  return new ClusterApiError(`GET ${path}: ${code ? `${code} ` : ''}${e.message}`, 0, code);
}
