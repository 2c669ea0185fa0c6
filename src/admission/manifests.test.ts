import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../cli/testing.js';
import { startAdmissionServer } from './server.js';
import { judgeFromArgs } from './test-support.js';
import { issueCertificate, webhookCertificates } from './x509.js';

describe('palisade admission manifests', () => {
  let dir: string;
  let docs: any[];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pal-adm-manifests-'));
    writeFileSync(join(dir, 'admission.yaml'), 'denyAt: high\nexemptions: {users: ["system:serviceaccount:argocd:argocd-application-controller"]}\n');
    const r = await runCli(['admission', 'manifests', '--generate-cert', 'certs', '--admission-config', 'admission.yaml', '--match-conditions', '--refuse-latest', '--framework', 'pss-restricted'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /kubectl -n palisade create secret tls palisade-admission-tls/);
    const parsed = parseAllDocuments(r.stdout);
    assert.ok(Array.isArray(parsed));
    for (const d of parsed) assert.deepEqual(d.errors, []);
    docs = parsed.map((d) => d.toJS());
    writeFileSync(join(dir, 'manifests.yaml'), r.stdout);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const byKind = (kind: string, name?: string) => docs.filter((d) => d.kind === kind && (!name || d.metadata.name === name));

  it('prints every object needed to run the webhook, and no private key', () => {
    assert.deepEqual(docs.map((d) => d.kind), [
      'Namespace', 'ServiceAccount', 'ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service', 'NetworkPolicy', 'NetworkPolicy',
      'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
    ]);
    assert.ok(docs.every((d) => d.kind !== 'Secret'));
    assert.doesNotMatch(JSON.stringify(docs), /PRIVATE KEY/);
  });

  it('configures the webhooks as the API server expects', () => {
    const [validating] = byKind('ValidatingWebhookConfiguration', 'palisade-admission');
    const [mutating] = byKind('MutatingWebhookConfiguration');
    const ca = readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8');
    for (const w of [validating.webhooks[0], mutating.webhooks[0]]) {
      assert.deepEqual(w.admissionReviewVersions, ['v1']);
      assert.equal(w.sideEffects, 'None');
      assert.equal(w.failurePolicy, 'Fail');
      assert.equal(w.timeoutSeconds, 5);
      assert.deepEqual(w.namespaceSelector, { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'palisade'] }] });
      assert.equal(Buffer.from(w.clientConfig.caBundle, 'base64').toString(), ca);
      assert.equal(w.clientConfig.service.name, 'palisade-admission');
      assert.match(w.matchConditions[0].expression, /argocd-application-controller/);
    }
    assert.equal(validating.webhooks[0].clientConfig.service.path, '/validate');
    assert.equal(mutating.webhooks[0].clientConfig.service.path, '/mutate');
    assert.equal(mutating.webhooks[0].reinvocationPolicy, 'IfNeeded');
    const pods = validating.webhooks[0].rules.find((r: any) => r.apiGroups[0] === '');
    assert.deepEqual(pods.operations, ['CREATE', 'UPDATE']);
    const args: string[] = byKind('Deployment')[0].spec.template.spec.containers[0].args;
    assert.deepEqual(args.slice(0, 2), ['admission', 'serve']);
    for (const a of ['--admission-config', '--refuse-latest', '--framework']) assert.ok(args.includes(a), a);
    // The webhook runs with a larger young generation (fewer scavenges per review).
    assert.deepEqual(byKind('Deployment')[0].spec.template.spec.containers[0].env, [{ name: 'NODE_OPTIONS', value: '--max-semi-space-size=32' }]);
    assert.equal(byKind('ConfigMap')[0].data['admission.yaml'], readFileSync(join(dir, 'admission.yaml'), 'utf8'));
  });

  it('is clean of high and critical findings when palisade scans it', async () => {
    const r = await runCli(['scan', 'manifests.yaml', '-f', 'json', '--fail-on', 'high'], { cwd: dir });
    assert.equal(r.code, 0, r.stdout.slice(0, 2000));
    const findings = JSON.parse(r.stdout).findings as { controlId: string; severity: string; status: string }[];
    const open = findings.filter((f) => f.status === 'fail');
    assert.deepEqual(open.filter((f) => f.severity === 'high' || f.severity === 'critical'), []);
    // What is left is the image digest, which only the user can pin (--image …@sha256:…).
    assert.deepEqual(open.map((f) => f.controlId), ['PAL-IMG-002']);
  });

  it('the generated serving certificate is valid for the Service and signed by the printed CA', () => {
    const ca = new X509Certificate(readFileSync(join(dir, 'certs', 'ca.crt')));
    const leaf = new X509Certificate(readFileSync(join(dir, 'certs', 'tls.crt')));
    assert.ok(leaf.checkIssued(ca));
    assert.ok(leaf.verify(ca.publicKey));
    assert.ok(leaf.checkHost('palisade-admission.palisade.svc'));
    assert.ok(leaf.checkHost('palisade-admission.palisade.svc.cluster.local'));
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  });

  it('refuses options of the other subcommand and unknown subcommands', async () => {
    const wrong = await runCli(['admission', 'manifests', '--tls-cert', 'x'], { cwd: dir });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--tls-cert is not an option of `admission manifests`/);
    const unknown = await runCli(['admission', 'run'], { cwd: dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown subcommand "run"/);
    const noTls = await runCli(['admission', 'serve'], { cwd: dir });
    assert.equal(noTls.code, 2);
    assert.match(noTls.stderr, /--tls-cert and --tls-key/);
  });
});

describe('generated certificates', () => {
  const opensslMissing = spawnSync('openssl', ['version']).status !== 0;

  it('OpenSSL accepts the chain and reads the names (as a second, independent X.509 parser)', { skip: opensslMissing && 'openssl is not installed' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pal-adm-x509-'));
    try {
      const { ca, server } = webhookCertificates({ service: 'hook', namespace: 'ns', extraNames: ['127.0.0.1', '::1'] });
      writeFileSync(join(dir, 'ca.crt'), ca.certPem);
      writeFileSync(join(dir, 'tls.crt'), server.certPem);
      const verify = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), '-purpose', 'sslserver', join(dir, 'tls.crt')], { encoding: 'utf8' });
      assert.match(verify, /OK/);
      const text = execFileSync('openssl', ['x509', '-in', join(dir, 'tls.crt'), '-noout', '-text'], { encoding: 'utf8' });
      assert.match(text, /DNS:hook\.ns\.svc, DNS:hook\.ns\.svc\.cluster\.local, DNS:hook\.ns, DNS:hook, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
      assert.match(text, /CA:FALSE/);
      assert.match(text, /TLS Web Server Authentication/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a client verifying against the CA completes TLS with a server using the certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pal-adm-x509-'));
    const { ca, server } = webhookCertificates({ service: 'hook', namespace: 'ns', extraNames: ['localhost'] });
    writeFileSync(join(dir, 'tls.crt'), server.certPem);
    writeFileSync(join(dir, 'tls.key'), server.keyPem);
    const { judge, settings } = judgeFromArgs([]);
    const s = await startAdmissionServer({ host: '127.0.0.1', port: 0, certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), judge, settings });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        https.get({ host: '127.0.0.1', port: s.port, path: '/healthz', ca: ca.certPem, servername: 'hook.ns.svc' }, (res) => resolve(res.statusCode ?? 0)).on('error', reject);
      });
      assert.equal(status, 200);
      await assert.rejects(
        new Promise((resolve, reject) => https.get({ host: '127.0.0.1', port: s.port, path: '/healthz', ca: issueCertificate({ commonName: 'other', isCA: true, days: 1 }).certPem, servername: 'hook.ns.svc' }, resolve).on('error', reject)),
        /self.signed|unable to verify|certificate/i,
      );
    } finally {
      await s.close({ graceMs: 100 });
      rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(!existsSync(dir));
  });
});
