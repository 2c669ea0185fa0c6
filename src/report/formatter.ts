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
}
