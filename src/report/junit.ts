import { formatDiagnostic, type Diagnostic } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { toDotted } from '../core/path.js';
import { displayName } from '../core/resource.js';
import type { ControlRun } from '../engine/engine.js';
import type { Formatter } from './formatter.js';

/*
 * JUnit XML as GitLab, Jenkins and Azure Pipelines read it: <testsuites> of <testsuite>s of
 * <testcase>s. These readers count <testcase> elements rather than trust the attributes, so
 * every count we write is the count of the elements we wrote:
 * - one suite per control; one failing case per finding, one skipped case per excepted
 *   finding, and one passing case standing for the evaluated resources without a finding
 *   (how many is in its name and in the suite's properties);
 * - one suite "palisade.inputs" when there were input problems: an <error> case per
 *   error-level diagnostic; warnings and notes go to its <system-out>, as they do not
 *   make a file unreadable.
 */

export const INPUTS_SUITE = 'palisade.inputs';

export const junitFormatter: Formatter = {
  name: 'junit',
  description: 'JUnit XML test report for CI (GitLab, Jenkins, Azure Pipelines): a suite per control, a failing case per finding.',
  extension: 'xml',
  render(result) {
    const byControl = groupBy(result.findings.filter(isReported), (f) => f.controlId);
    const runs = [...result.controls].sort((a, b) => (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0));
    const suites = runs.map((run) => controlSuite(run, byControl.get(run.meta.id) ?? []));
    for (const run of runs) byControl.delete(run.meta.id);
    // Findings of a control that is not among the runs still have to show up somewhere.
    for (const [id, findings] of [...byControl].sort(([a], [b]) => (a < b ? -1 : 1))) suites.push(suiteOf(id, findings.map(findingCase), []));
    if (result.diagnostics.length) suites.push(inputsSuite(result.diagnostics));

    const total = sum(suites, (s) => s.counts);
    const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
    out.push(`<testsuites${attrs({ name: 'palisade', tests: total.tests, failures: total.failures, errors: total.errors, skipped: total.skipped, time: seconds(result.durationMs) })}>`);
    for (const s of suites) out.push(...s.lines.map((l) => '  ' + l));
    out.push('</testsuites>');
    return out.join('\n') + '\n';
  },
};

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}
interface Suite {
  counts: Counts;
  lines: string[];
}
interface Case {
  kind: 'pass' | 'failure' | 'skipped' | 'error';
  lines: string[];
}

function controlSuite(run: ControlRun, findings: readonly Finding[]): Suite {
  const cases = findings.map(findingCase);
  const resourcesWithFindings = new Set(findings.map((f) => f.resource.key)).size;
  const passed = Math.max(0, run.evaluated - resourcesWithFindings);
  if (passed > 0) {
    const name = `${passed} ${passed === 1 ? 'resource' : 'resources'} without findings`;
    cases.push({ kind: 'pass', lines: [`<testcase${attrs({ classname: run.meta.id, name })}/>`] });
  }
  const properties = [
    ['title', run.meta.title],
    ['severity', run.severity],
    ['category', run.meta.category],
    ['evaluated', String(run.evaluated)],
    ['failed', String(run.failed)],
    ['excepted', String(run.excepted)],
  ];
  return suiteOf(`${run.meta.id} ${run.meta.title}`, cases, properties);
}

function findingCase(f: Finding): Case {
  const resource = displayName(f.resource);
  const path = toDotted(f.path);
  const a: Record<string, string | number | undefined> = { classname: f.controlId, name: path ? `${resource} ${path}` : resource };
  if (f.location) {
    a.file = f.location.file;
    a.line = f.location.line;
  }
  const open = `<testcase${attrs(a)}>`;
  if (f.status === 'excepted') {
    const e = f.exception;
    const message = e ? `excepted by ${e.id}: ${e.reason}` : 'excepted';
    const details = [message];
    if (e?.owner) details.push(`Owner: ${e.owner}`);
    if (e?.expires) details.push(`Expires: ${e.expires}`);
    details.push(...findingDetails(f));
    return { kind: 'skipped', lines: [open, `  <skipped${attrs({ message })}>${escapeXmlText(details.join('\n'))}</skipped>`, '</testcase>'] };
  }
  return {
    kind: 'failure',
    lines: [open, `  <failure${attrs({ message: f.message, type: f.severity })}>${escapeXmlText(findingDetails(f).join('\n'))}</failure>`, '</testcase>'],
  };
}

function findingDetails(f: Finding): string[] {
  const lines = [f.message];
  if (f.location) lines.push(`Location: ${f.location.file}:${f.location.line}:${f.location.column}`);
  lines.push(`Resource: ${displayName(f.resource)} (${f.resource.apiVersion})`);
  lines.push(`Control: ${f.controlId} (${f.severity})`);
  const path = toDotted(f.path);
  if (path) lines.push(`Path: ${path}`);
  if (f.evidence !== undefined) lines.push(`Evidence: ${JSON.stringify(f.evidence)}`);
  if (f.fix) lines.push(`Fix (JSON patch): ${JSON.stringify(f.fix)}`);
  lines.push(`Fingerprint: ${f.fingerprint}`);
  return lines;
}

function inputsSuite(diagnostics: readonly Diagnostic[]): Suite {
  const cases: Case[] = [];
  const other: string[] = [];
  for (const d of diagnostics) {
    if (d.level !== 'error') {
      other.push(formatDiagnostic(d));
      continue;
    }
    const where = d.file ? (d.line ? `${d.file}:${d.line}` : d.file) : '';
    const a: Record<string, string | number | undefined> = { classname: INPUTS_SUITE, name: where ? `${where} ${d.code}` : d.code };
    if (d.file) a.file = d.file;
    if (d.line) a.line = d.line;
    cases.push({
      kind: 'error',
      lines: [`<testcase${attrs(a)}>`, `  <error${attrs({ message: d.message, type: d.code })}>${escapeXmlText(formatDiagnostic(d))}</error>`, '</testcase>'],
    });
  }
  const extra = other.length ? [`<system-out>${escapeXmlText(other.join('\n'))}</system-out>`] : [];
  return suiteOf(INPUTS_SUITE, cases, [], extra);
}

function suiteOf(name: string, cases: Case[], properties: string[][], extra: string[] = []): Suite {
  const counts: Counts = {
    tests: cases.length,
    failures: cases.filter((c) => c.kind === 'failure').length,
    errors: cases.filter((c) => c.kind === 'error').length,
    skipped: cases.filter((c) => c.kind === 'skipped').length,
  };
  const lines = [`<testsuite${attrs({ name, tests: counts.tests, failures: counts.failures, errors: counts.errors, skipped: counts.skipped })}>`];
  if (properties.length) {
    lines.push('  <properties>');
    for (const [k, v] of properties) lines.push(`    <property${attrs({ name: k, value: v })}/>`);
    lines.push('  </properties>');
  }
  for (const c of cases) lines.push(...c.lines.map((l) => '  ' + l));
  for (const l of extra) lines.push('  ' + l);
  lines.push('</testsuite>');
  return { counts, lines };
}

function isReported(f: Finding): boolean {
  return f.status === 'fail' || f.status === 'excepted';
}

/**
 * Characters XML 1.0 cannot carry at all, even as references: C0 controls other than tab,
 * LF and CR, lone surrogates, U+FFFE and U+FFFF. They are dropped.
 */
const INVALID_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function stripInvalidXmlChars(s: string): string {
  return s.replace(INVALID_XML_CHARS, '');
}

/** Escapes character data. `>` is escaped too, so `]]>` can never appear. */
export function escapeXmlText(s: string): string {
  return stripInvalidXmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escapes an attribute value for double quotes. Tab, LF and CR become character references,
 * because a parser normalises them to spaces when they appear literally in an attribute.
 */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function attrs(a: Record<string, string | number | undefined>): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) if (v !== undefined) out += ` ${k}="${escapeXmlAttr(String(v))}"`;
  return out;
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function sum(suites: readonly Suite[], pick: (s: Suite) => Counts): Counts {
  const t: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const s of suites) {
    const c = pick(s);
    t.tests += c.tests;
    t.failures += c.failures;
    t.errors += c.errors;
    t.skipped += c.skipped;
  }
  return t;
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const g = m.get(k);
    if (g) g.push(x);
    else m.set(k, [x]);
  }
  return m;
}
