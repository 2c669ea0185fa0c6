import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PalisadeError } from '../core/errors.js';
import { examplesScan } from './__fixtures__/examples.js';
import { DEPLOYMENT_YAML, scanSources } from './__fixtures__/scans.js';
import { DEFAULT_BUNDLE_FORMATS, evidenceBundle, MANIFEST, PUBLIC_KEY, SIGNATURE, verifyEvidenceBundle, writeEvidenceBundle, type BundleManifest } from './bundle.js';
import { tarGz, untarGz } from './tar.js';

const tmp = mkdtempSync(join(tmpdir(), 'palisade-bundle-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (suffix = '') => join(tmp, `b${n++}${suffix}`);

const keys = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { priv: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, pub: publicKey.export({ type: 'spki', format: 'pem' }) as string };
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const reasons = (v: ReturnType<typeof verifyEvidenceBundle>) => v.problems.map((p) => `${p.file}: ${p.reason}`);

describe('evidence bundle (directory)', () => {
  it('holds every report and a manifest with each file’s SHA-256 and size', async () => {
    const result = await examplesScan();
    const dir = fresh();
    const manifest = await writeEvidenceBundle(result, { dir, scanId: 7, cluster: 'prod' });
    const names = readdirSync(dir).sort();
    assert.deepEqual(names, ['findings.csv', 'junit.xml', MANIFEST, 'oscal-assessment-results.json', 'policyreport.yaml', 'report.html', 'results.sarif', 'scan.json']);
    assert.equal(manifest.files.length, DEFAULT_BUNDLE_FORMATS.length);
    for (const f of manifest.files) {
      const data = readFileSync(join(dir, f.path));
      assert.equal(f.size, data.length);
      assert.equal(f.sha256, sha(data));
    }
    const onDisk = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as BundleManifest;
    assert.deepEqual(onDisk, manifest);
    assert.deepEqual(onDisk.scan, { startedAt: result.startedAt, finishedAt: '2026-11-25T09:00:01.234Z', inputs: result.inputs, id: 7, cluster: 'prod' });
    const v = verifyEvidenceBundle(dir);
    assert.deepEqual(reasons(v), []);
    assert.equal(v.ok, true);
    assert.equal(v.signed, false);
  });

  it('names every changed, missing and unlisted file', async () => {
    const dir = fresh();
    await writeEvidenceBundle(scanSources([DEPLOYMENT_YAML]), { dir });
    appendFileSync(join(dir, 'findings.csv'), 'x,y\r\n');
    unlinkSync(join(dir, 'junit.xml'));
    writeFileSync(join(dir, 'extra.txt'), 'planted');
    const v = verifyEvidenceBundle(dir);
    assert.equal(v.ok, false);
    assert.deepEqual(
      v.problems.map((p) => [p.file, p.reason.split(':')[0]]),
      [
        ['findings.csv', 'modified'],
        ['junit.xml', 'missing'],
        ['extra.txt', 'not listed in the manifest'],
      ],
    );
  });

  it('refuses a directory that is not empty', async () => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(join(dir, 'old'), '');
    await assert.rejects(writeEvidenceBundle(scanSources([DEPLOYMENT_YAML]), { dir }), (e: unknown) => e instanceof PalisadeError && e.diagnostic.code === 'PALISADE_OUTPUT_WRITE');
  });
});

describe('evidence bundle (tar.gz)', () => {
  it('is a ustar archive that GNU tar lists and extracts byte for byte, and the same scan gives the same bytes', async () => {
    const result = scanSources([DEPLOYMENT_YAML]);
    const file = fresh('.tar.gz');
    await writeEvidenceBundle(result, { tarball: file });
    const bytes = readFileSync(file);
    assert.deepEqual(await evidenceBundle(result), bytes, 'deterministic');
    const listed = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n').sort();
    assert.deepEqual(listed, ['findings.csv', 'junit.xml', MANIFEST, 'oscal-assessment-results.json', 'policyreport.yaml', 'report.html', 'results.sarif', 'scan.json']);
    const out = fresh();
    mkdirSync(out);
    execFileSync('tar', ['-xzf', file, '-C', out]);
    for (const f of untarGz(bytes)) assert.deepEqual(readFileSync(join(out, f.name)), f.data, f.name);
    assert.equal(verifyEvidenceBundle(file).ok, true);
    assert.equal(verifyEvidenceBundle(out).ok, true, 'the extracted directory verifies too');
    const verbose = execFileSync('tar', ['-tvzf', file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    assert.match(verbose, /-rw-r--r-- root\/root .* 2024-05-01 10:00 manifest\.json/);
  });

  it('detects a file changed inside the archive and a corrupt archive', async () => {
    const file = fresh('.tar.gz');
    await writeEvidenceBundle(scanSources([DEPLOYMENT_YAML]), { tarball: file });
    const entries = untarGz(readFileSync(file)).map((e) => (e.name === 'report.html' ? { ...e, data: Buffer.from(e.data.toString().replace('Findings', 'Findingz')) } : e));
    const tampered = fresh('.tar.gz');
    writeFileSync(tampered, tarGz(entries, 0));
    const v = verifyEvidenceBundle(tampered);
    assert.deepEqual(v.problems.map((p) => p.file), ['report.html']);

    const raw = execFileSync('gzip', ['-dc', file]);
    raw[10] ^= 0xff; // inside the first header's name: the checksum no longer matches
    const corrupt = fresh('.tar');
    writeFileSync(corrupt, raw);
    assert.throws(() => verifyEvidenceBundle(corrupt), (e: unknown) => e instanceof PalisadeError && e.diagnostic.code === 'PALISADE_REPORT_BUNDLE_INVALID' && /checksum/.test(e.message));
  });

  it('keeps long names in the ustar prefix field, as GNU tar reads them', () => {
    const name = `${'evidence-directory/'.repeat(6)}a-rather-long-report-file-name-for-the-archive.json`;
    assert.ok(name.length > 100);
    const file = fresh('.tar.gz');
    writeFileSync(file, tarGz([{ name, data: Buffer.from('{}\n') }], 1_700_000_000));
    assert.equal(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim(), name);
    assert.deepEqual(untarGz(readFileSync(file)), [{ name, data: Buffer.from('{}\n') }]);
  });

  it('refuses archives with unsafe names or links', () => {
    assert.throws(() => tarGz([{ name: '../escape', data: Buffer.alloc(1) }], 0), /unsafe file name/);
    const dir = fresh();
    mkdirSync(dir);
    const link = execFileSync('sh', ['-c', 'ln -s /etc/passwd l && tar -cf - l'], { cwd: dir });
    assert.throws(() => untarGz(link), /only regular files/);
  });
});

describe('evidence bundle signatures (Ed25519)', () => {
  it('signs the manifest bytes; verifies with the bundled key and with a pinned one', async () => {
    const k = keys();
    const file = fresh('.tar.gz');
    const manifest = await writeEvidenceBundle(scanSources([DEPLOYMENT_YAML]), { tarball: file, signingKey: k.priv });
    assert.equal(manifest.signature?.algorithm, 'ed25519');
    const names = untarGz(readFileSync(file)).map((e) => e.name);
    assert.ok(names.includes(SIGNATURE) && names.includes(PUBLIC_KEY));
    const self = verifyEvidenceBundle(file);
    assert.deepEqual(reasons(self), []);
    assert.equal(self.signed, true);
    assert.equal(self.keyPinned, false);
    const pinned = verifyEvidenceBundle(file, { publicKey: k.pub });
    assert.deepEqual(reasons(pinned), []);
    assert.equal(pinned.keyPinned, true);
    assert.equal(pinned.keySha256, manifest.signature!.publicKeySha256);
    // Ed25519 signatures are deterministic: the same scan and key give the same archive.
    assert.deepEqual(await evidenceBundle(scanSources([DEPLOYMENT_YAML]), { signingKey: k.priv }), readFileSync(file));
  });

  it('fails with another key, a changed manifest, or a removed signature', async () => {
    const k = keys();
    const dir = fresh();
    await writeEvidenceBundle(scanSources([DEPLOYMENT_YAML]), { dir, signingKey: k.priv });
    assert.deepEqual(verifyEvidenceBundle(dir, { publicKey: keys().pub }).problems.map((p) => p.file), [MANIFEST]);

    // Re-hash a tampered file into the manifest: hashes agree again, the signature does not.
    appendFileSync(join(dir, 'scan.json'), ' ');
    const m = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as BundleManifest;
    const entry = m.files.find((f) => f.path === 'scan.json')!;
    const data = readFileSync(join(dir, 'scan.json'));
    entry.sha256 = sha(data);
    entry.size = data.length;
    writeFileSync(join(dir, MANIFEST), JSON.stringify(m, null, 2) + '\n');
    const v = verifyEvidenceBundle(dir, { publicKey: k.pub });
    assert.deepEqual(v.problems.map((p) => p.file), [MANIFEST]);
    assert.match(v.problems[0]!.reason, /signature does not verify/);

    const unsigned = fresh();
    await writeEvidenceBundle(scanSources([DEPLOYMENT_YAML]), { dir: unsigned });
    assert.deepEqual(verifyEvidenceBundle(unsigned, { publicKey: k.pub }).problems.map((p) => p.file), [SIGNATURE], 'an unsigned bundle fails when a key is pinned');
    const stripped = fresh();
    await writeEvidenceBundle(scanSources([DEPLOYMENT_YAML]), { dir: stripped, signingKey: k.priv });
    unlinkSync(join(stripped, SIGNATURE));
    assert.deepEqual(verifyEvidenceBundle(stripped).problems.map((p) => p.file), [SIGNATURE], 'the manifest says it is signed');
  });

  it('accepts only Ed25519 private keys, and says which file is wrong without showing it', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await assert.rejects(writeEvidenceBundle(scanSources([DEPLOYMENT_YAML]), { dir: fresh(), signingKey: rsa, signingKeyFile: 'rsa.pem' }), (e: unknown) => {
      assert.ok(e instanceof PalisadeError && e.diagnostic.code === 'PALISADE_REPORT_SIGN_KEY');
      assert.match(e.message, /rsa\.pem: expected an Ed25519 private key/);
      assert.ok(!e.message.includes('PRIVATE KEY'));
      return true;
    });
    await assert.rejects(writeEvidenceBundle(scanSources([DEPLOYMENT_YAML]), { dir: fresh(), signingKey: 'not a key', signingKeyFile: 'k.pem' }), /k\.pem: not a PEM private key/);
  });
});
