import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command, CommandSpec, CliIO } from '../command.js';
import { diagnostic, EXIT, formatDiagnostic, PalisadeError } from '../../core/errors.js';
import { atLeast, isSeverity, SEVERITIES, type Severity } from '../../core/severity.js';
import { scanManifests } from '../../engine/scan.js';
import type { ScanResult } from '../../engine/scan-result.js';
import { writeReport } from '../../report/formatter.js';
import { FORMATTERS } from '../../report/registry.js';
import { JUDGING_OPTIONS, list, resolveJudging, str } from '../judging-options.js';

export const spec: CommandSpec = {
  name: 'scan',
  summary: 'Scan Kubernetes manifests (files, directories, Helm charts, Kustomize directories, or - for stdin) and report findings.',
  usage: 'palisade scan [options] [PATH...]',
  description:
    'Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 a usage error or an input that could not be read (reported after everything from the good inputs).',
  options: [
    { name: 'format', short: 'f', type: 'string', multiple: true, valueName: 'FORMAT[=FILE]', description: 'Report format; repeat (or separate with commas) for several. FORMAT=FILE writes that format to FILE.', choices: undefined },
    { name: 'output', short: 'o', type: 'string', multiple: true, valueName: 'FILE', description: 'Write the n-th --format to this file instead of standard output.' },
    ...JUDGING_OPTIONS,
    { name: 'fail-on', type: 'string', valueName: 'SEVERITY', description: 'Exit 1 when a finding at or above this severity is not excepted; `none` never fails.', choices: [...SEVERITIES, 'none'], config: 'failOn' },
    { name: 'ignore', type: 'string', multiple: true, valueName: 'GLOB', description: 'Skip paths matching this glob (relative to the root).', config: 'ignore' },
    { name: 'root', type: 'string', valueName: 'DIR', description: 'Directory that reported file paths are relative to. Default: the current directory.' },
    { name: 'max-file-size', type: 'string', valueName: 'BYTES', description: 'Largest input file read.', config: 'limits.maxFileSize' },
    { name: 'no-render', type: 'boolean', description: 'Do not render Helm charts and Kustomize directories; read their files as they are.' },
    { name: 'color', type: 'boolean', description: 'Colour the table even when standard output is not a terminal.' },
    { name: 'no-color', type: 'boolean', description: 'Never colour the table (also NO_COLOR=1).' },
  ],
  examples: [
    'palisade scan k8s/',
    'palisade scan -f sarif -o palisade.sarif -f table --fail-on high .',
    'helm template my-chart | palisade scan -',
    'palisade scan --framework pss-restricted --pss-version v1.25 manifests/',
  ],
};

interface OutputTarget {
  format: string;
  file?: string;
}


export function outputTargets(formats: string[], outputs: string[]): OutputTarget[] {
  const targets: OutputTarget[] = [];
  for (const f of formats.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean)) {
    const eq = f.indexOf('=');
    const target = eq > 0 ? { format: f.slice(0, eq), file: f.slice(eq + 1) } : { format: f };
    if (!FORMATTERS[target.format]) {
      throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--format: unknown format "${target.format}"; expected one of ${Object.keys(FORMATTERS).join(', ')}` }, { field: '--format' }));
    }
    targets.push(target);
  }
  if (targets.length === 0) targets.push({ format: 'table' });
  const free = targets.filter((t) => !t.file);
  if (outputs.length > free.length) {
    throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: 'more --output files than --format options to write to them' }, { field: '--output' }));
  }
  outputs.forEach((file, i) => (free[i]!.file = file));
  if (targets.filter((t) => !t.file).length > 1) {
    throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: 'only one format can go to standard output; give --output (or FORMAT=FILE) for the others' }, { field: '--output' }));
  }
  return targets;
}

function exitCodeFor(result: ScanResult, failOn: Severity | 'none'): number {
  if (result.diagnostics.some((d) => d.level === 'error')) return EXIT.input;
  if (failOn === 'none') return EXIT.ok;
  return result.findings.some((f) => f.status === 'fail' && atLeast(f.severity, failOn)) ? EXIT.findings : EXIT.ok;
}

export const command: Command = {
  spec,
  async run(args, io: CliIO) {
    const v = args.values;
    const judging = resolveJudging(args, io);
    const { config } = judging;
    const targets = outputTargets(list(v.format), list(v.output));
    const failOnRaw = str(v['fail-on']) ?? config.failOn ?? 'info';
    const failOn = failOnRaw === 'none' || isSeverity(failOnRaw) ? failOnRaw : 'info';
    let maxFileSize = config.limits.maxFileSize;
    if (str(v['max-file-size']) !== undefined) {
      const n = Number(str(v['max-file-size']));
      if (!Number.isInteger(n) || n <= 0) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: '--max-file-size: expected a positive number of bytes' }, { field: '--max-file-size' }));
      maxFileSize = n;
    }

    const inputs = args.positionals.length ? args.positionals : ['.'];
    const result = await scanManifests({
      inputs,
      root: str(v.root) ? resolve(io.cwd, str(v.root)!) : io.cwd,
      controls: judging.controls,
      settings: judging.settings,
      controlOptions: judging.controlOptions,
      severityOverrides: judging.severityOverrides,
      ignore: [...config.ignore, ...list(v.ignore)],
      limits: { ...config.limits, ...(maxFileSize ? { maxFileSize } : {}) },
      render: v['no-render'] !== true,
      stdin: io.readStdin,
      diagnostics: judging.diagnostics,
      frameworks: judging.frameworks,
      exceptions: judging.exceptions,
    });

    const color = v['no-color'] === true || io.env.NO_COLOR ? false : v.color === true || io.isTTY;
    for (const t of targets) {
      const formatter = FORMATTERS[t.format]!;
      if (t.file) {
        let fd: number | undefined;
        try {
          fd = openSync(resolve(io.cwd, t.file), 'w');
          writeReport(formatter, result, { color: false }, (s) => writeSync(fd!, s));
        } catch (e) {
          throw new PalisadeError(diagnostic('PALISADE_OUTPUT_WRITE', { file: t.file, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: t.file }));
        } finally {
          if (fd !== undefined) closeSync(fd);
        }
      } else writeReport(formatter, result, { color }, (s) => io.stdout.write(s));
    }
    // Input problems also go to stderr when the table is not on stdout, so CI logs show them.
    if (!targets.some((t) => t.format === 'table' && !t.file)) {
      for (const d of result.diagnostics) if (d.level !== 'note') io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
    }
    return exitCodeFor(result, failOn);
  },
};
