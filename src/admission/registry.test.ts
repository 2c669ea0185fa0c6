/**
 * Tag-to-digest resolution against a real registry: the CNCF distribution registry
 * (Debian package docker-registry) on 127.0.0.1 with TLS and token authentication, whose
 * token service is a small HTTPS server here that grants anonymous pulls and pushes. The
 * test pushes an image manifest and an image index with plain HTTP requests (blob upload,
 * manifest PUT), then resolves their tags as the webhook does.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseImageReference } from '../controls/image/image-reference.js';
import { applyPatch } from '../core/json-patch.js';
import { DigestResolver, parseChallenge } from './registry-client.js';
import { admissionReview, review, startTestServer, workload } from './test-support.js';
import { issueCertificate, webhookCertificates } from './x509.js';

const REGISTRY = 'docker-registry';
const missing = spawnSync(REGISTRY, ['--version']).error !== undefined;
const SKIP = missing && `${REGISTRY} is not installed (Debian package docker-registry: apt-get install -y docker-registry)`;

interface Http {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function call(url: string, ca: string, method: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Http> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca, headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describe('digest resolution against a real registry', { skip: SKIP }, () => {
  let dir: string;
  let registry: ChildProcess;
  let tokenServer: https.Server;
  let registryHost: string;
  let ca: string;
  let tokenRequests = 0;
  const pushed: Record<string, string> = {};

  /** A pull-and-push client using the same anonymous token flow. */
  async function authed(url: string, method: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Http> {
    let res = await call(url, ca, method, headers, body);
    if (res.status !== 401) return res;
    const c = parseChallenge(String(res.headers['www-authenticate']))!;
    const t = await call(`${c.params.realm}?service=${encodeURIComponent(c.params.service!)}&scope=${encodeURIComponent(c.params.scope!)}`, ca, 'GET');
    res = await call(url, ca, method, { ...headers, authorization: `Bearer ${JSON.parse(t.body.toString()).token}` }, body);
    return res;
  }

  async function pushBlob(repo: string, content: Buffer): Promise<string> {
    const digest = sha256(content);
    const start = await authed(`https://${registryHost}/v2/${repo}/blobs/uploads/`, 'POST', {}, '');
    assert.equal(start.status, 202, start.body.toString());
    const location = new URL(String(start.headers.location), `https://${registryHost}`);
    location.searchParams.set('digest', digest);
    const put = await authed(location.toString(), 'PUT', { 'content-type': 'application/octet-stream' }, content);
    assert.equal(put.status, 201, put.body.toString());
    return digest;
  }

  async function pushManifest(repo: string, tag: string, mediaType: string, manifest: Buffer): Promise<string> {
    const res = await authed(`https://${registryHost}/v2/${repo}/manifests/${tag}`, 'PUT', { 'content-type': mediaType }, manifest);
    assert.equal(res.status, 201, res.body.toString());
    assert.equal(res.headers['docker-content-digest'], sha256(manifest));
    return sha256(manifest);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pal-adm-registry-'));
    const { ca: tlsCa, server } = webhookCertificates({ service: 'registry', namespace: 'test', extraNames: ['127.0.0.1', 'localhost'] });
    ca = tlsCa.certPem;
    writeFileSync(join(dir, 'tls.crt'), server.certPem);
    writeFileSync(join(dir, 'tls.key'), server.keyPem);
    const signer = issueCertificate({ commonName: 'palisade-test-token-signer', isCA: true, days: 1 });
    writeFileSync(join(dir, 'token.crt'), signer.certPem);

    tokenServer = https.createServer({ cert: server.certPem, key: server.keyPem }, (req, res) => {
      tokenRequests++;
      const u = new URL(req.url ?? '/', 'https://x');
      const access = u.searchParams.getAll('scope').flatMap((s) => {
        const [type, name, actions] = s.split(':');
        return type && name && actions ? [{ type, name, actions: actions.split(',') }] : [];
      });
      const now = Math.floor(Date.now() / 1000);
      const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [signer.der.toString('base64')] }));
      const claims = b64url(JSON.stringify({ iss: 'palisade-test', sub: '', aud: u.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access }));
      const signature = b64url(sign('sha256', Buffer.from(`${header}.${claims}`), { key: signer.key, dsaEncoding: 'ieee-p1363' }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: `${header}.${claims}.${signature}`, expires_in: 300 }));
    });
    await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
    const tokenPort = (tokenServer.address() as net.AddressInfo).port;

    const port = await freePort();
    registryHost = `127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'config.yml'),
      [
        'version: 0.1',
        'log: {level: error, accesslog: {disabled: true}}',
        `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}}`,
        `http: {addr: "${registryHost}", secret: palisade-test-secret, tls: {certificate: ${join(dir, 'tls.crt')}, key: ${join(dir, 'tls.key')}}}`,
        `auth: {token: {realm: "https://127.0.0.1:${tokenPort}/token", service: palisade-registry, issuer: palisade-test, rootcertbundle: ${join(dir, 'token.crt')}}}`,
        '',
      ].join('\n'),
    );
    registry = spawn(REGISTRY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    registry.stderr!.on('data', (d) => (log += d));
    let up = false;
    for (let i = 0; i < 200 && !up; i++) {
      await new Promise((r) => setTimeout(r, 25));
      up = await call(`https://${registryHost}/v2/`, ca, 'GET').then((r) => r.status === 401, () => false);
    }
    assert.ok(up, `the registry did not start: ${log}`);

    // An image: config and layer blobs, an OCI manifest tagged 1.0, and an index tagged multi.
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { User: '10001' }, rootfs: { type: 'layers', diff_ids: [] } }));
    const layer = Buffer.from('not really a tarball, but a blob all the same');
    const configDigest = await pushBlob('team/app', config);
    const layerDigest = await pushBlob('team/app', layer);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
    }));
    pushed['1.0'] = await pushManifest('team/app', '1.0', 'application/vnd.oci.image.manifest.v1+json', manifest);
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: pushed['1.0'], size: manifest.length, platform: { architecture: 'amd64', os: 'linux' } }],
    }));
    pushed.multi = await pushManifest('team/app', 'multi', 'application/vnd.oci.image.index.v1+json', index);
  });

  after(async () => {
    registry?.kill('SIGKILL');
    await new Promise<void>((r) => (tokenServer ? tokenServer.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const ref = (s: string) => {
    const p = parseImageReference(s);
    assert.ok(p.ok);
    return p.ref;
  };

  it('resolves a manifest tag and an index tag through the anonymous token flow, then from its cache', async () => {
    const resolver = new DigestResolver({ ca });
    try {
      const before = tokenRequests;
      assert.equal(await resolver.resolve(ref(`${registryHost}/team/app:1.0`)), pushed['1.0']);
      assert.equal(tokenRequests, before + 1, 'one anonymous token');
      assert.equal(await resolver.resolve(ref(`${registryHost}/team/app:multi`)), pushed.multi);
      assert.equal(tokenRequests, before + 1, 'the token is reused for the repository');
      const requests = resolver.requests;
      assert.equal(await resolver.resolve(ref(`${registryHost}/team/app:1.0`)), pushed['1.0']);
      assert.equal(resolver.requests, requests, 'answered from the cache');
      await assert.rejects(resolver.resolve(ref(`${registryHost}/team/app:9.9`)), /tag 9\.9 not found/);
      await assert.rejects(resolver.resolve(ref(`${registryHost}/team/nothing:1.0`)), /not found|denied/);
    } finally {
      resolver.close();
    }
  });

  it('refuses to talk to a registry it cannot verify', async () => {
    const resolver = new DigestResolver({ timeoutMs: 2000 });
    try {
      await assert.rejects(resolver.resolve(ref(`${registryHost}/team/app:1.0`)), /CERT|SELF_SIGNED|UNABLE|certificate/i);
    } finally {
      resolver.close();
    }
  });

  it('pins the tag in /mutate with the digest the registry names', async () => {
    const resolver = new DigestResolver({ ca });
    const t = await startTestServer(['--resolve-digests'], { digests: resolver });
    try {
      const obj = workload('Deployment', { containers: [{ name: 'app', image: `${registryHost}/team/app:1.0` }, { name: 'gone', image: `${registryHost}/team/app:0.1` }] });
      const answer = await review(t, '/mutate', admissionReview('CREATE', obj));
      const patched = applyPatch(obj, JSON.parse(Buffer.from(answer.patch, 'base64').toString()));
      assert.equal((patched.spec as any).template.spec.containers[0].image, `${registryHost}/team/app:1.0@${pushed['1.0']}`);
      assert.equal((patched.spec as any).template.spec.containers[1].image, `${registryHost}/team/app:0.1`);
      assert.match(answer.warnings[0], /team\/app:0\.1 of container "gone" was not pinned: tag 0\.1 not found/);
    } finally {
      await t.stop();
      resolver.close();
    }
  });
});
