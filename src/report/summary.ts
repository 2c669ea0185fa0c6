import { SEVERITIES, type Severity } from '../core/severity.js';
import type { ScanResult } from '../engine/scan-result.js';

export interface ScanSummary {
  resources: number;
  files: number;
  controls: number;
  findings: number;
  excepted: number;
  bySeverity: Record<Severity, number>;
  inputErrors: number;
  inputWarnings: number;
}

export function summarize(result: ScanResult): ScanSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let findings = 0;
  let excepted = 0;
  for (const f of result.findings) {
    if (f.status === 'fail') {
      findings++;
      bySeverity[f.severity]++;
    } else if (f.status === 'excepted') excepted++;
  }
  return {
    resources: result.resources.total,
    files: result.files,
    controls: result.controls.length,
    findings,
    excepted,
    bySeverity,
    inputErrors: result.diagnostics.filter((d) => d.level === 'error').length,
    inputWarnings: result.diagnostics.filter((d) => d.level === 'warning').length,
  };
}
