import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIO, Command, CommandSpec, ParsedArgs } from '../command.js';
import { diagnostic, EXIT, PalisadeError } from '../../core/errors.js';
import type { ScanResult } from '../../engine/scan-result.js';
import { isTarballPath, verifyEvidenceBundle, writeEvidenceBundle } from '../../report/bundle.js';
import { FORMATTERS } from '../../report/registry.js';
import { openStore, parseStoreUrl } from '../../store/index.js';
import type { Store } from '../../store/types.js';
import { list, str } from '../judging-options.js';

export const DEFAULT_DB = 'sqlite:palisade.db';

export const spec: CommandSpec = {
  name: 'report',
  summary: 'Render a stored scan in any report format (report), write a signed evidence bundle of it (report bundle), or check a bundle (report verify).',
  usage: [
    'palisade report --db URL --scan ID|latest [--cluster NAME] --format FORMAT [--output FILE]',
    '       palisade report bundle --db URL --scan ID|latest [--cluster NAME] --output DIR|FILE.tar.gz [--sign-key FILE] [--format FORMAT]...',
    '       palisade report verify BUNDLE [--public-key FILE]',
  ].join('\n'),
  description: [
    'The scan comes from the evidence store that `palisade serve` (or a CI ingestion) filled: its findings as they were at that scan, its control runs and its framework status.',
    'bundle: the html, oscal, sarif, junit, csv, policyreport and json reports (or the --format ones), manifest.json with the SHA-256 and size of each file and, with --sign-key (Ed25519, PKCS#8 PEM), manifest.sig and manifest.pub.pem. Written to a new or empty directory, or to FILE.tar.gz.',
    'verify: recomputes every hash and checks the signature (with --public-key when you have the signer\'s key; otherwise with the key in the bundle, which proves integrity but not who signed). Exit 0 when the bundle is intact, 1 naming every changed, missing or unlisted file or a bad signature, 2 when it is not a bundle.',
    'See docs/reports.md.',
  ].join('\n'),
  options: [
    { name: 'db', type: 'string', valueName: 'URL', description: `Evidence store: sqlite:PATH (or a file path) or postgres://user@host/db. Default: PALISADE_DB, then ${DEFAULT_DB}.` },
    { name: 'scan', type: 'string', valueName: 'ID|latest', description: 'The stored scan: its id, or latest (of --cluster, or of any cluster). Default: latest.' },
    { name: 'cluster', type: 'string', valueName: 'NAME', description: 'With --scan latest: the latest scan of this cluster.' },
    { name: 'format', short: 'f', type: 'string', multiple: true, valueName: 'FORMAT', description: `Report format (${Object.keys(FORMATTERS).join(', ')}). For bundle: the reports to include instead of the default set.` },
    { name: 'output', short: 'o', type: 'string', valueName: 'FILE|DIR', description: 'Write the report to FILE (required for pdf); for bundle: a directory, or FILE.tar.gz.' },
    { name: 'sign-key', type: 'string', valueName: 'FILE', description: 'bundle: Ed25519 private key (PKCS#8 PEM) that signs manifest.json.' },
    { name: 'public-key', type: 'string', valueName: 'FILE', description: 'verify: the signer\'s Ed25519 public key (PEM) to check the signature against.' },
  ],
  examples: [
    'palisade report --db sqlite:palisade.db --scan latest --cluster prod -f html -o prod.html',
    'palisade report --db postgres://palisade@db/palisade --scan 42 -f pdf -o scan-42.pdf',
    'palisade report bundle --db sqlite:palisade.db --scan latest --output evidence-2026-q4.tar.gz --sign-key signing.pem',
    'palisade report verify evidence-2026-q4.tar.gz --public-key signing.pub.pem',
  ],
};

function usage(detail: string, field?: string): PalisadeError {
  return new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail }, field ? { field } : {}));
}

async function withStore<T>(args: ParsedArgs, io: CliIO, fn: (store: Store) => Promise<T>): Promise<T> {
  const url = str(args.values.db) ?? io.env.PALISADE_DB ?? DEFAULT_DB;
  // Reading a report must not create an empty SQLite database by mistake.
  const where = parseStoreUrl(url);
  if (where.dialect === 'sqlite' && where.file !== ':memory:' && !existsSync(resolve(io.cwd, where.file))) {
    throw new PalisadeError(diagnostic('PALISADE_STORE_OPEN', { url, reason: 'the database file does not exist' }, { field: '--db' }));
  }
  const store = await openStore(where.dialect === 'sqlite' && where.file !== ':memory:' ? `sqlite:${resolve(io.cwd, where.file)}` : url);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function storedScan(store: Store, args: ParsedArgs): Promise<{ id: number; cluster: string; result: ScanResult }> {
  const want = str(args.values.scan) ?? 'latest';
  const cluster = str(args.values.cluster);
  let id: number;
  if (want === 'latest') {
    const [latest] = await store.listScans({ cluster, limit: 1 });
    if (!latest) throw new PalisadeError(diagnostic('PALISADE_STORE_NOT_FOUND', { what: 'scan', id: cluster ? `latest of cluster ${cluster}` : 'latest (the store has no scan)' }, { field: '--scan' }));
    id = latest.id;
  } else {
    if (!/^[1-9]\d{0,15}$/.test(want)) throw usage(`--scan: expected a scan id or latest, got "${want}"`, '--scan');
    id = Number(want);
  }
  const scan = await store.getScan(id);
  if (scan && cluster && scan.cluster !== cluster) throw usage(`--scan ${id} is a scan of cluster ${scan.cluster}, not ${cluster}`, '--cluster');
  const result = scan ? await store.scanResult(id) : undefined;
  if (!scan || !result) throw new PalisadeError(diagnostic('PALISADE_STORE_NOT_FOUND', { what: 'scan', id }, { field: '--scan' }));
  return { id, cluster: scan.cluster, result };
}

async function render(args: ParsedArgs, io: CliIO): Promise<number> {
  const formats = list(args.values.format);
  if (formats.length !== 1) throw usage('give one --format (html, pdf, oscal, sarif, junit, json, csv, policyreport, openreports, table)', '--format');
  const format = formats[0]!;
  const f = FORMATTERS[format];
  if (!f) throw usage(`--format: unknown format "${format}"; expected one of ${Object.keys(FORMATTERS).join(', ')}`, '--format');
  const output = str(args.values.output);
  if (f.renderBinary && !output) throw new PalisadeError(diagnostic('PALISADE_REPORT_BINARY_STDOUT', { format }, { field: '--output' }));
  const result = await withStore(args, io, async (store) => (await storedScan(store, args)).result);
  if (!output) {
    if (f.chunks) for (const piece of f.chunks(result, { color: false })) io.stdout.write(piece);
    else io.stdout.write(f.render(result, { color: false }));
    return EXIT.ok;
  }
  const file = resolve(io.cwd, output);
  const data = f.renderBinary ? await f.renderBinary(result) : f.chunks ? [...f.chunks(result, { color: false })].join('') : f.render(result, { color: false });
  try {
    writeFileSync(file, data);
  } catch (e) {
    throw new PalisadeError(diagnostic('PALISADE_OUTPUT_WRITE', { file: output, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: output }));
  }
  io.stderr.write(`palisade: wrote ${format} report to ${output}\n`);
  return EXIT.ok;
}

function readKeyFile(io: CliIO, file: string, option: string): string {
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    throw new PalisadeError(diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file, field: option }));
  }
}

async function bundle(args: ParsedArgs, io: CliIO, rest: string[]): Promise<number> {
  if (rest.length) throw usage(`unexpected argument "${rest[0]}"`, rest[0]);
  const output = str(args.values.output);
  if (!output) throw usage('bundle needs --output DIR or --output FILE.tar.gz', '--output');
  const keyFile = str(args.values['sign-key']);
  const signingKey = keyFile ? readKeyFile(io, keyFile, '--sign-key') : undefined;
  const target = resolve(io.cwd, output);
  const manifest = await withStore(args, io, async (store) => {
    const scan = await storedScan(store, args);
    const exceptionEvents = await store.exceptionEvents();
    return writeEvidenceBundle(scan.result, {
      ...(isTarballPath(output) ? { tarball: target } : { dir: target }),
      formats: list(args.values.format),
      signingKey,
      signingKeyFile: keyFile,
      scanId: scan.id,
      cluster: scan.cluster,
      exceptionEvents,
    });
  });
  io.stdout.write(`wrote evidence bundle ${output}: ${manifest.files.length} file(s)${manifest.signature ? `, signed (Ed25519 key sha256:${manifest.signature.publicKeySha256})` : ', unsigned'}\n`);
  return EXIT.ok;
}

function verifyCommand(args: ParsedArgs, io: CliIO, rest: string[]): number {
  if (rest.length !== 1) throw usage(rest.length ? `verify takes one BUNDLE, got ${rest.length}` : 'verify needs the BUNDLE (directory or .tar.gz)');
  const path = rest[0]!;
  const keyFile = str(args.values['public-key']);
  const publicKey = keyFile ? readKeyFile(io, keyFile, '--public-key') : undefined;
  const v = verifyEvidenceBundle(resolve(io.cwd, path), { publicKey, publicKeyFile: keyFile });
  for (const p of v.problems) io.stderr.write(`palisade: ${path}: ${p.file}: ${p.reason}\n`);
  if (!v.ok) {
    io.stdout.write(`FAILED: ${path}: ${v.problems.length} problem(s)\n`);
    return EXIT.findings;
  }
  const sig = !v.signed
    ? 'unsigned'
    : v.keyPinned
      ? `signature valid (Ed25519, key sha256:${v.keySha256}, the --public-key given)`
      : `signature valid with the key shipped in the bundle (sha256:${v.keySha256}); give --public-key to check who signed it`;
  io.stdout.write(`ok: ${path}: ${v.files} file(s) match the manifest; ${sig}\n`);
  return EXIT.ok;
}

export const command: Command = {
  spec,
  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    if (sub === 'bundle') return bundle(args, io, rest);
    if (sub === 'verify') return verifyCommand(args, io, rest);
    if (sub !== undefined) throw usage(`unknown subcommand "${sub}"; expected bundle or verify (or none, to render a report)`, sub);
    return render(args, io);
  },
};
