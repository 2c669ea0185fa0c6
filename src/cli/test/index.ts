import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import type { Command, CommandSpec } from '../command.js';
import { diagnostic, EXIT, formatDiagnostic, PalisadeError } from '../../core/errors.js';
import { runKyvernoTestSuite, type KyvernoTestFileReport } from '../../policy/kyverno/index.js';
import { policyDiagnostic } from '../../policy/palisade/diagnostics.js';
import { runPolicyTestFile, type SuiteReport, type SuiteRow } from '../../policy/palisade/suites.js';

export const spec: CommandSpec = {
  name: 'test',
  summary: 'Run policy test suites: Palisade PolicyTest files and Kyverno CLI kyverno-test.yaml files.',
  usage: 'palisade test [options] PATH...',
  description:
    'A PATH is a suite file or a directory searched recursively for suites: YAML files holding a `kind: PolicyTest` document (docs/policies.md) and files named kyverno-test.yaml. ' +
    'Each expected result is compared with the actual one. Exit codes: 0 every expected result matches; 1 a result differs; 2 a suite (or a file it names) could not be read, or no suite was found.',
  options: [
    { name: 'format', short: 'f', type: 'string', valueName: 'FORMAT', description: 'Output format.', choices: ['table', 'json'], default: 'table' },
    { name: 'fail-only', type: 'boolean', description: 'List only the results that differ from the expectation.' },
  ],
  examples: ['palisade test examples/policies/', 'palisade test policies/require-team-label.test.yaml', 'palisade test --fail-only -f json policies/'],
};

const SKIP_DIRS = new Set(['.git', 'node_modules']);
const KYVERNO_FILES = new Set(['kyverno-test.yaml', 'kyverno-test.yml']);
const POLICY_TEST = /^kind:\s*["']?PolicyTest["']?\s*$/m;

interface Suite {
  format: 'palisade' | 'kyverno';
  path: string;
}

/** Suites under a path: the file itself, or every suite file below a directory. */
export function discoverSuites(abs: string): Suite[] {
  const st = statSync(abs);
  if (!st.isDirectory()) return [{ format: KYVERNO_FILES.has(basename(abs)) ? 'kyverno' : 'palisade', path: abs }];
  const out: Suite[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(p);
      } else if (KYVERNO_FILES.has(e.name)) out.push({ format: 'kyverno', path: p });
      else if (['.yaml', '.yml'].includes(extname(e.name).toLowerCase())) {
        let text = '';
        try {
          text = readFileSync(p, 'utf8');
        } catch {
          out.push({ format: 'palisade', path: p }); // reported as unreadable when run
          continue;
        }
        if (POLICY_TEST.test(text)) out.push({ format: 'palisade', path: p });
      }
    }
  };
  walk(abs);
  return out;
}

function fromKyverno(f: KyvernoTestFileReport): SuiteReport {
  const rows: SuiteRow[] = f.cases.map((c) => {
    const row: SuiteRow = {
      policy: c.matchedRule && c.matchedRule !== c.rule ? `${c.policy}/${c.rule} (${c.matchedRule})` : `${c.policy}/${c.rule}`,
      resource: `${c.kind} ${c.resource}`,
      expected: c.expected,
      outcome: c.outcome,
    };
    if (c.actual !== undefined) row.actual = c.actual;
    if (c.outcome !== 'pass') row.detail = c.reason + (c.path ? ` at ${c.path}${c.location ? ` (${c.location})` : ''}` : '');
    if (c.outcome !== 'pass' && c.message) row.messages = [c.message];
    return row;
  });
  return { format: 'kyverno', file: f.file, name: f.name, rows, diagnostics: f.diagnostics, notes: f.notes, unreadable: f.diagnostics.some((d) => d.level === 'error') };
}

function runSuite(s: Suite, root: string): SuiteReport[] {
  if (s.format === 'palisade') return runPolicyTestFile(s.path, root);
  const report = runKyvernoTestSuite(s.path, { root });
  if (report.files.length === 0) {
    return [{ format: 'kyverno', file: s.path, name: '', rows: [], diagnostics: report.diagnostics, notes: [], unreadable: true }];
  }
  return report.files.map(fromKyverno);
}

function table(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

function counts(rows: readonly SuiteRow[]) {
  return {
    passed: rows.filter((r) => r.outcome === 'pass').length,
    failed: rows.filter((r) => r.outcome === 'fail').length,
    unsupported: rows.filter((r) => r.outcome === 'unsupported').length,
  };
}

function summaryLine(c: ReturnType<typeof counts>): string {
  return `${c.passed} passed, ${c.failed} failed${c.unsupported ? `, ${c.unsupported} unsupported` : ''}`;
}

function renderSuite(r: SuiteReport, failOnly: boolean): string[] {
  const title = r.name ? `${r.file} — ${r.format === 'kyverno' ? 'Kyverno test' : 'PolicyTest'} ${r.name}` : r.file;
  const lines = [title];
  for (const d of r.diagnostics) if (d.level !== 'note' || r.unreadable) lines.push(`  ${formatDiagnostic(d)}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  const shown = r.rows.filter((row) => !failOnly || row.outcome !== 'pass');
  if (shown.length) {
    const body = table([
      ['RESULT', 'POLICY', 'RESOURCE', 'EXPECTED', 'ACTUAL'],
      ...shown.map((row) => [row.outcome === 'pass' ? 'ok' : row.outcome === 'fail' ? 'MISMATCH' : 'UNSUPPORTED', row.policy, row.resource, row.expected, row.actual ?? '-']),
    ]);
    lines.push(`  ${body[0]}`);
    shown.forEach((row, i) => {
      lines.push(`  ${body[i + 1]}`);
      if (row.outcome !== 'pass') {
        if (row.detail) lines.push(`      ${row.detail}`);
        for (const m of row.messages ?? []) lines.push(`      message: ${m}`);
      }
    });
  }
  if (r.unreadable) lines.push('  the suite could not be run completely (see the errors above)');
  lines.push(`  ${summaryLine(counts(r.rows))}`, '');
  return lines;
}

export const command: Command = {
  spec,
  run(args, io) {
    if (args.positionals.length === 0) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: 'give a test suite file or a directory of suites' }));
    const suites: Suite[] = [];
    const problems = [];
    for (const p of args.positionals) {
      const abs = resolve(io.cwd, p);
      if (!existsSync(abs)) {
        problems.push(diagnostic('PALISADE_SOURCE_NOT_FOUND', {}, { file: p }));
        continue;
      }
      const found = discoverSuites(abs);
      if (found.length === 0) problems.push(policyDiagnostic('PALISADE_TEST_NO_SUITES', { path: p }, { file: p }));
      suites.push(...found);
    }
    if (suites.length === 0) throw new PalisadeError(problems[0]!, EXIT.input, problems);

    const reports = suites.flatMap((s) => runSuite(s, io.cwd));
    const rows = reports.flatMap((r) => r.rows);
    const total = counts(rows);
    const unreadable = problems.length > 0 || reports.some((r) => r.unreadable);
    if (args.values.format === 'json') {
      const display = (f: string) => relative(io.cwd, resolve(io.cwd, f)).split(sep).join('/');
      io.stdout.write(JSON.stringify({ suites: reports.map((r) => ({ ...r, file: display(r.file) })), summary: { ...total, suites: reports.length, unreadable }, diagnostics: problems }, null, 2) + '\n');
    } else {
      const out: string[] = [];
      for (const d of problems) out.push(formatDiagnostic(d));
      for (const r of reports) out.push(...renderSuite(r, args.values['fail-only'] === true));
      out.push(`${reports.length} suite${reports.length === 1 ? '' : 's'}: ${summaryLine(total)}`);
      io.stdout.write(out.join('\n') + '\n');
    }
    if (unreadable) return EXIT.input;
    return total.failed > 0 ? EXIT.findings : EXIT.ok;
  },
};
