import { gunzipSync, gzipSync } from 'node:zlib';

/*
 * The small part of POSIX ustar (IEEE 1003.1-1988) an evidence bundle needs: regular files
 * with short relative names, written deterministically (owner 0, mode 0644, one mtime) and
 * gzip-compressed; read back with checksums verified and everything bounded. Anything else
 * in an archive (links, devices, absolute or ".." names) is refused: a bundle holds files only.
 */

export interface TarFile {
  /** Relative path with forward slashes. */
  name: string;
  data: Buffer;
}

const BLOCK = 512;

export interface TarLimits {
  /** Largest decompressed archive. */
  maxBytes: number;
  maxEntries: number;
}
export const DEFAULT_TAR_LIMITS: TarLimits = { maxBytes: 512 * 1024 * 1024, maxEntries: 10_000 };

export class TarError extends Error {}

function octal(n: number, width: number): string {
  // width - 1 digits then NUL, as ustar writers do.
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function splitName(name: string): { name: string; prefix: string } {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { name: rest, prefix };
  }
  throw new TarError(`file name too long for ustar: ${name}`);
}

export function checkEntryName(name: string): void {
  if (!name || name.startsWith('/') || name.includes('\\') || name.split('/').some((p) => p === '..' || p === '' || p === '.') || /[\u0000-\u001f]/.test(name)) {
    throw new TarError(`unsafe file name in archive: ${JSON.stringify(name)}`);
  }
}

function header(file: TarFile, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { name, prefix } = splitName(file.name);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  h.write(octal(file.data.length, 12), 124, 'latin1');
  h.write(octal(mtime, 12), 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.write('root', 265, 'latin1');
  h.write('root', 297, 'latin1');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

/** A gzip-compressed ustar archive of the files, in the order given. */
export function tarGz(files: readonly TarFile[], mtimeSeconds: number): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    checkEntryName(f.name);
    parts.push(header(f, Math.max(0, Math.floor(mtimeSeconds))), f.data);
    const pad = (BLOCK - (f.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(parts));
}

function field(h: Buffer, start: number, len: number): string {
  const raw = h.subarray(start, start + len);
  const nul = raw.indexOf(0);
  return (nul >= 0 ? raw.subarray(0, nul) : raw).toString('utf8');
}

function parseOctal(h: Buffer, start: number, len: number, what: string): number {
  const s = field(h, start, len).trim();
  if (!/^[0-7]+$/.test(s)) throw new TarError(`bad ${what} field in tar header`);
  return parseInt(s, 8);
}

/** Reads a gzip-compressed (or plain) ustar archive made of regular files. */
export function untarGz(archive: Buffer, limits: TarLimits = DEFAULT_TAR_LIMITS): TarFile[] {
  let tar: Buffer;
  if (archive[0] === 0x1f && archive[1] === 0x8b) {
    try {
      tar = gunzipSync(archive, { maxOutputLength: limits.maxBytes });
    } catch (e) {
      throw new TarError(`not a readable gzip stream (${(e as Error).message})`);
    }
  } else tar = archive;
  const files: TarFile[] = [];
  let off = 0;
  while (off + BLOCK <= tar.length) {
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) return files;
    const stored = parseOctal(h, 148, 8, 'checksum');
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== stored) throw new TarError(`tar header checksum mismatch at offset ${off}`);
    const prefix = field(h, 345, 155);
    const name = prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100);
    const size = parseOctal(h, 124, 12, 'size');
    const type = String.fromCharCode(h[156]!);
    off += BLOCK;
    if (off + size > tar.length) throw new TarError(`truncated archive: ${name}`);
    if (type === '5') {
      off += Math.ceil(size / BLOCK) * BLOCK;
      continue;
    }
    if (type !== '0' && type !== '\0') throw new TarError(`${name}: only regular files are allowed in a bundle (type ${JSON.stringify(type)})`);
    checkEntryName(name);
    if (files.length >= limits.maxEntries) throw new TarError(`more than ${limits.maxEntries} files in the archive`);
    files.push({ name, data: Buffer.from(tar.subarray(off, off + size)) });
    off += Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new TarError('archive ends without the two zero blocks');
}
