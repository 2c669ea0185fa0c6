/**
 * Resolving a tag to the digest it names now, through the OCI distribution API:
 *
 *   HEAD /v2/<name>/manifests/<tag>
 *   Accept: OCI image index, OCI image manifest, Docker manifest list v2, Docker manifest v2
 *   → 200 with Docker-Content-Digest: sha256:…
 *
 * A 401 with `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` starts the anonymous
 * token flow: GET <realm>?service=…&scope=repository:<name>:pull, then the same HEAD with
 * `Authorization: Bearer <token>`. When a registry answers HEAD without the digest header, the
 * manifest is fetched and its digest computed over the exact bytes (as the registry would).
 * Only anonymous (public) pulls are supported: no credentials are read or sent.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { ImageReference } from '../controls/image/image-reference.js';
import type { DigestSource } from './mutate.js';

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const DIGEST = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;
/** Manifests are small; registries refuse ones over 4 MiB. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_TOKEN_BYTES = 256 * 1024;

export interface ResolverOptions {
  /** Registry hosts (host[:port]) spoken to over plain HTTP. */
  insecure?: readonly string[];
  /** Extra trusted CAs (PEM). */
  ca?: string | Buffer;
  timeoutMs?: number;
  /** How long a resolved tag is reused. */
  cacheSeconds?: number;
  /** Most distinct resolutions in flight; more are refused rather than queued. */
  maxInFlight?: number;
  now?: () => number;
}

interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class RegistryError extends Error {}

/** One parsed `WWW-Authenticate` challenge: scheme and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } | undefined {
  const m = /^\s*([A-Za-z][A-Za-z0-9-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2]!))) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  return { scheme: m[1]!.toLowerCase(), params };
}

/** The API host of a registry: Docker Hub's images are served by registry-1.docker.io. */
export function registryHost(domain: string): string {
  return domain === 'docker.io' ? 'registry-1.docker.io' : domain;
}

export class DigestResolver implements DigestSource {
  private readonly insecure: ReadonlySet<string>;
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private readonly maxInFlight: number;
  private readonly now: () => number;
  private readonly agentHttps: https.Agent;
  private readonly agentHttp: http.Agent;
  private readonly digests = new Map<string, { digest?: string; error?: string; until: number }>();
  private readonly tokens = new Map<string, { token: string; until: number }>();
  private readonly inFlight = new Map<string, Promise<string>>();
  /** Requests made to registries and token services, for tests and metrics. */
  requests = 0;

  constructor(opts: ResolverOptions = {}) {
    this.insecure = new Set((opts.insecure ?? []).map((h) => h.toLowerCase()));
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.cacheMs = (opts.cacheSeconds ?? 300) * 1000;
    this.maxInFlight = opts.maxInFlight ?? 32;
    this.now = opts.now ?? Date.now;
    this.agentHttps = new https.Agent({ keepAlive: true, maxSockets: 8, ...(opts.ca ? { ca: opts.ca } : {}) });
    this.agentHttp = new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  close(): void {
    this.agentHttps.destroy();
    this.agentHttp.destroy();
  }

  resolve(ref: ImageReference): Promise<string> {
    const tag = ref.tag ?? 'latest';
    const key = `${ref.repository}:${tag}`;
    const cached = this.digests.get(key);
    if (cached && cached.until > this.now()) return cached.digest ? Promise.resolve(cached.digest) : Promise.reject(new RegistryError(cached.error));
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    if (this.inFlight.size >= this.maxInFlight) return Promise.reject(new RegistryError('too many registry lookups in flight'));
    const p = this.lookup(ref.domain, ref.path, tag).then(
      (digest) => {
        this.remember(key, { digest, until: this.now() + this.cacheMs });
        return digest;
      },
      (e: unknown) => {
        const error = e instanceof RegistryError ? e.message : `${(e as Error)?.message ?? e}`;
        // A failure is remembered briefly so a burst of pods does not hammer a failing registry.
        this.remember(key, { error, until: this.now() + Math.min(this.cacheMs, 10_000) });
        throw new RegistryError(error);
      },
    );
    this.inFlight.set(key, p);
    const done = () => this.inFlight.delete(key);
    p.then(done, done);
    return p;
  }

  private remember(key: string, v: { digest?: string; error?: string; until: number }): void {
    if (this.digests.size >= 10_000) this.digests.clear();
    this.digests.set(key, v);
  }

  private async lookup(domain: string, path: string, tag: string): Promise<string> {
    const host = registryHost(domain);
    const scheme = this.insecure.has(domain.toLowerCase()) || this.insecure.has(host.toLowerCase()) ? 'http' : 'https';
    const url = `${scheme}://${host}/v2/${path}/manifests/${encodeURIComponent(tag)}`;
    const deadline = this.now() + this.timeoutMs;
    const scopeKey = `${host}/${path}`;
    const headers: Record<string, string> = { accept: MANIFEST_ACCEPT };
    const token = this.tokens.get(scopeKey);
    if (token && token.until > this.now()) headers.authorization = `Bearer ${token.token}`;
    let res = await this.request('HEAD', url, headers, deadline);
    if (res.status === 401) {
      const challenge = parseChallenge(String(res.headers['www-authenticate'] ?? ''));
      if (!challenge || challenge.scheme !== 'bearer' || !challenge.params.realm) {
        throw new RegistryError(`the registry asks for ${challenge?.scheme ?? 'unknown'} authentication; only anonymous token access is supported`);
      }
      const t = await this.fetchToken(challenge.params, path, deadline);
      this.tokens.set(scopeKey, t);
      headers.authorization = `Bearer ${t.token}`;
      res = await this.request('HEAD', url, headers, deadline);
    }
    if (res.status === 404) throw new RegistryError(`tag ${tag} not found in ${host}/${path}`);
    if (res.status === 401 || res.status === 403) throw new RegistryError(`access to ${host}/${path} denied (HTTP ${res.status})`);
    if (res.status !== 200) throw new RegistryError(`${host} answered HTTP ${res.status}`);
    const digest = String(res.headers['docker-content-digest'] ?? '');
    if (DIGEST.test(digest)) return digest;
    // No (usable) digest header: the digest of the manifest is that of its bytes.
    const full = await this.request('GET', url, headers, deadline, MAX_MANIFEST_BYTES);
    if (full.status !== 200) throw new RegistryError(`${host} answered HTTP ${full.status} for the manifest`);
    return `sha256:${createHash('sha256').update(full.body).digest('hex')}`;
  }

  private async fetchToken(params: Record<string, string>, path: string, deadline: number): Promise<{ token: string; until: number }> {
    let realm: URL;
    try {
      realm = new URL(params.realm!);
    } catch {
      throw new RegistryError(`the token realm ${JSON.stringify(params.realm)} is not a URL`);
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') throw new RegistryError('the token realm is not an http(s) URL');
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', params.scope ?? `repository:${path}:pull`);
    const res = await this.request('GET', realm.toString(), { accept: 'application/json' }, deadline, MAX_TOKEN_BYTES);
    if (res.status !== 200) throw new RegistryError(`the token service answered HTTP ${res.status}`);
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new RegistryError('the token service answered something that is not JSON');
    }
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw new RegistryError('the token service answered without a token');
    // The distribution spec's default lifetime is 60 s; renew a little early.
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    return { token, until: this.now() + Math.max(0, seconds - 5) * 1000 };
  }

  private request(method: string, url: string, headers: Record<string, string>, deadline: number, maxBody = 0): Promise<HttpResult> {
    this.requests++;
    const remaining = deadline - this.now();
    if (remaining <= 0) return Promise.reject(new RegistryError(`no answer within ${this.timeoutMs} ms`));
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const mod = u.protocol === 'https:' ? https : http;
      const req = mod.request(u, { method, headers: { 'user-agent': 'palisade-admission', ...headers }, agent: u.protocol === 'https:' ? this.agentHttps : this.agentHttp }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBody) {
            if (maxBody === 0) return; // HEAD or a body we do not read
            req.destroy(new RegistryError(`answer larger than ${maxBody} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(remaining, () => req.destroy(new RegistryError(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => reject(e instanceof RegistryError ? e : new RegistryError(e.code ? `${e.code} ${u.host}` : e.message)));
      req.end();
    });
  }
}
