import type { ScanResult } from '../engine/scan-result.js';

export interface FormatOptions {
  /** Colour for terminals. */
  color: boolean;
}

/** A report format: one file under src/report/ and one line in the registry below. */
export interface Formatter {
  name: string;
  description: string;
  /** Typical file extension, for docs. */
  extension: string;
  render(result: ScanResult, opts: FormatOptions): string;
  /**
   * The same text in pieces, for formats whose output grows with the number of findings:
   * written piece by piece, a large report never has to exist as one string.
   */
  chunks?(result: ScanResult, opts: FormatOptions): Iterable<string>;
  /**
   * Binary formats (PDF) render bytes, asynchronously; `render` then throws. Callers write
   * these to a file or an HTTP body, never to a terminal.
   */
  renderBinary?(result: ScanResult): Promise<Buffer>;
}

/** Writes a report to a file descriptor or a stream-like sink, in pieces when the format can. */
export function writeReport(f: Formatter, result: ScanResult, opts: FormatOptions, write: (s: string) => void): void {
  if (!f.chunks) return write(f.render(result, opts));
  for (const piece of f.chunks(result, opts)) write(piece);
}
