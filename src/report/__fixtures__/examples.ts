/*
 * A full scan of the repository's examples/ (every built-in control, every built-in
 * framework, examples/exceptions.yaml) for the auditor-facing report tests: real
 * findings, exceptions, framework status and locations, as a user gets them.
 */
import { join } from 'node:path';
import { allControls } from '../../controls/registry.js';
import { PACKAGE_ROOT } from '../../core/version.js';
import { ExceptionSet } from '../../engine/exceptions.js';
import type { ScanResult } from '../../engine/scan-result.js';
import { scanManifests } from '../../engine/scan.js';
import { builtinFrameworks } from '../../frameworks/loader.js';
import { loadExceptions } from '../../sources/exceptions-file.js';

export const EXAMPLES_DIR = join(PACKAGE_ROOT, 'examples');

let cached: Promise<ScanResult> | undefined;

/** The scan of examples/ with a pinned start time, so documents are comparable. Shared and read-only. */
export function examplesScan(): Promise<ScanResult> {
  cached ??= (async () => {
    const controls = allControls();
    const loaded = loadExceptions(join(EXAMPLES_DIR, 'exceptions.yaml'), 'exceptions.yaml', new Set(controls.map((c) => c.meta.id)));
    const result = await scanManifests({
      inputs: ['storefront', 'legacy'],
      root: EXAMPLES_DIR,
      controls,
      settings: { allowedRegistries: [], pssVersion: 'latest' },
      frameworks: [...builtinFrameworks().values()],
      exceptions: new ExceptionSet(loaded.exceptions, new Date('2026-11-01T00:00:00Z')),
      render: false,
    });
    result.startedAt = '2026-11-25T09:00:00.000Z';
    result.durationMs = 1234;
    return result;
  })();
  return cached;
}
