import { resolve } from 'node:path';
import type { Control, ControlSettings } from '../core/control.js';
import type { Diagnostic } from '../core/errors.js';
import { compareFindings } from '../core/finding.js';
import type { Severity } from '../core/severity.js';
import { VERSION } from '../core/version.js';
import { buildInventory } from '../inventory/inventory.js';
import { loadManifestsParallel, type LoadLimits } from '../sources/manifests.js';
import { runControls } from './engine.js';
import type { ExceptionSet } from './exceptions.js';
import type { Framework } from '../frameworks/loader.js';
import { frameworkStatus } from '../frameworks/scoring.js';
import type { ScanResult } from './scan-result.js';

export interface ScanOptions {
  inputs: string[];
  root?: string;
  controls: readonly Control[];
  settings: ControlSettings;
  controlOptions?: Record<string, Record<string, unknown>>;
  severityOverrides?: Record<string, Severity>;
  ignore?: readonly string[];
  limits?: Partial<LoadLimits>;
  render?: boolean;
  stdin?: () => string;
  exceptions?: ExceptionSet;
  /** Frameworks to report compliance status for. */
  frameworks?: readonly Framework[];
  /** Extra diagnostics to report with the input ones (configuration problems…). */
  diagnostics?: Diagnostic[];
}

/** The scan flow: sources → inventory → engine → ordered result. */
export async function scanManifests(opts: ScanOptions): Promise<ScanResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const root = resolve(opts.root ?? process.cwd());
  const loaded = await loadManifestsParallel(opts.inputs, { root, limits: opts.limits, ignore: opts.ignore, render: opts.render, stdin: opts.stdin });
  const inventory = buildInventory(loaded.resources);
  const engine = runControls(inventory, {
    controls: opts.controls,
    settings: opts.settings,
    controlOptions: opts.controlOptions,
    severityOverrides: opts.severityOverrides,
    exceptionFor: opts.exceptions?.exceptionFor,
  });
  const byKind: Record<string, number> = {};
  for (const r of loaded.resources) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
  engine.findings.sort(compareFindings);
  return {
    tool: { name: 'palisade', version: VERSION },
    startedAt,
    durationMs: Date.now() - started,
    root,
    inputs: opts.inputs,
    resources: { total: loaded.resources.length, byKind },
    files: loaded.files,
    controls: engine.controls,
    findings: engine.findings,
    frameworks: (opts.frameworks ?? []).map((fw) => frameworkStatus(fw, engine.controls)),
    diagnostics: [...(opts.diagnostics ?? []), ...loaded.diagnostics, ...engine.diagnostics, ...(opts.exceptions?.report() ?? [])],
  };
}
