import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { diagnostic, PalisadeError } from '../core/errors.js';
import type { ScanResult } from '../engine/scan-result.js';
import { FORMATTERS } from './registry.js';
import { checkEntryName, TarError, tarGz, untarGz } from './tar.js';

/*
 * An evidence bundle: the reports of one scan, a manifest.json listing every file with its
 * SHA-256 and size, and, when a key is given, manifest.sig (an Ed25519 signature over the
 * exact bytes of manifest.json, base64) with the public key (manifest.pub.pem, SPKI).
 * Verification recomputes every hash, rejects missing, changed and unlisted files, and
 * checks the signature, with a pinned public key when the auditor has one.
 * Written as a directory or as a deterministic .tar.gz (same scan, same key → same bytes).
 */

export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.sig';
export const PUBLIC_KEY = 'manifest.pub.pem';
export const BUNDLE_SCHEMA = 'palisade.bundle/v1';

/** Reports in a bundle by default; pdf (needs Chromium) and openreports on request. */
export const DEFAULT_BUNDLE_FORMATS = ['html', 'oscal', 'sarif', 'junit', 'csv', 'policyreport', 'json'] as const;

const FILE_NAMES: Record<string, string> = {
  html: 'report.html',
  pdf: 'report.pdf',
  oscal: 'oscal-assessment-results.json',
  sarif: 'results.sarif',
  junit: 'junit.xml',
  csv: 'findings.csv',
  policyreport: 'policyreport.yaml',
  openreports: 'openreports.yaml',
  json: 'scan.json',
  table: 'summary.txt',
};
const MEDIA_TYPES: Record<string, string> = {
  html: 'text/html',
  pdf: 'application/pdf',
  oscal: 'application/json',
  sarif: 'application/sarif+json',
  junit: 'application/xml',
  csv: 'text/csv',
  policyreport: 'application/yaml',
  openreports: 'application/yaml',
  json: 'application/json',
  table: 'text/plain',
};

export interface BundleFileEntry {
  path: string;
  format?: string;
  mediaType: string;
  size: number;
  sha256: string;
}

export interface BundleManifest {
  schemaVersion: typeof BUNDLE_SCHEMA;
  tool: ScanResult['tool'];
  scan: { startedAt: string; finishedAt: string; inputs: string[]; id?: number; cluster?: string };
  files: BundleFileEntry[];
  signature?: { algorithm: 'ed25519'; file: typeof SIGNATURE; publicKey: typeof PUBLIC_KEY; publicKeySha256: string };
}

export interface BundleOptions {
  formats?: readonly string[];
  /** Ed25519 private key (PEM, PKCS#8) or a KeyObject; signs manifest.json. */
  signingKey?: string | KeyObject;
  /** Shown as where the key came from in errors. */
  signingKeyFile?: string;
  scanId?: number;
  cluster?: string;
  /** The exception audit trail, written as exception-events.json when given. */
  exceptionEvents?: readonly unknown[];
}

interface BuiltBundle {
  files: { name: string; data: Buffer }[];
  manifest: BundleManifest;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export function loadSigningKey(pem: string | KeyObject, file = 'key'): KeyObject {
  let key: KeyObject;
  try {
    key = typeof pem === 'string' ? createPrivateKey(pem) : pem;
  } catch (e) {
    throw new PalisadeError(diagnostic('PALISADE_REPORT_SIGN_KEY', { file, detail: `not a PEM private key (${(e as Error).message.split('\n')[0]})` }));
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
    throw new PalisadeError(diagnostic('PALISADE_REPORT_SIGN_KEY', { file, detail: `expected an Ed25519 private key (PKCS#8 PEM), got ${key.type} ${key.asymmetricKeyType ?? ''}`.trim() }));
  }
  return key;
}

function keyFingerprint(pub: KeyObject): string {
  return sha256(pub.export({ type: 'spki', format: 'der' }));
}

/** Renders the reports and the manifest (and signature) in memory. */
export async function buildEvidenceBundle(result: ScanResult, opts: BundleOptions = {}): Promise<BuiltBundle> {
  const formats = [...new Set(opts.formats?.length ? opts.formats : DEFAULT_BUNDLE_FORMATS)];
  const files: { name: string; data: Buffer; format?: string; mediaType: string }[] = [];
  for (const format of formats) {
    const f = FORMATTERS[format];
    if (!f || !FILE_NAMES[format]) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--format: "${format}" cannot go into a bundle; expected some of ${Object.keys(FILE_NAMES).filter((n) => FORMATTERS[n]).join(', ')}` }, { field: '--format' }));
    const data = f.renderBinary ? await f.renderBinary(result) : Buffer.from(f.chunks ? [...f.chunks(result, { color: false })].join('') : f.render(result, { color: false }), 'utf8');
    files.push({ name: FILE_NAMES[format]!, data, format, mediaType: MEDIA_TYPES[format]! });
  }
  if (opts.exceptionEvents) files.push({ name: 'exception-events.json', data: Buffer.from(JSON.stringify(opts.exceptionEvents, null, 2) + '\n'), mediaType: 'application/json' });
  files.sort((a, b) => (a.name < b.name ? -1 : 1));

  const key = opts.signingKey === undefined ? undefined : loadSigningKey(opts.signingKey, opts.signingKeyFile);
  const pub = key ? createPublicKey(key) : undefined;
  const manifest: BundleManifest = {
    schemaVersion: BUNDLE_SCHEMA,
    tool: result.tool,
    scan: {
      startedAt: result.startedAt,
      finishedAt: new Date(Date.parse(result.startedAt) + result.durationMs).toISOString(),
      inputs: result.inputs,
      ...(opts.scanId !== undefined ? { id: opts.scanId } : {}),
      ...(opts.cluster ? { cluster: opts.cluster } : {}),
    },
    files: files.map((f) => ({ path: f.name, ...(f.format ? { format: f.format } : {}), mediaType: f.mediaType, size: f.data.length, sha256: sha256(f.data) })),
    ...(pub ? { signature: { algorithm: 'ed25519' as const, file: SIGNATURE, publicKey: PUBLIC_KEY, publicKeySha256: keyFingerprint(pub) } } : {}),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  const out = [...files.map((f) => ({ name: f.name, data: f.data })), { name: MANIFEST, data: manifestBytes }];
  if (key && pub) {
    out.push({ name: SIGNATURE, data: Buffer.from(sign(null, manifestBytes, key).toString('base64') + '\n') });
    out.push({ name: PUBLIC_KEY, data: Buffer.from(pub.export({ type: 'spki', format: 'pem' }) as string) });
  }
  return { files: out, manifest };
}

/** The bundle as .tar.gz bytes (for the API and for --output FILE.tar.gz). */
export async function evidenceBundle(result: ScanResult, opts: BundleOptions = {}): Promise<Buffer> {
  const built = await buildEvidenceBundle(result, opts);
  return tarGz(built.files, Math.floor(Date.parse(built.manifest.scan.finishedAt) / 1000));
}

export function isTarballPath(p: string): boolean {
  return /\.(tar\.gz|tgz)$/i.test(p);
}

/** Writes the bundle to a new (or empty) directory, or to a .tar.gz file. */
export async function writeEvidenceBundle(result: ScanResult, target: { dir?: string; tarball?: string } & BundleOptions): Promise<BundleManifest> {
  const built = await buildEvidenceBundle(result, target);
  const fail = (file: string, reason: string) => new PalisadeError(diagnostic('PALISADE_OUTPUT_WRITE', { file, reason }, { file }));
  if (target.tarball) {
    try {
      writeFileSync(target.tarball, tarGz(built.files, Math.floor(Date.parse(built.manifest.scan.finishedAt) / 1000)));
    } catch (e) {
      throw fail(target.tarball, (e as NodeJS.ErrnoException).code ?? String(e));
    }
  } else if (target.dir) {
    if (existsSync(target.dir) && (!statSync(target.dir).isDirectory() || readdirSync(target.dir).length > 0)) throw fail(target.dir, 'not an empty directory; a bundle goes into a new or empty one');
    try {
      mkdirSync(target.dir, { recursive: true });
      for (const f of built.files) writeFileSync(join(target.dir, f.name), f.data);
    } catch (e) {
      throw fail(target.dir, (e as NodeJS.ErrnoException).code ?? String(e));
    }
  } else throw new Error('writeEvidenceBundle needs dir or tarball');
  return built.manifest;
}

// ---- verification ----

export interface BundleProblem {
  file: string;
  reason: string;
}

export interface BundleVerification {
  ok: boolean;
  files: number;
  signed: boolean;
  /** The signature was checked against a key the caller supplied (not only the one in the bundle). */
  keyPinned: boolean;
  keySha256?: string;
  manifest?: BundleManifest;
  problems: BundleProblem[];
}

const MAX_DIR_FILES = 10_000;

function readBundle(path: string): Map<string, Buffer> {
  const invalid = (detail: string) => new PalisadeError(diagnostic('PALISADE_REPORT_BUNDLE_INVALID', { bundle: path, detail }, { file: path }));
  if (!existsSync(path)) throw invalid('does not exist');
  const files = new Map<string, Buffer>();
  if (statSync(path).isDirectory()) {
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else {
          if (files.size >= MAX_DIR_FILES) throw invalid(`more than ${MAX_DIR_FILES} files`);
          files.set(relative(path, p).split(sep).join('/'), e.isFile() ? readFileSync(p) : Buffer.alloc(0));
        }
      }
    };
    walk(path);
    return files;
  }
  try {
    for (const f of untarGz(readFileSync(path))) {
      if (files.has(f.name)) throw invalid(`${f.name} appears twice in the archive`);
      files.set(f.name, f.data);
    }
  } catch (e) {
    if (e instanceof TarError) throw invalid(e.message);
    throw e;
  }
  return files;
}

/** Recomputes every hash and checks the signature of a bundle (directory or .tar.gz). */
export function verifyEvidenceBundle(path: string, opts: { publicKey?: string | KeyObject; publicKeyFile?: string } = {}): BundleVerification {
  const files = readBundle(path);
  const problems: BundleProblem[] = [];
  const manifestBytes = files.get(MANIFEST);
  if (!manifestBytes) throw new PalisadeError(diagnostic('PALISADE_REPORT_BUNDLE_INVALID', { bundle: path, detail: `no ${MANIFEST}; not a Palisade evidence bundle` }, { file: path }));
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as BundleManifest;
    if (manifest.schemaVersion !== BUNDLE_SCHEMA || !Array.isArray(manifest.files)) throw new Error(`schemaVersion is not ${BUNDLE_SCHEMA}`);
  } catch (e) {
    throw new PalisadeError(diagnostic('PALISADE_REPORT_BUNDLE_INVALID', { bundle: path, detail: `${MANIFEST}: ${(e as Error).message}` }, { file: path }));
  }

  const listed = new Set<string>();
  for (const entry of manifest.files) {
    const name = String(entry?.path);
    try {
      checkEntryName(name);
    } catch {
      problems.push({ file: name, reason: 'unsafe path in the manifest' });
      continue;
    }
    listed.add(name);
    const data = files.get(name);
    if (!data) problems.push({ file: name, reason: 'missing' });
    else if (data.length !== entry.size || sha256(data) !== entry.sha256) problems.push({ file: name, reason: `modified: sha256 ${sha256(data)} (${data.length} bytes), manifest says ${entry.sha256} (${entry.size} bytes)` });
  }
  for (const name of [...files.keys()].sort()) {
    if (!listed.has(name) && name !== MANIFEST && name !== SIGNATURE && name !== PUBLIC_KEY) problems.push({ file: name, reason: 'not listed in the manifest' });
  }

  const sig = files.get(SIGNATURE);
  const signed = !!sig || !!manifest.signature;
  let keyPinned = false;
  let keySha256: string | undefined;
  if (signed) {
    let pub: KeyObject | undefined;
    try {
      if (opts.publicKey !== undefined) {
        pub = typeof opts.publicKey === 'string' ? createPublicKey(opts.publicKey) : opts.publicKey;
        keyPinned = true;
      } else if (files.get(PUBLIC_KEY)) pub = createPublicKey(files.get(PUBLIC_KEY)!.toString('utf8'));
    } catch (e) {
      problems.push({ file: opts.publicKey !== undefined ? (opts.publicKeyFile ?? 'public key') : PUBLIC_KEY, reason: `not a public key (${(e as Error).message.split('\n')[0]})` });
    }
    if (pub && pub.asymmetricKeyType !== 'ed25519') {
      problems.push({ file: opts.publicKeyFile ?? PUBLIC_KEY, reason: `expected an Ed25519 public key, got ${pub.asymmetricKeyType}` });
      pub = undefined;
    }
    if (!sig) problems.push({ file: SIGNATURE, reason: 'missing, but the manifest says the bundle is signed' });
    else if (!pub) {
      if (!problems.some((p) => p.file === PUBLIC_KEY || p.file === opts.publicKeyFile)) problems.push({ file: PUBLIC_KEY, reason: 'missing: give --public-key to check the signature' });
    } else {
      keySha256 = keyFingerprint(pub);
      const raw = Buffer.from(sig.toString('utf8').trim(), 'base64');
      let good = false;
      try {
        good = raw.length === 64 && verify(null, manifestBytes, pub, raw);
      } catch {
        good = false;
      }
      if (!good) problems.push({ file: MANIFEST, reason: keyPinned ? 'the signature does not verify with the given public key: the manifest was changed or signed by another key' : 'the signature does not verify: the manifest or its signature was changed' });
      else if (manifest.signature?.publicKeySha256 && manifest.signature.publicKeySha256 !== keySha256) problems.push({ file: MANIFEST, reason: 'signed, but the manifest names another key' });
    }
  } else if (opts.publicKey !== undefined) {
    problems.push({ file: SIGNATURE, reason: 'missing: the bundle is not signed, but a public key was given' });
  }

  return { ok: problems.length === 0, files: manifest.files.length, signed, keyPinned, keySha256, manifest, problems };
}
