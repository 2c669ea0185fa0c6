import { spawnSync } from 'node:child_process';
import { diagnostic, type Diagnostic } from '../core/errors.js';

export type RenderResult = { text: string; program: string } | { diagnostic: Diagnostic };

const MAX_OUTPUT = 256 * 1024 * 1024;

function run(program: string, args: string[], what: string): RenderResult {
  const r = spawnSync(program, args, { encoding: 'utf8', maxBuffer: MAX_OUTPUT, timeout: 120_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    return { diagnostic: diagnostic('PALISADE_SOURCE_RENDERER_MISSING', { what, program }) };
  }
  if (r.error || r.status !== 0) {
    const detail = (r.stderr || r.error?.message || `exit code ${r.status}`).trim().split('\n').slice(0, 5).join(' ');
    return { diagnostic: diagnostic('PALISADE_SOURCE_RENDER_FAILED', { program: `${program} ${args[0]}`, detail }) };
  }
  return { text: r.stdout, program: `${program} ${args[0]}` };
}

/** `helm template` of a chart directory. */
export function renderChart(dir: string): RenderResult {
  return run('helm', ['template', 'palisade-scan', dir], 'a Helm chart');
}

/** `kubectl kustomize` of a directory with a kustomization file. */
export function renderKustomization(dir: string): RenderResult {
  return run('kubectl', ['kustomize', dir], 'a Kustomize directory');
}
