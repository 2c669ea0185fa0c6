/**
 * The scan flow for a live cluster: list what the controls need → inventory → engine →
 * exceptions → frameworks, as for manifests. Kinds the scan could not read become warnings,
 * and the controls that needed them are never counted as passed.
 */
import { resolve } from 'node:path';
import type { Control, ControlSettings } from '../core/control.js';
import { diagnostic, type Diagnostic } from '../core/errors.js';
import type { Resource } from '../core/resource.js';
import type { Severity } from '../core/severity.js';
import { VERSION } from '../core/version.js';
import type { Framework } from '../frameworks/loader.js';
import { frameworkStatus } from '../frameworks/scoring.js';
import { buildInventory } from '../inventory/inventory.js';
import type { ClusterClient } from '../sources/cluster/client.js';
import { coveragePlan, WORKLOAD_KINDS } from '../sources/cluster/kinds.js';
import { listClusterResources, type CoverageGap, type ListProgress } from '../sources/cluster/list.js';
import { runControls } from './engine.js';
import type { ExceptionSet } from './exceptions.js';
import { compareFindings } from '../core/finding.js';
import type { ScanGap, ScanResult } from './scan-result.js';

export interface JudgeOptions {
  controls: readonly Control[];
  settings: ControlSettings;
  controlOptions?: Record<string, Record<string, unknown>>;
  severityOverrides?: Record<string, Severity>;
  exceptions?: ExceptionSet;
  frameworks?: readonly Framework[];
  /** Extra diagnostics to report first (configuration problems…). */
  diagnostics?: Diagnostic[];
  /** Directory reports treat as the root (SARIF's %SRCROOT%); default the current directory. */
  root?: string;
}

export interface ClusterScanOptions extends JudgeOptions {
  client: ClusterClient;
  pageSize?: number;
  onProgress?: (p: ListProgress) => void;
  signal?: AbortSignal;
}

export async function scanCluster(opts: ClusterScanOptions): Promise<ScanResult> {
  const started = Date.now();
  const plan = coveragePlan(opts.controls);
  const listed = await listClusterResources(opts.client, {
    kinds: plan.kinds,
    names: plan.unresolved,
    pageSize: opts.pageSize,
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
  return judgeClusterResources(opts.client.cluster, listed.resources, listed.gaps, { ...opts, started, resolvedNames: listed.resolvedNames });
}

/**
 * Judges objects read from a cluster (a one-off list, or a ClusterWatcher's resources() and
 * gaps() for continuous scans).
 */
export function judgeClusterResources(
  cluster: string,
  all: readonly Resource[],
  gaps: readonly CoverageGap[],
  opts: JudgeOptions & { started?: number; resolvedNames?: ReadonlyMap<string, string> },
): ScanResult {
  const started = opts.started ?? Date.now();
  const resources = withoutControlled(all);
  const engine = runControls(buildInventory(resources), {
    controls: opts.controls,
    settings: opts.settings,
    controlOptions: opts.controlOptions,
    severityOverrides: opts.severityOverrides,
    exceptionFor: opts.exceptions?.exceptionFor,
  });
  engine.findings.sort(compareFindings);

  const plan = coveragePlan(opts.controls);
  const scanGaps: ScanGap[] = gaps.map((g) => ({ ...g, controls: [] }));
  for (const [id, reads] of plan.reads) {
    const kinds = new Set(reads.map((k) => opts.resolvedNames?.get(k) ?? k));
    for (const g of scanGaps) if (kinds.has(g.kind)) g.controls.push(id);
  }
  const incomplete = new Set(scanGaps.flatMap((g) => g.controls));
  const gapDiagnostics = scanGaps.map((g) => {
    const apiVersion = g.group ? `${g.group}/${g.version}` : g.version;
    const resource = g.resource ?? g.kind;
    const controls = g.controls.length ? g.controls.join(', ') : 'no selected control';
    return g.reason === 'forbidden'
      ? diagnostic('PALISADE_CLUSTER_FORBIDDEN', { resource, apiVersion, controls }, { level: 'warning' })
      : diagnostic('PALISADE_CLUSTER_UNAVAILABLE', { resource, apiVersion, reason: g.message, controls }, { level: 'warning' });
  });

  const byKind: Record<string, number> = {};
  for (const r of resources) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
  return {
    tool: { name: 'palisade', version: VERSION },
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    root: resolve(opts.root ?? process.cwd()),
    inputs: [`k8s://${cluster}`],
    resources: { total: resources.length, byKind },
    files: 0,
    controls: engine.controls,
    findings: engine.findings,
    frameworks: (opts.frameworks ?? []).map((fw) => frameworkStatus(fw, engine.controls, incomplete)),
    diagnostics: [...(opts.diagnostics ?? []), ...gapDiagnostics, ...engine.diagnostics, ...(opts.exceptions?.report() ?? [])],
    cluster,
    gaps: scanGaps,
  };
}

/**
 * Workloads a listed controller owns (a Deployment's ReplicaSets, their Pods, a CronJob's
 * Jobs) are judged through their controller's template, once, as a manifest scan would:
 * otherwise every finding on a Deployment appears three times. A Pod whose controller was
 * not read (a gap, a kind we do not list) is judged itself.
 */
export function withoutControlled(resources: readonly Resource[]): Resource[] {
  const workloadUids = new Set<string>();
  for (const r of resources) if (r.origin.type === 'cluster' && r.origin.uid && WORKLOAD_KINDS.includes(r.kind)) workloadUids.add(r.origin.uid);
  return resources.filter((r) => {
    if (!WORKLOAD_KINDS.includes(r.kind)) return true;
    const owners = r.object.metadata?.ownerReferences;
    if (!Array.isArray(owners)) return true;
    return !owners.some((o: { controller?: unknown; uid?: unknown }) => o?.controller === true && typeof o.uid === 'string' && workloadUids.has(o.uid));
  });
}
