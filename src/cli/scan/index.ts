import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command, CommandSpec, CliIO, ParsedArgs } from '../command.js';
import { diagnostic, EXIT, formatDiagnostic, PalisadeError } from '../../core/errors.js';
import { atLeast, isSeverity, SEVERITIES, type Severity } from '../../core/severity.js';
import { scanManifests } from '../../engine/scan.js';
import { scanCluster } from '../../engine/scan-cluster.js';
import { ClusterApiError, connect } from '../../sources/cluster/client.js';
import type { ListProgress } from '../../sources/cluster/list.js';
import type { ScanResult } from '../../engine/scan-result.js';
import { writeReport } from '../../report/formatter.js';
import { FORMATTERS } from '../../report/registry.js';
import { JUDGING_OPTIONS, list, resolveJudging, str } from '../judging-options.js';

export const spec: CommandSpec = {
  name: 'scan',
  summary: 'Scan Kubernetes manifests (files, directories, Helm charts, Kustomize directories, or - for stdin), or a live cluster with --cluster, and report findings.',
  usage: 'palisade scan [options] [PATH...] | palisade scan --cluster [--context NAME] [options]',
  description:
    'Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 a usage error or an input that could not be read (reported after everything from the good inputs), or a cluster that could not be reached. ' +
    'Kinds a live scan is not allowed to read are warnings (coverage gaps): they do not change the exit code, and the controls that need them are reported as not evaluated (docs/cluster.md).',
  options: [
    { name: 'format', short: 'f', type: 'string', multiple: true, valueName: 'FORMAT[=FILE]', description: 'Report format; repeat (or separate with commas) for several. FORMAT=FILE writes that format to FILE.', choices: undefined },
    { name: 'output', short: 'o', type: 'string', multiple: true, valueName: 'FILE', description: 'Write the n-th --format to this file instead of standard output.' },
    ...JUDGING_OPTIONS,
    { name: 'fail-on', type: 'string', valueName: 'SEVERITY', description: 'Exit 1 when a finding at or above this severity is not excepted; `none` never fails.', choices: [...SEVERITIES, 'none'], config: 'failOn' },
    { name: 'ignore', type: 'string', multiple: true, valueName: 'GLOB', description: 'Skip paths matching this glob (relative to the root).', config: 'ignore' },
    { name: 'root', type: 'string', valueName: 'DIR', description: 'Directory that reported file paths are relative to. Default: the current directory.' },
    { name: 'max-file-size', type: 'string', valueName: 'BYTES', description: 'Largest input file read.', config: 'limits.maxFileSize' },
    { name: 'no-render', type: 'boolean', description: 'Do not render Helm charts and Kustomize directories; read their files as they are.' },
    { name: 'cluster', type: 'boolean', description: 'Scan the live cluster of the current kubeconfig context instead of files (read-only: discovery and list requests; see docs/cluster.md).' },
    { name: 'context', type: 'string', valueName: 'NAME', description: 'With --cluster: the kubeconfig context to use. Default: current-context.' },
    { name: 'kubeconfig', type: 'string', valueName: 'FILE', description: 'With --cluster: kubeconfig file. Default: KUBECONFIG, then ~/.kube/config, then the in-cluster service account.' },
    { name: 'cluster-name', type: 'string', valueName: 'NAME', description: 'With --cluster: name of the cluster in reports. Default: the context\'s cluster name.' },
    { name: 'page-size', type: 'string', valueName: 'N', description: 'With --cluster: objects per list request (limit). Default: 500.' },
    { name: 'progress', type: 'boolean', description: 'Show progress on standard error even when it is not a terminal (with --cluster).' },
    { name: 'color', type: 'boolean', description: 'Colour the table even when standard output is not a terminal.' },
    { name: 'no-color', type: 'boolean', description: 'Never colour the table (also NO_COLOR=1).' },
  ],
  examples: [
    'palisade scan k8s/',
    'palisade scan -f sarif -o palisade.sarif -f table --fail-on high .',
    'helm template my-chart | palisade scan -',
    'palisade scan --framework pss-restricted --pss-version v1.25 manifests/',
    'palisade scan --cluster --context prod -f json -o prod.json',
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
  const binary = targets.find((t) => !t.file && FORMATTERS[t.format]!.renderBinary);
  if (binary) throw new PalisadeError(diagnostic('PALISADE_REPORT_BINARY_STDOUT', { format: binary.format }, { field: '--output' }));
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

    const result = v.cluster === true ? await scanLiveCluster(args.values, args.positionals, judging, io) : await scanManifests({
      inputs: args.positionals.length ? args.positionals : ['.'],
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
      if (t.file && formatter.renderBinary) {
        const bytes = await formatter.renderBinary(result);
        try {
          writeFileSync(resolve(io.cwd, t.file), bytes);
        } catch (e) {
          throw new PalisadeError(diagnostic('PALISADE_OUTPUT_WRITE', { file: t.file, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: t.file }));
        }
      } else if (t.file) {
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

async function scanLiveCluster(v: ParsedArgs['values'], positionals: string[], judging: ReturnType<typeof resolveJudging>, io: CliIO): Promise<ScanResult> {
  if (positionals.length) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: '--cluster scans the cluster; it takes no PATH arguments' }, { field: '--cluster' }));
  let pageSize: number | undefined;
  if (str(v['page-size']) !== undefined) {
    pageSize = Number(str(v['page-size']));
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) {
      throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: '--page-size: expected a whole number from 1 to 10000' }, { field: '--page-size' }));
    }
  }
  const kubeconfig = str(v.kubeconfig);
  const client = connect({ kubeconfig: kubeconfig ? resolve(io.cwd, kubeconfig) : undefined, context: str(v.context), clusterName: str(v['cluster-name']), env: io.env });
  const progress = progressWriter(io, v.progress === true);
  try {
    return await scanCluster({
      client,
      pageSize,
      onProgress: progress?.update,
      root: str(v.root) ? resolve(io.cwd, str(v.root)!) : io.cwd,
      controls: judging.controls,
      settings: judging.settings,
      controlOptions: judging.controlOptions,
      severityOverrides: judging.severityOverrides,
      diagnostics: judging.diagnostics,
      frameworks: judging.frameworks,
      exceptions: judging.exceptions,
    });
  } catch (e) {
    if (!(e instanceof ClusterApiError)) throw e;
    if (e.reason === 'Credentials') throw new PalisadeError(diagnostic('PALISADE_CLUSTER_CONFIG', { detail: e.message }, { field: '--context' }));
    if (e.status === 401) throw new PalisadeError(diagnostic('PALISADE_CLUSTER_UNAUTHORIZED', { server: client.server, context: str(v.context) ?? 'current-context' }, { field: '--context' }));
    throw new PalisadeError(diagnostic('PALISADE_CLUSTER_UNREACHABLE', { server: client.server, reason: e.message }));
  } finally {
    progress?.end();
  }
}

/**
 * Progress of a long cluster read, on standard error only (standard output carries the
 * report): one line rewritten in place on a terminal, a line per page with --progress.
 */
function progressWriter(io: CliIO, forced: boolean): { update: (p: ListProgress) => void; end: () => void } | undefined {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  if (!tty && !forced) return undefined;
  const n = (x: number) => x.toLocaleString('en-US');
  let shown = false;
  return {
    update(p) {
      const what = p.resource || p.kind.toLowerCase();
      const text = p.done ? `listed ${what}: ${n(p.count)} (${p.page} page${p.page === 1 ? '' : 's'})` : `listing ${what}… ${n(p.count)} (page ${p.page})`;
      if (tty) {
        io.stderr.write(`\r\x1b[K${text}`);
        shown = true;
      } else io.stderr.write(`${text}\n`);
    },
    end() {
      if (tty && shown) io.stderr.write('\r\x1b[K');
    },
  };
}
