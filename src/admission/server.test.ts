import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { applyPatch } from '../core/json-patch.js';
import { getAt } from '../core/path.js';
import { DecisionLog } from './decision-log.js';
import {
  admissionReview,
  HARDENED_CONTAINER,
  podSpec,
  POD_SPEC_POINTER,
  request,
  review,
  startTestServer,
  workload,
  WORKLOAD_KINDS,
  type TestServer,
} from './test-support.js';
import { issueCertificate, webhookCertificates } from './x509.js';

const privileged = { ...HARDENED_CONTAINER, securityContext: { ...(HARDENED_CONTAINER.securityContext as object), privileged: true } };
const bare = { name: 'app', image: 'registry.example.com/shop/app:1.0' };

describe('webhook over HTTPS', () => {
  let t: TestServer;
  let logDir: string;
  before(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'pal-adm-log-'));
    t = await startTestServer(['--mutation', 'seccomp-runtime-default', '--mutation', 'no-privilege-escalation', '--default-request', 'cpu=50m', '--default-request', 'memory=64Mi'], {
      decisionLog: new DecisionLog(join(logDir, 'decisions.jsonl')),
    });
  });
  after(async () => {
    await t.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  for (const kind of WORKLOAD_KINDS) {
    it(`judges and mutates a ${kind}`, async () => {
      const denied = await review(t, '/validate', admissionReview('CREATE', workload(kind, podSpec([privileged]))));
      assert.equal(denied.allowed, false);
      assert.equal(denied.status.code, 403);
      assert.match(denied.status.message, /\[PAL-POD-001\]/);
      const allowed = await review(t, '/validate', admissionReview('CREATE', workload(kind, podSpec([HARDENED_CONTAINER]))));
      assert.equal(allowed.allowed, true);

      const obj = workload(kind, { containers: [bare] });
      const body = admissionReview('CREATE', obj);
      const mutated = await review(t, '/mutate', body);
      assert.equal(mutated.uid, (body.request as { uid: string }).uid);
      assert.equal(mutated.patchType, 'JSONPatch');
      const patched = applyPatch(obj, JSON.parse(Buffer.from(mutated.patch, 'base64').toString('utf8')));
      const ps = POD_SPEC_POINTER[kind].split('/').slice(1);
      assert.deepEqual(getAt(patched, [...ps, 'securityContext', 'seccompProfile']), { type: 'RuntimeDefault' });
      assert.equal(getAt(patched, [...ps, 'containers', 0, 'securityContext', 'allowPrivilegeEscalation']), false);
      assert.deepEqual(getAt(patched, [...ps, 'containers', 0, 'resources', 'requests']), { cpu: '50m', memory: '64Mi' });
      assert.equal(mutated.auditAnnotations.mutations, 'seccomp-runtime-default,no-privilege-escalation,default-resources');
    });
  }

  it('answers UPDATE by what it changes, DELETE without judging, and warns below the deny threshold', async () => {
    const old = workload('StatefulSet', podSpec([privileged]), 'db');
    const relabelled = { ...old, metadata: { ...old.metadata, labels: { app: 'db', v: '2' } } };
    const upd = await review(t, '/validate', admissionReview('UPDATE', relabelled, { oldObject: old }));
    assert.equal(upd.allowed, true);
    assert.ok(upd.warnings.some((w: string) => w.startsWith('[existing, not blocking]')));
    const del = await review(t, '/validate', admissionReview('DELETE', null, { oldObject: old }));
    assert.equal(del.allowed, true);
    assert.equal(del.auditAnnotations.decision, 'skip');
    const warn = await review(t, '/validate', admissionReview('CREATE', workload('Deployment', podSpec([{ ...HARDENED_CONTAINER, image: 'registry.example.com/a:latest' }]))));
    assert.equal(warn.allowed, true);
    assert.ok(warn.warnings.some((w: string) => w.startsWith('[PAL-IMG-001]')));
  });

  it('serves health, readiness and metrics', async () => {
    assert.equal((await request(t, '/healthz')).status, 200);
    assert.equal((await request(t, '/readyz')).status, 200);
    const m = await request(t, '/metrics');
    assert.equal(m.status, 200);
    assert.match(String(m.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(m.text, /^palisade_admission_reviews_total\{endpoint="validate",outcome="deny"\} \d+$/m);
    assert.match(m.text, /^palisade_admission_findings_total\{control="PAL-POD-001",action="deny"\} \d+$/m);
    assert.match(m.text, /^palisade_admission_review_duration_seconds_bucket\{endpoint="mutate",le="0.005"\} \d+$/m);
    assert.match(m.text, /^palisade_admission_mutations_total\{mutation="seccomp-runtime-default"\} \d+$/m);
    assert.match(m.text, /^palisade_admission_certificate_expiry_timestamp_seconds \d+$/m);
  });

  it('refuses what is not a review with 4xx and a JSON Status', async () => {
    const notJson = await request(t, '/validate', '{"apiVersion": ');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json().reason, 'BadRequest');
    assert.match(notJson.json().message, /malformed AdmissionReview: the body is not JSON/);
    const v1beta1 = await request(t, '/validate', JSON.stringify({ ...admissionReview('CREATE', workload('Pod', podSpec([bare]))), apiVersion: 'admission.k8s.io/v1beta1' }));
    assert.equal(v1beta1.status, 400);
    assert.equal(v1beta1.json().details.causes[0].reason, 'PALISADE_ADMISSION_UNSUPPORTED_VERSION');
    const noUid = await request(t, '/mutate', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { operation: 'CREATE' } }));
    assert.equal(noUid.status, 400);
    assert.equal(noUid.json().details.causes[0].field, 'request.uid');
    assert.equal((await request(t, '/validate', '{}', { headers: { 'content-type': 'text/plain' } })).status, 415);
    assert.equal((await request(t, '/validate')).status, 405);
    assert.equal((await request(t, '/nope')).status, 404);
  });

  it('refuses a body over the limit with 413, declared or streamed', async () => {
    const limit = t.settings.maxBodyBytes;
    const big = Buffer.alloc(limit + 1, 0x20);
    assert.equal((await request(t, '/validate', big, { agent: new https.Agent({ ca: t.certs.caPem }) })).status, 413);
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = https.request(`${t.server.url}/validate`, { method: 'POST', ca: t.certs.caPem, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const write = (left: number) => {
        if (left <= 0 || req.destroyed) return req.end();
        if (req.write(chunk)) write(left - chunk.length);
        else req.once('drain', () => write(left - chunk.length));
      };
      write(limit + 2 * chunk.length);
    });
    assert.equal(streamed, 413);
  });

  it('marks dry-run requests in the decision log and learns nothing from them', async () => {
    const lr = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'dry', namespace: 'shop' }, spec: { limits: [] } };
    await review(t, '/validate', admissionReview('CREATE', lr, { dryRun: true, uid: 'dry-run-uid' }));
    assert.equal(t.cache.size, 0);
    await review(t, '/validate', admissionReview('CREATE', lr, { uid: 'real-uid' }));
    assert.equal(t.cache.size, 1);
    await t.server.close({ graceMs: 500 });
    const lines = readFileSync(join(logDir, 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const dry = lines.find((l) => l.uid === 'dry-run-uid');
    assert.equal(dry.dryRun, true);
    assert.equal(lines.find((l) => l.uid === 'real-uid').dryRun, false);
    const deny = lines.find((l) => l.outcome === 'deny');
    assert.equal(deny.endpoint, 'validate');
    assert.ok(deny.findings.some((f: { controlId: string }) => f.controlId === 'PAL-POD-001'));
    assert.ok(lines.every((l) => !JSON.stringify(l).includes('evidence')), 'no evidence values in the log');
  });
});

describe('TLS', () => {
  let t: TestServer;
  let clientDir: string;
  let clientCert: ReturnType<typeof issueCertificate>;
  before(async () => {
    clientDir = mkdtempSync(join(tmpdir(), 'pal-adm-client-'));
    const ca = issueCertificate({ commonName: 'apiserver-client-ca', isCA: true, days: 1 });
    clientCert = issueCertificate({ commonName: 'kube-apiserver', days: 1, usage: 'client', issuer: { cert: ca, commonName: 'apiserver-client-ca' } });
    writeFileSync(join(clientDir, 'client-ca.crt'), ca.certPem);
    t = await startTestServer([], { clientCaFile: join(clientDir, 'client-ca.crt'), certPollMs: 50 });
  });
  after(async () => {
    await t.stop();
    rmSync(clientDir, { recursive: true, force: true });
  });

  const body = JSON.stringify(admissionReview('CREATE', workload('Pod', podSpec([HARDENED_CONTAINER]))));

  it('requires the client certificate for reviews but not for probes', async () => {
    const anonymous = await request(t, '/validate', body);
    assert.equal(anonymous.status, 403);
    assert.equal((await request(t, '/healthz')).status, 200);
    const withCert = new https.Agent({ ca: t.certs.caPem, cert: clientCert.certPem, key: clientCert.keyPem });
    const ok = await request(t, '/validate', body, { agent: withCert });
    assert.equal(ok.status, 200);
    withCert.destroy();
  });

  it('speaks TLS 1.2 or later only, and no plain HTTP', async () => {
    const oldTls = await new Promise<string>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: t.server.port, ca: t.certs.caPem, servername: 'localhost', minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
      s.on('secureConnect', () => resolve('connected'));
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    assert.notEqual(oldTls, 'connected');
    const plain = await new Promise<string>((resolve) => {
      const s = net.connect(t.server.port, '127.0.0.1', () => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString('latin1')));
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
    });
    assert.doesNotMatch(plain, /^HTTP\/1\.1 200/);
  });

  it('reloads the serving certificate when its files are replaced', async () => {
    const fingerprint = () =>
      new Promise<string>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port: t.server.port, rejectUnauthorized: false, servername: 'localhost' }, () => {
          resolve(s.getPeerX509Certificate()!.fingerprint256);
          s.end();
        });
        s.on('error', reject);
      });
    const before = await fingerprint();
    const { server } = webhookCertificates({ service: 'palisade-admission', namespace: 'palisade', extraNames: ['localhost'] });
    // As Kubernetes does: write beside, then rename over.
    writeFileSync(join(t.certs.dir, 'tls.key.new'), server.keyPem);
    writeFileSync(join(t.certs.dir, 'tls.crt.new'), server.certPem);
    renameSync(join(t.certs.dir, 'tls.key.new'), t.certs.keyFile);
    renameSync(join(t.certs.dir, 'tls.crt.new'), t.certs.certFile);
    let after = before;
    for (let i = 0; i < 100 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 30));
      after = await fingerprint();
    }
    assert.notEqual(after, before);
    assert.equal(t.server.metrics.certReloads.get({ result: 'success' }) >= 1, true);
    // A broken pair is refused and the current one stays.
    writeFileSync(t.certs.keyFile, 'not a key');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await fingerprint(), after);
  });
});

/** Starts a review whose body is held back until `release()`: it stays in flight. */
function heldReview(t: TestServer, endpoint: string, body: string): { release(): Promise<{ status: number; json: any }> } {
  const half = Math.floor(body.length / 2);
  let answer!: Promise<{ status: number; json: any }>;
  const req = https.request(`${t.server.url}${endpoint}`, { method: 'POST', ca: t.certs.caPem, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
  answer = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, half));
  return {
    release() {
      req.end(body.slice(half));
      return answer;
    },
  };
}

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond());
}

describe('overload and shutdown', () => {
  const body = () => JSON.stringify(admissionReview('CREATE', workload('Pod', podSpec([privileged]))));

  for (const mode of ['open', 'closed'] as const) {
    it(`sheds beyond --max-in-flight with a fail-${mode} review`, async () => {
      const t = await startTestServer(['--max-in-flight', '1', '--overload', mode]);
      try {
        const held = heldReview(t, '/validate', body());
        await waitFor(() => t.server.inFlight === 1);
        const shed = await review(t, '/validate', admissionReview('CREATE', workload('Pod', podSpec([privileged])), { uid: 'shed-me' }));
        assert.equal(shed.uid, 'shed-me');
        if (mode === 'open') {
          assert.equal(shed.allowed, true);
          assert.match(shed.warnings[0], /overloaded \(fail-open\)/);
        } else {
          assert.equal(shed.allowed, false);
          assert.equal(shed.status.code, 503);
        }
        const first = await held.release();
        assert.equal(first.status, 200);
        assert.equal(first.json.response.allowed, false, 'the held review was judged');
        assert.equal(t.server.metrics.shed.get({ endpoint: 'validate', mode }), 1);
      } finally {
        await t.stop();
      }
    });
  }

  it('sheds a review that waited longer than --max-queue-ms', async () => {
    const t = await startTestServer(['--max-queue-ms', '20']);
    try {
      const held = heldReview(t, '/validate', body());
      await new Promise((r) => setTimeout(r, 60));
      const r = await held.release();
      assert.equal(r.json.response.allowed, true);
      assert.equal(r.json.response.auditAnnotations.decision, 'shed');
    } finally {
      await t.stop();
    }
  });

  it('counts a review whose client went away mid-body out of flight, without an internal error', async () => {
    const t = await startTestServer();
    try {
      const socket = tls.connect({ host: '127.0.0.1', port: t.server.port, ca: t.certs.caPem, servername: 'localhost' });
      await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
      socket.write(`POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"apiVersion":`);
      await waitFor(() => t.server.inFlight === 1);
      socket.destroy();
      await waitFor(() => t.server.inFlight === 0);
      assert.equal(t.server.metrics.errors.get(), 0);
      assert.equal((await review(t, '/validate', admissionReview('CREATE', workload('Pod', podSpec([privileged]))))).allowed, false, 'still judging');
    } finally {
      await t.stop();
    }
  });

  it('answers an internal error with 500 on both endpoints, counts it, and goes on serving', async () => {
    const failing = { write: () => { throw new Error('disk on fire'); }, close: async () => {} } as unknown as DecisionLog;
    const t = await startTestServer([], { decisionLog: failing });
    try {
      for (const endpoint of ['/validate', '/mutate']) {
        const r = await request(t, endpoint, JSON.stringify(admissionReview('CREATE', workload('Pod', podSpec([HARDENED_CONTAINER])))));
        assert.equal(r.status, 500, r.text);
        assert.match(JSON.parse(r.text).message, /internal error/);
      }
      assert.equal(t.server.metrics.errors.get(), 2);
      assert.equal(t.server.inFlight, 0);
      assert.equal((await request(t, '/healthz')).status, 200);
    } finally {
      await t.stop();
    }
  });

  it('drains on close: readiness fails, reviews in flight are answered, new connections are refused', async () => {
    const t = await startTestServer();
    const held = heldReview(t, '/validate', body());
    await waitFor(() => t.server.inFlight === 1);
    const closing = t.server.close({ delayMs: 100, graceMs: 5000 });
    const ready = await request(t, '/readyz', undefined, { agent: new https.Agent({ ca: t.certs.caPem }) });
    assert.equal(ready.status, 503);
    const answered = await held.release();
    assert.equal(answered.status, 200);
    await closing;
    await assert.rejects(request(t, '/healthz', undefined, { agent: new https.Agent({ ca: t.certs.caPem }) }));
    t.agent.destroy();
    t.certs.cleanup();
  });
});
