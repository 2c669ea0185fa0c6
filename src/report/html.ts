import { displayName } from '../core/resource.js';
import type { Finding } from '../core/finding.js';
import { toDotted } from '../core/path.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import type { ControlRun } from '../engine/engine.js';
import type { ScanResult } from '../engine/scan-result.js';
import { REQUIREMENT_STATUSES, type FrameworkStatus, type RequirementStatus } from '../frameworks/scoring.js';
import type { Formatter } from './formatter.js';
import { summarize } from './summary.js';

/*
 * One self-contained HTML page for people (auditors, reviewers): inline CSS, inline SVG
 * charts, no script and no external resource (a Content-Security-Policy forbids loading
 * any), readable and printable as it is (print CSS: A4, table headers repeat, rows are not
 * split). Every piece of text from the scan goes through `esc`; evidence is already
 * redacted by the engine.
 */

export interface HtmlOptions {
  /** Finding rows shown at most (the rest is counted); the PDF sets it to keep Chromium fast. */
  maxFindingRows?: number;
  /** Name of the cluster or system, for the title. */
  system?: string;
}

/** What live scans add to a result (the cluster's name, kinds it could not read); read structurally so any ScanResult renders. */
export interface LiveScanFields {
  cluster?: string;
  gaps?: Array<{ group: string; version: string; kind: string; reason: string; message: string; controls: string[] }>;
}
export const liveScan = (r: ScanResult): LiveScanFields => r as ScanResult & LiveScanFields;

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ESC[c]!);
}

const SEVERITY_COLOR: Record<Severity, string> = { critical: '#7b1fa2', high: '#c62828', medium: '#ef6c00', low: '#1565c0', info: '#607d8b' };
const STATUS_COLOR: Record<RequirementStatus, string> = { pass: '#2e7d32', partial: '#9e9d24', fail: '#c62828', manual: '#6d4c41', node: '#00838f', 'not-evaluated': '#9e9e9e' };
const SEVERITY_ORDER = [...SEVERITIES].reverse();

const CSS = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}h3{font-size:16px;margin:20px 0 6px}
.meta{color:var(--muted);margin:0}
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:120px;background:var(--bg)}
.card b{display:block;font-size:22px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:var(--bg)}
td.num,th.num{text-align:right;white-space:nowrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere}
h4{font-size:14px;margin:16px 0 4px}
.legend span{margin-right:12px;white-space:nowrap}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
.badge{display:inline-block;padding:0 6px;border-radius:10px;color:#fff;font-size:12px;white-space:nowrap}
.note{color:var(--muted)}
svg text{font:12px system-ui,sans-serif;fill:#1b1f24}
@page{size:A4;margin:14mm}
@media print{
 body{max-width:none;padding:0;font-size:11px}
 nav{display:none}
 h2{break-after:avoid}h3{break-after:avoid}
 tr,.card,svg{break-inside:avoid}
 thead{display:table-header-group}
 section.major{break-before:page}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}`;

export function htmlTitle(result: ScanResult, opts: HtmlOptions = {}): string {
  return `Palisade compliance report: ${opts.system ?? liveScan(result).cluster ?? (result.inputs.join(', ') || 'scan')}`;
}

export function* htmlChunks(result: ScanResult, opts: HtmlOptions = {}): Generator<string> {
  const s = summarize(result);
  const end = new Date(Date.parse(result.startedAt) + result.durationMs).toISOString();
  const title = htmlTitle(result, opts);
  yield `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="palisade ${esc(result.tool.version)}">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p class="meta">Scan started ${esc(result.startedAt)}, finished ${esc(end)} (${esc(result.durationMs)} ms) · Palisade ${esc(result.tool.version)} · inputs: ${esc(result.inputs.join(', ') || '(none)')}</p>
</header>
<nav><ul><li><a href="#summary">Summary</a></li><li><a href="#frameworks">Frameworks</a></li><li><a href="#requirements">Requirements</a></li><li><a href="#findings">Findings</a></li><li><a href="#exceptions">Exceptions</a></li><li><a href="#diagnostics">Input problems</a></li></ul></nav>
<section id="summary">
<h2>Summary</h2>
<div class="cards">
${card('Resources', s.resources)}${card('Files', s.files)}${card('Controls run', s.controls)}${card('Open findings', s.findings)}${card('Excepted', s.excepted)}${card('Input errors', s.inputErrors)}
</div>
<h3>Open findings by severity</h3>
${severityChart(s.bySeverity)}
</section>
`;
  yield frameworksSection(result.frameworks);
  yield* requirementsSection(result.frameworks);
  yield* findingsSection(result, opts.maxFindingRows ?? Infinity, liveScan(result).cluster);
  yield exceptionsSection(result.findings, liveScan(result).cluster);
  yield diagnosticsSection(result);
  yield `<footer><p class="note">Generated by Palisade ${esc(result.tool.version)} from the scan of ${esc(result.startedAt)}. Evidence values that could be secret are shown redacted with a hash. Fingerprints identify a finding across scans.</p></footer>
</body>
</html>
`;
}

function card(label: string, value: number): string {
  return `<div class="card"><b>${esc(value)}</b>${esc(label)}</div>`;
}

function severityChart(bySeverity: Record<Severity, number>): string {
  const rows = SEVERITY_ORDER;
  const max = Math.max(1, ...rows.map((r) => bySeverity[r]));
  const w = 520;
  const barMax = 360;
  const h = rows.length * 26 + 8;
  const bars = rows
    .map((sev, i) => {
      const y = 4 + i * 26;
      const bw = Math.round((barMax * bySeverity[sev]) / max);
      return `<text x="0" y="${y + 15}">${esc(sev)}</text><rect x="80" y="${y}" width="${bw}" height="20" fill="${SEVERITY_COLOR[sev]}"/><text x="${86 + bw}" y="${y + 15}">${esc(bySeverity[sev])}</text>`;
    })
    .join('');
  return `<svg role="img" aria-label="Open findings by severity" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" xmlns="http://www.w3.org/2000/svg">${bars}</svg>`;
}

function frameworksSection(frameworks: readonly FrameworkStatus[]): string {
  if (!frameworks.length) return `<section id="frameworks" class="major"><h2>Frameworks</h2><p class="note">No framework was selected for this scan.</p></section>\n`;
  const w = 640;
  const h = frameworks.length * 26 + 8;
  const bars = frameworks
    .map((fw, i) => {
      const y = 4 + i * 26;
      const label = fw.id.length > 24 ? fw.id.slice(0, 23) + '…' : fw.id;
      if (fw.score === null) return `<text x="0" y="${y + 15}">${esc(label)}</text><rect x="180" y="${y}" width="400" height="20" fill="#eeeeee"/><text x="186" y="${y + 15}">not evaluated</text>`;
      const bw = Math.round(4 * fw.score);
      const color = fw.score >= 90 ? '#2e7d32' : fw.score >= 70 ? '#ef6c00' : '#c62828';
      return `<text x="0" y="${y + 15}">${esc(label)}</text><rect x="180" y="${y}" width="400" height="20" fill="#eeeeee"/><rect x="180" y="${y}" width="${bw}" height="20" fill="${color}"/><text x="${Math.min(586, 186 + bw)}" y="${y + 15}">${esc(fw.score)}%</text>`;
    })
    .join('');
  const rows = frameworks
    .map(
      (fw) =>
        `<tr><td><a href="#fw-${esc(fw.id)}">${esc(fw.id)}</a></td><td>${esc(fw.title)}</td><td>${esc(fw.version)}</td><td class="num">${fw.score === null ? 'n/a' : esc(fw.score) + '%'}</td>${REQUIREMENT_STATUSES.map((st) => `<td class="num">${esc(fw.counts[st])}</td>`).join('')}<td>${statusBar(fw)}</td></tr>`,
    )
    .join('\n');
  return `<section id="frameworks" class="major">
<h2>Frameworks</h2>
<p class="note">Score = 100 × (pass + partial) / (pass + partial + fail). Manual requirements are never counted as passed; "node" requirements are evidenced by node checks, not by this scan.</p>
<svg role="img" aria-label="Framework scores" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" xmlns="http://www.w3.org/2000/svg">${bars}</svg>
<table><thead><tr><th>Framework</th><th>Title</th><th>Version</th><th class="num">Score</th>${REQUIREMENT_STATUSES.map((st) => `<th class="num">${esc(st)}</th>`).join('')}<th>Requirements</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p class="legend note">${REQUIREMENT_STATUSES.map((st) => `<span><i style="background:${STATUS_COLOR[st]}"></i>${esc(st)}</span>`).join('')}</p>
</section>
`;
}

function statusBar(fw: FrameworkStatus): string {
  const total = Math.max(1, fw.requirements.length);
  let x = 0;
  const parts = REQUIREMENT_STATUSES.filter((st) => fw.counts[st] > 0)
    .map((st) => {
      const w = (120 * fw.counts[st]) / total;
      const rect = `<rect x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="12" fill="${STATUS_COLOR[st]}"><title>${esc(st)}: ${esc(fw.counts[st])}</title></rect>`;
      x += w;
      return rect;
    })
    .join('');
  return `<svg role="img" aria-label="Requirement statuses" width="120" height="12" viewBox="0 0 120 12" xmlns="http://www.w3.org/2000/svg">${parts}</svg>`;
}

function badge(text: string, color: string): string {
  return `<span class="badge" style="background:${color}">${esc(text)}</span>`;
}

function* requirementsSection(frameworks: readonly FrameworkStatus[]): Generator<string> {
  yield `<section id="requirements" class="major">\n<h2>Requirements</h2>\n`;
  if (!frameworks.length) yield `<p class="note">No framework was selected for this scan.</p>\n`;
  for (const fw of frameworks) {
    yield `<h3 id="fw-${esc(fw.id)}">${esc(fw.title)} <span class="note">(${esc(fw.id)} ${esc(fw.version)})</span></h3>
<table><thead><tr><th>Requirement</th><th>Title</th><th>Assessment</th><th>Status</th><th>Controls</th><th class="num">Failing</th><th class="num">Excepted</th></tr></thead><tbody>
${fw.requirements
  .map(
    (r) =>
      `<tr><td class="mono">${esc(r.id)}</td><td>${r.section ? `<span class="note">${esc(r.section)}:</span> ` : ''}${esc(r.title)}</td><td>${esc(r.assessment)}</td><td>${badge(r.status, STATUS_COLOR[r.status])}</td><td class="mono">${r.controls.map(esc).join(', ')}</td><td class="num">${esc(r.failed)}</td><td class="num">${esc(r.excepted)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
`;
  }
  yield `</section>\n`;
}

export function locationText(f: Finding, cluster?: string): string {
  if (f.location) return `${f.location.file}:${f.location.line}:${f.location.column}`;
  return cluster ? `cluster ${cluster}: ${f.resource.key}` : `live object ${f.resource.key}`;
}

function evidenceCell(e: unknown): string {
  if (e === undefined) return '';
  const s = typeof e === 'string' ? e : JSON.stringify(e);
  return `<code>${esc(s.length > 400 ? s.slice(0, 399) + '…' : s)}</code>`;
}

function* findingsSection(result: ScanResult, maxRows: number, cluster: string | undefined): Generator<string> {
  yield `<section id="findings" class="major">\n<h2>Findings</h2>\n`;
  const open = result.findings.filter((f) => f.status === 'fail');
  if (!open.length) yield `<p>No open findings.</p>\n`;
  const runs = new Map<string, ControlRun>(result.controls.map((c) => [c.meta.id, c]));
  let shown = 0;
  for (const sev of SEVERITY_ORDER) {
    const ofSeverity = open.filter((f) => f.severity === sev);
    if (!ofSeverity.length) continue;
    yield `<h3>${badge(sev, SEVERITY_COLOR[sev])} ${esc(ofSeverity.length)} open finding(s)</h3>\n`;
    const byControl = new Map<string, Finding[]>();
    for (const f of ofSeverity) {
      const list = byControl.get(f.controlId);
      if (list) list.push(f);
      else byControl.set(f.controlId, [f]);
    }
    for (const [id, fs] of [...byControl].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (shown >= maxRows) break;
      const meta = runs.get(id)?.meta;
      let out = `<h4 class="mono">${esc(id)}${meta ? ` · ${esc(meta.title)}` : ''} <span class="note">(${esc(fs.length)})</span></h4>\n`;
      if (meta) out += `<p><b>Why:</b> ${esc(meta.rationale)}<br><b>Fix:</b> ${esc(meta.remediation)}</p>\n`;
      out += `<table><thead><tr><th>Resource</th><th>Location</th><th>Path</th><th>Message</th><th>Evidence</th></tr></thead><tbody>\n`;
      for (const f of fs) {
        if (shown >= maxRows) break;
        shown++;
        out += `<tr><td>${esc(displayName(f.resource))}</td><td class="mono">${esc(locationText(f, cluster))}</td><td class="mono">${esc(toDotted(f.path))}</td><td>${esc(f.message)}</td><td>${evidenceCell(f.evidence)}</td></tr>\n`;
      }
      yield out + `</tbody></table>\n`;
    }
  }
  if (open.length > shown) yield `<p class="note">${esc(open.length - shown)} more open finding(s) are not listed here; the JSON, CSV and SARIF reports have all of them.</p>\n`;
  yield `</section>\n`;
}

function exceptionsSection(findings: readonly Finding[], cluster: string | undefined): string {
  const excepted = findings.filter((f) => f.status === 'excepted');
  const body = excepted.length
    ? `<table><thead><tr><th>Exception</th><th>Owner</th><th>Expires</th><th>Reason</th><th>Control</th><th>Resource</th><th>Location</th></tr></thead><tbody>
${excepted
  .map(
    (f) =>
      `<tr><td class="mono">${esc(f.exception?.id)}</td><td>${esc(f.exception?.owner ?? '')}</td><td>${esc(f.exception?.expires ?? '')}</td><td>${esc(f.exception?.reason)}</td><td class="mono">${esc(f.controlId)}</td><td>${esc(displayName(f.resource))}</td><td class="mono">${esc(locationText(f, cluster))}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`
    : `<p>No finding was excepted.</p>`;
  return `<section id="exceptions" class="major">\n<h2>Exceptions (accepted risks)</h2>\n${body}\n</section>\n`;
}

function diagnosticsSection(result: ScanResult): string {
  const body = result.diagnostics.length
    ? `<table><thead><tr><th>Level</th><th>Code</th><th>Location</th><th>Message</th></tr></thead><tbody>
${result.diagnostics
  .map((d) => `<tr><td>${esc(d.level)}</td><td class="mono">${esc(d.code)}</td><td class="mono">${esc(d.file ? `${d.file}${d.line ? `:${d.line}` : ''}${d.column ? `:${d.column}` : ''}` : '')}</td><td>${esc(d.message)}</td></tr>`)
  .join('\n')}
</tbody></table>`
    : `<p>No input problems.</p>`;
  const gaps = liveScan(result).gaps ?? [];
  const coverage = gaps.length
    ? `<h3>Coverage gaps</h3>
<p class="note">Kinds this live scan could not read; the controls that need them are not evaluated, and requirements that rest on them are not counted as passed.</p>
<table><thead><tr><th>Kind</th><th>Reason</th><th>Controls not evaluated</th><th>Message</th></tr></thead><tbody>
${gaps.map((g) => `<tr><td class="mono">${esc(`${g.group ? g.group + '/' : ''}${g.version}/${g.kind}`)}</td><td>${esc(g.reason)}</td><td class="mono">${g.controls.map(esc).join(', ')}</td><td>${esc(g.message)}</td></tr>`).join('\n')}
</tbody></table>`
    : '';
  return `<section id="diagnostics">\n<h2>Input problems</h2>\n${body}\n${coverage}</section>\n`;
}

export const htmlFormatter: Formatter = {
  name: 'html',
  description: 'Self-contained HTML compliance report (inline CSS and SVG charts, no script), printable.',
  extension: 'html',
  render(result, opts) {
    return [...this.chunks!(result, opts)].join('');
  },
  chunks(result) {
    return htmlChunks(result);
  },
};
