/** Reading and writing baseline files: JSON, written to a temporary file and renamed. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { diagnostic, type Diagnostic } from '../../core/errors.js';
import { Baseline } from './baseline.js';

/** Loads FILE into the baseline. Returns false (no diagnostic) when it does not exist. */
export function loadBaselineFile(baseline: Baseline, path: string, display = path): { loaded: boolean; diagnostic?: Diagnostic } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { loaded: false };
    return { loaded: false, diagnostic: diagnostic('PALISADE_DETECT_BASELINE_INVALID', { detail: `cannot read: ${err.code ?? err.message}` }, { file: display }) };
  }
  try {
    baseline.load(JSON.parse(text));
    return { loaded: true };
  } catch (e) {
    return { loaded: false, diagnostic: diagnostic('PALISADE_DETECT_BASELINE_INVALID', { detail: (e as Error).message }, { file: display }) };
  }
}

export function saveBaselineFile(baseline: Baseline, path: string, display = path): Diagnostic | undefined {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(baseline.toJSON()) + '\n');
    renameSync(tmp, path);
    return undefined;
  } catch (e) {
    return diagnostic('PALISADE_OUTPUT_WRITE', { file: display, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: display });
  }
}
