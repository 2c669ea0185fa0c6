import type { Diagnostic } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import type { ControlRun } from './engine.js';
import type { FrameworkStatus } from '../frameworks/scoring.js';
import type { CoverageGap } from '../sources/cluster/list.js';

/** A kind a live scan could not read, with the controls it left not evaluated. */
export interface ScanGap extends CoverageGap {
  controls: string[];
}

/** Everything one scan produced; every report format renders this. */
export interface ScanResult {
  tool: { name: 'palisade'; version: string };
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  /** Absolute directory that file paths in locations are relative to. */
  root: string;
  inputs: string[];
  /** Resources scanned, by kind. */
  resources: { total: number; byKind: Record<string, number> };
  files: number;
  controls: ControlRun[];
  findings: Finding[];
  /** Input problems (errors, warnings, notes), in input order. */
  diagnostics: Diagnostic[];
  /** Compliance status per framework, computed from the control runs. */
  frameworks: FrameworkStatus[];
  /** Live scans: the cluster's name (inputs then hold k8s://NAME). */
  cluster?: string;
  /** Live scans: kinds that could not be read; their controls are not evaluated. */
  gaps?: ScanGap[];
}
