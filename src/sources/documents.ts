import { readFileSync, statSync } from 'node:fs';
import { diagnostic, type Diagnostic } from '../core/errors.js';
import { parseStream, type ParsedStream } from './yaml-document.js';
import { AliasLimitError, DepthLimitError, toValues, type LinePositions } from './yaml-values.js';

export interface LoadLimits {
  /** Bytes per file. */
  maxFileSize: number;
  /** YAML alias expansions per document. */
  maxAliases: number;
  /** Nesting depth of any document. */
  maxDepth: number;
  /** Documents per file. */
  maxDocuments: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  maxFileSize: 64 * 1024 * 1024,
  maxAliases: 100,
  maxDepth: 200,
  maxDocuments: 100_000,
};

/** One YAML document converted to plain values, with entry offsets recorded beside them. */
export interface ParsedDocument {
  docIndex: number;
  value: unknown;
  /** Offset of the document's root node. */
  rootOffset: number;
  /** Offsets of every entry, in the walk order of locateValue. */
  offsets: Int32Array;
}

/** A parsed file: its documents, its problems and how to turn offsets into lines. */
export interface ParsedFile {
  file: string;
  docs: ParsedDocument[];
  diagnostics: Diagnostic[];
  lines: LinePositions;
}

/** Line and column (1-based) of offsets, from the offsets where lines start. */
export class LineIndex implements LinePositions {
  constructor(readonly lineStarts: Int32Array) {}

  static fromText(text: string): LineIndex {
    const starts = [0];
    let i = -1;
    while ((i = text.indexOf('\n', i + 1)) !== -1) starts.push(i + 1);
    return new LineIndex(Int32Array.from(starts));
  }

  linePos(offset: number): { line: number; col: number } {
    const s = this.lineStarts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - s[lo]! + 1 };
  }
}

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return err.code ? `${err.code}` : String(err.message ?? err);
  }
}
export { errnoText };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Reads a manifest file within the limits: its text, or the reason it cannot be read. */
export function readManifestFile(abs: string, file: string, limits: LoadLimits): { text: string } | { diagnostic: Diagnostic } {
  let buf: Buffer;
  try {
    const st = statSync(abs);
    if (st.size > limits.maxFileSize) return { diagnostic: diagnostic('PALISADE_SOURCE_TOO_LARGE', { size: st.size, limit: limits.maxFileSize }, { file }) };
    buf = readFileSync(abs);
  } catch (e) {
    return { diagnostic: diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: errnoText(e) }, { file }) };
  }
  if (buf.subarray(0, 8192).includes(0)) return { diagnostic: diagnostic('PALISADE_SOURCE_BINARY', {}, { file }) };
  try {
    return { text: utf8.decode(buf) };
  } catch {
    return { diagnostic: diagnostic('PALISADE_SOURCE_ENCODING', {}, { file }) };
  }
}

/** Parses one YAML or JSON stream into documents of plain values; problems become diagnostics. */
export function parseDocuments(text: string, file: string, isJson: boolean, limits: LoadLimits): ParsedFile {
  const out: ParsedFile = { file, docs: [], diagnostics: [], lines: LineIndex.fromText(text) };
  let stream: ParsedStream;
  try {
    // YAML 1.1 is what kubectl reads (yes/no/on/off booleans, 0644 octal, merge keys).
    stream = parseStream(text, isJson ? '1.2' : '1.1', false);
  } catch (e) {
    if (e instanceof RangeError) {
      out.diagnostics.push(diagnostic('PALISADE_SOURCE_TOO_DEEP', { limit: limits.maxDepth }, { file }));
      return out;
    }
    throw e;
  }
  const { documents } = stream;
  if (documents.length > limits.maxDocuments) {
    out.diagnostics.push(diagnostic('PALISADE_SOURCE_TOO_MANY_DOCS', { limit: limits.maxDocuments }, { file }));
    return out;
  }
  const at = (offset: number) => {
    const { line, col } = out.lines.linePos(offset);
    return { line, column: col };
  };
  documents.forEach((doc, docIndex) => {
    if (doc.errors.length > 0) {
      // The first error is the useful one; later ones usually cascade from it.
      const err = doc.errors[0]!;
      const pos = at(err.pos[0]);
      const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more in this document)` : '';
      const detail = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') + more;
      if (err.code === 'DUPLICATE_KEY') {
        const rest = text.slice(err.pos[0], err.pos[0] + 200);
        const key = (/^("(?:[^"\\]|\\.)*"|'[^']*'|[^:\n]+)/.exec(rest)?.[1] ?? rest.split('\n')[0]!).trim().replace(/^["']|["']$/g, '');
        out.diagnostics.push(diagnostic('PALISADE_SOURCE_DUPLICATE_KEY', { key: JSON.stringify(key) }, { file, ...pos }));
      } else if (err.code === 'RESOURCE_EXHAUSTION') {
        out.diagnostics.push(diagnostic('PALISADE_SOURCE_TOO_DEEP', { limit: limits.maxDepth }, { file, ...pos }));
      } else {
        out.diagnostics.push(diagnostic(isJson ? 'PALISADE_SOURCE_JSON_SYNTAX' : 'PALISADE_SOURCE_YAML_SYNTAX', { detail }, { file, ...pos }));
      }
      return;
    }
    if (doc.contents === null) return; // empty document
    const rootOffset = doc.contents.range[0];
    let converted;
    try {
      converted = toValues(doc, limits);
    } catch (e) {
      const start = at(rootOffset);
      if (e instanceof DepthLimitError || e instanceof RangeError) out.diagnostics.push(diagnostic('PALISADE_SOURCE_TOO_DEEP', { limit: limits.maxDepth }, { file, ...start }));
      else if (e instanceof AliasLimitError) out.diagnostics.push(diagnostic('PALISADE_SOURCE_ALIAS_LIMIT', { limit: limits.maxAliases }, { file, ...start }));
      else throw e;
      return;
    }
    if (converted.value === null || converted.value === undefined) return;
    out.docs.push({ docIndex, value: converted.value, rootOffset, offsets: converted.offsets });
  });
  return out;
}

/** A parsed file in a form that crosses a worker boundary (structured clone + transfer). */
export interface TransferableFile {
  file: string;
  docs: ParsedDocument[];
  diagnostics: Diagnostic[];
  lineStarts: Int32Array;
}

export function toTransferable(p: ParsedFile): TransferableFile {
  return {
    file: p.file,
    docs: p.docs,
    diagnostics: p.diagnostics,
    lineStarts: (p.lines as LineIndex).lineStarts,
  };
}
