import { displayName } from '../core/resource.js';
import { formatDiagnostic } from '../core/errors.js';
import { toDotted } from '../core/path.js';
import { severityRank, SEVERITIES, type Severity } from '../core/severity.js';
import type { Finding } from '../core/finding.js';
import type { Formatter } from './formatter.js';
import { summarize } from './summary.js';

const ANSI = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', yellow: '\x1b[33m', blue: '\x1b[34m', magenta: '\x1b[35m', cyan: '\x1b[36m', green: '\x1b[32m' };
const SEVERITY_COLOR: Record<Severity, string> = { critical: ANSI.magenta + ANSI.bold, high: ANSI.red, medium: ANSI.yellow, low: ANSI.blue, info: ANSI.dim };

/** Findings grouped by resource, worst first, then input problems and a summary line. */
export const tableFormatter: Formatter = {
  name: 'table',
  description: 'Human-readable findings grouped by resource, with a summary line (colour on a terminal).',
  extension: 'txt',
  render(result, opts) {
    const paint = (code: string, s: string) => (opts.color ? code + s + ANSI.reset : s);
    const lines: string[] = [];
    const groups = new Map<string, Finding[]>();
    for (const f of result.findings) {
      const key = `${f.location?.file ?? ''}\u0000${f.resource.key}`;
      const g = groups.get(key);
      if (g) g.push(f);
      else groups.set(key, [f]);
    }
    const idWidth = Math.max(12, ...result.findings.map((f) => f.controlId.length));
    for (const fs of groups.values()) {
      fs.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.location?.line ?? 0) - (b.location?.line ?? 0));
      const first = fs[0]!;
      const where = first.location ? paint(ANSI.dim, `  ${first.location.file}`) : '';
      lines.push(paint(ANSI.bold, displayName(first.resource)) + where);
      for (const f of fs) {
        const sev = f.status === 'excepted' ? paint(ANSI.green, 'EXCEPTED'.padEnd(8)) : paint(SEVERITY_COLOR[f.severity], f.severity.toUpperCase().padEnd(8));
        const at = f.location ? `:${f.location.line}` : '';
        lines.push(`  ${sev}  ${f.controlId.padEnd(idWidth)} ${f.message}${paint(ANSI.dim, `  ${at ? 'line ' + at.slice(1) + '  ' : ''}${toDotted(f.path)}`)}`);
        if (f.status === 'excepted' && f.exception) lines.push(paint(ANSI.dim, `            excepted by ${f.exception.id}: ${f.exception.reason}`));
      }
      lines.push('');
    }
    if (result.diagnostics.length) {
      lines.push(paint(ANSI.bold, 'Input problems'));
      for (const d of result.diagnostics) {
        const color = d.level === 'error' ? ANSI.red : d.level === 'warning' ? ANSI.yellow : ANSI.dim;
        lines.push('  ' + paint(color, formatDiagnostic(d)));
      }
      lines.push('');
    }
    if (result.frameworks.length) {
      lines.push(paint(ANSI.bold, 'Compliance') + paint(ANSI.dim, '  (score = passed ÷ evaluated requirements; manual and not-evaluated ones are never counted as passed)'));
      const w = Math.max(...result.frameworks.map((f) => f.id.length));
      for (const fw of result.frameworks) {
        const c = fw.counts;
        const score = fw.score === null ? 'n/a ' : `${String(fw.score).padStart(3)}%`;
        const color = fw.score === null ? ANSI.dim : fw.score >= 90 ? ANSI.green : fw.score >= 60 ? ANSI.yellow : ANSI.red;
        lines.push(`  ${fw.id.padEnd(w)}  ${paint(color, score)}  pass ${c.pass}, partial ${c.partial}, fail ${c.fail}, not evaluated ${c['not-evaluated']}, node ${c.node}, manual ${c.manual}`);
        if (result.frameworks.length <= 2) {
          for (const r of fw.requirements.filter((x) => x.status === 'fail')) {
            lines.push(paint(ANSI.dim, `      ${r.id}  ${r.title}  (${r.failed} finding${r.failed === 1 ? '' : 's'}: ${r.controls.join(', ')})`));
          }
        }
      }
      lines.push('');
    }
    const s = summarize(result);
    const parts = [...SEVERITIES].reverse().filter((sev) => s.bySeverity[sev] > 0).map((sev) => paint(SEVERITY_COLOR[sev], `${s.bySeverity[sev]} ${sev}`));
    let summary = `${s.findings} finding${s.findings === 1 ? '' : 's'}${parts.length ? ` (${parts.join(', ')})` : ''}`;
    const from = result.cluster !== undefined ? `cluster ${result.cluster}` : `${s.files} file${s.files === 1 ? '' : 's'}`;
    summary += ` in ${s.resources} resource${s.resources === 1 ? '' : 's'} from ${from}, ${s.controls} controls`;
    if (s.excepted) summary += `; ${s.excepted} excepted`;
    if (s.inputErrors) summary += `; ${paint(ANSI.red, `${s.inputErrors} input error${s.inputErrors === 1 ? '' : 's'}`)}`;
    summary += ` (${(result.durationMs / 1000).toFixed(2)}s)`;
    lines.push(s.findings === 0 && !s.inputErrors ? paint(ANSI.green, summary) : summary);
    return lines.join('\n') + '\n';
  },
};
