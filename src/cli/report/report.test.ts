import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import oscalSchema from '../../report/schemas/oscal-assessment-results-1.1.3.json' with { type: 'json' };
import { EXAMPLES_DIR, examplesScan } from '../../report/__fixtures__/examples.js';
import { MANIFEST } from '../../report/bundle.js';
import { openStore } from '../../store/index.js';
import { runCli } from '../testing.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-report-cli-'));
const db = `sqlite:${join(dir, 'evidence.db')}`;
let scanId = 0;
let fails = 0;
let reported = 0;

before(async () => {
  const store = await openStore(db);
  try {
    const result = await examplesScan();
    fails = result.findings.filter((f) => f.status === 'fail').length;
    reported = result.findings.filter((f) => f.status === 'fail' || f.status === 'excepted').length;
    scanId = (await store.recordScan('prod', 'ci', result)).scanId;
    await store.recordScan('staging', 'ci', { ...result, findings: [], startedAt: '2026-11-25T10:00:00.000Z' });
  } finally {
    await store.close();
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

const ajv = new Ajv({ strict: false, allErrors: true });
addFormatsModule.default(ajv);
const validateOscal = ajv.compile(oscalSchema);

const cli = (...argv: string[]) => runCli(['report', ...argv], { cwd: dir });

describe('palisade report (a stored scan)', () => {
  it('renders the stored scan of examples/ in every format', async () => {
    const checks: Record<string, (text: Buffer) => void> = {
      json: (b) => assert.equal((JSON.parse(b.toString()) as { summary: { findings: number } }).summary.findings, fails),
      oscal: (b) => assert.ok(validateOscal(JSON.parse(b.toString())), ajv.errorsText(validateOscal.errors)),
      sarif: (b) => assert.equal((JSON.parse(b.toString()) as { runs: { results: unknown[] }[] }).runs[0]!.results.length > 0, true),
      junit: (b) => assert.match(b.toString(), /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /),
      csv: (b) => assert.equal(b.toString().split('\r\n').length - 2, reported, 'a header, a row per failing or excepted finding, CRLF after each'),
      html: (b) => assert.match(b.toString(), /<title>Palisade compliance report: storefront, legacy<\/title>/),
      policyreport: (b) => assert.ok(parseAllDocuments(b.toString()).length >= 2),
      openreports: (b) => assert.match(b.toString(), /apiVersion: openreports\.io\/v1alpha1/),
      table: (b) => assert.match(b.toString(), /finding/),
    };
    for (const [format, check] of Object.entries(checks)) {
      const file = join(dir, `r.${format}`);
      const r = await cli('--db', db, '--scan', 'latest', '--cluster', 'prod', '-f', format, '-o', file);
      assert.equal(r.code, 0, `${format}: ${r.stderr}`);
      check(readFileSync(file));
    }
  });

  it('writes a PDF to --output (the small staging scan keeps Chromium quick)', async () => {
    const r = await cli('--db', db, '--scan', 'latest', '--cluster', 'staging', '-f', 'pdf', '-o', 'staging.pdf');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /wrote pdf report to staging\.pdf/);
    assert.equal(readFileSync(join(dir, 'staging.pdf')).subarray(0, 5).toString(), '%PDF-');
  });

  it('writes text formats to standard output and picks scans by id or latest', async () => {
    const byId = await cli('--db', db, '--scan', String(scanId), '-f', 'json');
    assert.equal(byId.code, 0, byId.stderr);
    assert.equal((JSON.parse(byId.stdout) as { summary: { findings: number } }).summary.findings, fails);
    const latest = await cli('--db', db, '-f', 'json');
    assert.equal((JSON.parse(latest.stdout) as { summary: { findings: number } }).summary.findings, 0, 'latest of any cluster is the staging scan');
  });

  it('refuses pdf on standard output, unknown scans and missing databases with coded errors', async () => {
    const pdf = await cli('--db', db, '-f', 'pdf');
    assert.equal(pdf.code, 2);
    assert.match(pdf.stderr, /PALISADE_REPORT_BINARY_STDOUT/);
    assert.equal(pdf.stdout, '');
    const missing = await cli('--db', db, '--scan', '999', '-f', 'json');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /scan 999 does not exist .*\[PALISADE_STORE_NOT_FOUND\]/);
    const wrongCluster = await cli('--db', db, '--scan', String(scanId), '--cluster', 'staging', '-f', 'json');
    assert.match(wrongCluster.stderr, /is a scan of cluster prod, not staging/);
    const nodb = await cli('--db', join(dir, 'nope.db'), '-f', 'json');
    assert.equal(nodb.code, 2);
    assert.match(nodb.stderr, /PALISADE_STORE_OPEN/);
    const bad = await cli('--db', db, '--scan', 'first', '-f', 'json');
    assert.match(bad.stderr, /--scan: expected a scan id or latest/);
  });
});

describe('palisade report bundle / verify', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyFile = join(dir, 'signing.pem');
  const pubFile = join(dir, 'signing.pub.pem');
  const otherPub = join(dir, 'other.pub.pem');
  before(() => {
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
    writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }) as string);
    writeFileSync(otherPub, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string);
  });

  it('writes a signed tar.gz that verifies with the signer’s key and fails with another', async () => {
    const r = await cli('bundle', '--db', db, '--scan', String(scanId), '--output', 'evidence.tar.gz', '--sign-key', 'signing.pem');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote evidence bundle evidence\.tar\.gz: 8 file\(s\), signed \(Ed25519 key sha256:[0-9a-f]{64}\)/);
    const ok = await cli('verify', 'evidence.tar.gz', '--public-key', 'signing.pub.pem');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^ok: evidence\.tar\.gz: 8 file\(s\) match the manifest; signature valid \(Ed25519, key sha256:[0-9a-f]{64}, the --public-key given\)/);
    const other = await cli('verify', 'evidence.tar.gz', '--public-key', 'other.pub.pem');
    assert.equal(other.code, 1);
    assert.match(other.stderr, /evidence\.tar\.gz: manifest\.json: the signature does not verify with the given public key/);
  });

  it('writes a directory with the exception audit trail; a changed file fails verification by name', async () => {
    const r = await cli('bundle', '--db', db, '--scan', 'latest', '--cluster', 'prod', '--output', 'evidence-dir', '-f', 'html', '-f', 'oscal');
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(readFileSync(join(dir, 'evidence-dir', MANIFEST), 'utf8')) as { files: { path: string }[]; scan: { id: number; cluster: string } };
    assert.deepEqual(manifest.files.map((f) => f.path), ['exception-events.json', 'oscal-assessment-results.json', 'report.html']);
    assert.deepEqual([manifest.scan.id, manifest.scan.cluster], [scanId, 'prod']);
    assert.match((await cli('verify', 'evidence-dir')).stdout, /^ok: evidence-dir: 3 file\(s\) match the manifest; unsigned/);
    appendFileSync(join(dir, 'evidence-dir', 'report.html'), '<!-- edited -->');
    const bad = await cli('verify', 'evidence-dir');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /evidence-dir: report\.html: modified: sha256/);
    assert.match(bad.stdout, /^FAILED: evidence-dir: 1 problem\(s\)/);
  });

  it('says when something is not a bundle', async () => {
    writeFileSync(join(dir, 'not-a-bundle.tar.gz'), 'hello');
    const r = await cli('verify', 'not-a-bundle.tar.gz');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /PALISADE_REPORT_BUNDLE_INVALID/);
    assert.match((await cli('bundle', '--db', db)).stderr, /bundle needs --output/);
  });
});

describe('palisade scan --format pdf', () => {
  it('writes the PDF to a file and refuses standard output', async () => {
    const out = join(dir, 'scan.pdf');
    const ok = await runCli(['scan', 'storefront/namespace.yaml', '-f', `pdf=${out}`, '--fail-on', 'none'], { cwd: EXAMPLES_DIR });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(readFileSync(out).subarray(0, 5).toString(), '%PDF-');
    const tty = await runCli(['scan', 'storefront', '-f', 'pdf'], { cwd: EXAMPLES_DIR, isTTY: true });
    assert.equal(tty.code, 2);
    assert.match(tty.stderr, /pdf is binary and is not written to a terminal; give --output FILE .*\[PALISADE_REPORT_BINARY_STDOUT\]/);
  });
});
