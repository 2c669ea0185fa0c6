import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command, CommandSpec, ParsedArgs, CliIO } from '../command.js';
import { EMPTY_CONFIG, type PalisadeConfig } from '../../core/config.js';
import { diagnostic, EXIT, formatDiagnostic, PalisadeError, type Diagnostic } from '../../core/errors.js';
import { atLeast, isSeverity, SEVERITIES, type Severity } from '../../core/severity.js';
import { allControls } from '../../controls/registry.js';
import { pssControlsFor } from '../../controls/pss/index.js';
import { scanManifests } from '../../engine/scan.js';
import { selectControls } from '../../engine/selection.js';
import type { ScanResult } from '../../engine/scan-result.js';
import { builtinFrameworks } from '../../frameworks/loader.js';
import { FORMATTERS } from '../../report/registry.js';
import { loadConfig } from '../../sources/config-file.js';
import { loadExceptions } from '../../sources/exceptions-file.js';
import { ExceptionSet } from '../../engine/exceptions.js';

export const spec: CommandSpec = {
  name: 'scan',
  summary: 'Scan Kubernetes manifests (files, directories, Helm charts, Kustomize directories, or - for stdin) and report findings.',
  usage: 'palisade scan [options] [PATH...]',
  description:
    'Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 a usage error or an input that could not be read (reported after everything from the good inputs).',
  options: [
    { name: 'format', short: 'f', type: 'string', multiple: true, valueName: 'FORMAT[=FILE]', description: 'Report format; repeat (or separate with commas) for several. FORMAT=FILE writes that format to FILE.', choices: undefined },
    { name: 'output', short: 'o', type: 'string', multiple: true, valueName: 'FILE', description: 'Write the n-th --format to this file instead of standard output.' },
    { name: 'fail-on', type: 'string', valueName: 'SEVERITY', description: 'Exit 1 when a finding at or above this severity is not excepted; `none` never fails.', choices: [...SEVERITIES, 'none'], config: 'failOn' },
    { name: 'config', short: 'c', type: 'string', valueName: 'FILE', description: 'Configuration file. Default: .palisade.yaml in the current directory, when present.' },
    { name: 'control', type: 'string', multiple: true, valueName: 'ID', description: 'Run only this control.' },
    { name: 'skip-control', type: 'string', multiple: true, valueName: 'ID', description: 'Do not run this control.' },
    { name: 'framework', type: 'string', multiple: true, valueName: 'ID', description: 'Run only the controls of this framework (see `palisade frameworks`).', config: 'frameworks' },
    { name: 'pss-version', type: 'string', valueName: 'VERSION', description: 'Pod Security Standards version (v1.0 … latest).', default: undefined, config: 'pssVersion' },
    { name: 'allowed-registry', type: 'string', multiple: true, valueName: 'REGISTRY', description: 'Registry or registry/path prefix images may come from.', config: 'allowedRegistries' },
    { name: 'ignore', type: 'string', multiple: true, valueName: 'GLOB', description: 'Skip paths matching this glob (relative to the root).', config: 'ignore' },
    { name: 'exceptions', short: 'e', type: 'string', multiple: true, valueName: 'FILE', description: 'Exceptions file (accepted risks with owner, approver and expiry); see docs/exceptions.md.', config: 'exceptions' },
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

function str(v: ParsedArgs['values'][string]): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function list(v: ParsedArgs['values'][string]): string[] {
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
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
  run(args, io: CliIO) {
    const v = args.values;
    const controls = allControls();
    const known = new Set(controls.map((c) => c.meta.id));
    const diagnostics: Diagnostic[] = [];

    let config: PalisadeConfig = EMPTY_CONFIG;
    const configFile = str(v.config) ?? (existsSync(resolve(io.cwd, '.palisade.yaml')) ? '.palisade.yaml' : undefined);
    if (configFile) {
      const loaded = loadConfig(resolve(io.cwd, configFile), known);
      config = loaded.config;
      // Configuration problems are usage errors: report them and stop before scanning.
      if (loaded.diagnostics.length) {
        throw new PalisadeError(loaded.diagnostics[0]!, EXIT.input, loaded.diagnostics);
      }
    }

    const targets = outputTargets(list(v.format), list(v.output));
    const failOnRaw = str(v['fail-on']) ?? config.failOn ?? 'info';
    const failOn = failOnRaw === 'none' || isSeverity(failOnRaw) ? failOnRaw : 'info';
    let maxFileSize = config.limits.maxFileSize;
    if (str(v['max-file-size']) !== undefined) {
      const n = Number(str(v['max-file-size']));
      if (!Number.isInteger(n) || n <= 0) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: '--max-file-size: expected a positive number of bytes' }, { field: '--max-file-size' }));
      maxFileSize = n;
    }
    const pssVersion = str(v['pss-version']) ?? config.pssVersion ?? 'latest';
    if (!/^(latest|v?1\.\d+)$/.test(pssVersion)) {
      throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--pss-version: expected "latest" or a version like v1.30, got "${pssVersion}"` }, { field: '--pss-version' }));
    }

    const enabled: Record<string, boolean | undefined> = {};
    const severityOverrides: Record<string, Severity> = {};
    const controlOptions: Record<string, Record<string, unknown>> = {};
    for (const [id, s] of Object.entries(config.controls)) {
      enabled[id] = s.enabled;
      if (s.severity) severityOverrides[id] = s.severity;
      if (s.options) controlOptions[id] = s.options;
    }
    const frameworkIds = list(v.framework).length ? list(v.framework) : config.frameworks;
    const frameworks = builtinFrameworks();
    let selected = selectControls(controls, frameworks, { only: list(v.control), skip: list(v['skip-control']), frameworks: frameworkIds, enabled });
    // Pod Security Admission replaces some baseline checks by their restricted forms from a
    // given version on; a restricted scan runs exactly the checks PSA runs at that version.
    const pssLevel = frameworkIds.includes('pss-restricted') ? 'restricted' : frameworkIds.includes('pss-baseline') ? 'baseline' : undefined;
    if (pssLevel) {
      const atVersion = new Set(pssControlsFor(pssLevel, pssVersion).map((c) => c.meta.id));
      selected = selected.filter((c) => c.meta.category !== 'pss' || atVersion.has(c.meta.id));
    }

    const exceptionFiles = list(v.exceptions).length ? list(v.exceptions) : config.exceptions ? [config.exceptions] : [];
    const exceptions = [];
    for (const f of exceptionFiles) {
      const loaded = loadExceptions(resolve(io.cwd, f), f, known);
      exceptions.push(...loaded.exceptions);
      diagnostics.push(...loaded.diagnostics);
    }

    const inputs = args.positionals.length ? args.positionals : ['.'];
    const result = scanManifests({
      inputs,
      root: str(v.root) ? resolve(io.cwd, str(v.root)!) : io.cwd,
      controls: selected,
      settings: { allowedRegistries: [...config.allowedRegistries, ...list(v['allowed-registry'])], pssVersion },
      controlOptions,
      severityOverrides,
      ignore: [...config.ignore, ...list(v.ignore)],
      limits: { ...config.limits, ...(maxFileSize ? { maxFileSize } : {}) },
      render: v['no-render'] !== true,
      stdin: io.readStdin,
      diagnostics,
      frameworks: frameworkIds.length ? frameworkIds.map((id) => frameworks.get(id)!) : [...frameworks.values()],
      exceptions: new ExceptionSet(exceptions, io.now?.() ?? new Date()),
    });

    const color = v['no-color'] === true || io.env.NO_COLOR ? false : v.color === true || io.isTTY;
    for (const t of targets) {
      const text = FORMATTERS[t.format]!.render(result, { color: t.file ? false : color });
      if (t.file) {
        try {
          writeFileSync(resolve(io.cwd, t.file), text);
        } catch (e) {
          throw new PalisadeError(diagnostic('PALISADE_OUTPUT_WRITE', { file: t.file, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: t.file }));
        }
      } else io.stdout.write(text);
    }
    // Input problems also go to stderr when the table is not on stdout, so CI logs show them.
    if (!targets.some((t) => t.format === 'table' && !t.file)) {
      for (const d of result.diagnostics) if (d.level !== 'note') io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
    }
    return exitCodeFor(result, failOn);
  },
};
