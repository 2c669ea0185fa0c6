import { stringify } from 'yaml';
import type { Finding } from '../core/finding.js';
import { toDotted } from '../core/path.js';
import type { ScanResult } from '../engine/scan-result.js';
import type { Formatter } from './formatter.js';

/*
 * Kubernetes policy reports, as Policy Reporter, Kyverno's tooling and the wg-policy
 * dashboards read them. Written as multi-document YAML (one document per report, `---`
 * between them) so `kubectl apply -f` takes the file as it is:
 * - one namespaced report per namespace with findings (metadata.namespace = it);
 * - one cluster report for cluster-scoped resources, for input errors (result "error",
 *   policy = the error code) and for the controls that examined resources and found nothing
 *   (result "pass", no resources: it applies to the report scope, the whole scan).
 * Failing findings are "fail"; excepted ones "skip" with the exception in properties.
 * Resources that passed are only counted by the scan, so they have no result of their own.
 */

export interface ReportFlavor {
  apiVersion: string;
  namespacedKind: string;
  clusterKind: string;
  /** OpenReports carries the engine name on the report as well as on each result. */
  reportSource: boolean;
}

export const POLICY_REPORT: ReportFlavor = { apiVersion: 'wgpolicyk8s.io/v1alpha2', namespacedKind: 'PolicyReport', clusterKind: 'ClusterPolicyReport', reportSource: false };
export const OPEN_REPORTS: ReportFlavor = { apiVersion: 'openreports.io/v1alpha1', namespacedKind: 'Report', clusterKind: 'ClusterReport', reportSource: true };

export type ReportResultValue = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

export interface PolicyReportResult {
  source: string;
  policy: string;
  rule?: string;
  category?: string;
  severity?: string;
  timestamp: { seconds: number; nanos: number };
  result: ReportResultValue;
  scored: boolean;
  resources?: Array<{ apiVersion: string; kind: string; namespace?: string; name: string }>;
  message: string;
  properties?: Record<string, string>;
}

export interface PolicyReportDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string> };
  source?: string;
  summary: Record<ReportResultValue, number>;
  results: PolicyReportResult[];
}

const SOURCE = 'palisade';
/** Kubernetes keeps objects under ~1.5 MiB; a report per namespace stays well under by capping its results. */
export const MAX_RESULTS_PER_REPORT = 2000;
const MAX_PROPERTY = 1024;

export function policyReports(result: ScanResult, flavor: ReportFlavor = POLICY_REPORT): PolicyReportDoc[] {
  const ms = Date.parse(result.startedAt);
  const timestamp = { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
  const controls = new Map(result.controls.map((c) => [c.meta.id, c]));
  const byNamespace = new Map<string, PolicyReportResult[]>();
  const cluster: PolicyReportResult[] = [];

  for (const f of result.findings) {
    if (f.status !== 'fail' && f.status !== 'excepted') continue;
    const r = findingResult(f, controls.get(f.controlId)?.meta.category, timestamp);
    const ns = f.resource.namespace;
    if (!ns) cluster.push(r);
    else {
      const list = byNamespace.get(ns);
      if (list) list.push(r);
      else byNamespace.set(ns, [r]);
    }
  }
  for (const run of [...result.controls].sort((a, b) => cmp(a.meta.id, b.meta.id))) {
    if (run.evaluated === 0 || run.failed + run.excepted > 0) continue;
    cluster.push({
      source: SOURCE,
      policy: run.meta.id,
      category: run.meta.category,
      severity: run.severity,
      timestamp,
      result: 'pass',
      scored: true,
      message: `${run.meta.title}: ${run.evaluated} resource(s) examined, none failed`,
      properties: { title: run.meta.title, evaluated: String(run.evaluated) },
    });
  }
  for (const d of result.diagnostics) {
    if (d.level !== 'error') continue;
    cluster.push({
      source: SOURCE,
      policy: d.code,
      timestamp,
      result: 'error',
      scored: false,
      message: d.message,
      properties: clean({ file: d.file, line: d.line === undefined ? undefined : String(d.line), column: d.column === undefined ? undefined : String(d.column), field: d.field }),
    });
  }

  const docs: PolicyReportDoc[] = [];
  for (const ns of [...byNamespace.keys()].sort(cmp)) docs.push(report(flavor, flavor.namespacedKind, `palisade-${ns}`, ns, byNamespace.get(ns)!));
  docs.push(report(flavor, flavor.clusterKind, 'palisade-cluster', undefined, cluster));
  return docs;
}

function findingResult(f: Finding, category: string | undefined, timestamp: PolicyReportResult['timestamp']): PolicyReportResult {
  const props: Record<string, string | undefined> = {
    path: toDotted(f.path),
    fingerprint: f.fingerprint,
    file: f.location?.file,
    line: f.location ? String(f.location.line) : undefined,
    column: f.location ? String(f.location.column) : undefined,
    evidence: f.evidence === undefined ? undefined : typeof f.evidence === 'string' ? f.evidence : JSON.stringify(f.evidence),
    exceptionId: f.exception?.id,
    exceptionReason: f.exception?.reason,
    exceptionOwner: f.exception?.owner,
    exceptionExpires: f.exception?.expires,
  };
  const ref = { apiVersion: f.resource.apiVersion, kind: f.resource.kind, ...(f.resource.namespace ? { namespace: f.resource.namespace } : {}), name: f.resource.name };
  return {
    source: SOURCE,
    policy: f.controlId,
    rule: f.messageId,
    ...(category ? { category } : {}),
    severity: f.severity,
    timestamp,
    result: f.status === 'excepted' ? 'skip' : 'fail',
    scored: true,
    resources: [ref],
    message: f.message,
    properties: clean(props),
  };
}

function report(flavor: ReportFlavor, kind: string, name: string, namespace: string | undefined, all: PolicyReportResult[]): PolicyReportDoc {
  const summary: Record<ReportResultValue, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of all) summary[r.result]++;
  const results = all.slice(0, MAX_RESULTS_PER_REPORT);
  const annotations = all.length > results.length ? { 'palisade.dev/results-truncated': `${all.length - results.length} of ${all.length} results left out; see the JSON report` } : undefined;
  return {
    apiVersion: flavor.apiVersion,
    kind,
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'palisade' },
      ...(annotations ? { annotations } : {}),
    },
    ...(flavor.reportSource ? { source: SOURCE } : {}),
    summary,
    results,
  };
}

function clean(props: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) if (v !== undefined) out[k] = v.length > MAX_PROPERTY ? v.slice(0, MAX_PROPERTY - 1) + '…' : v;
  return out;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function renderReports(result: ScanResult, flavor: ReportFlavor): string {
  return policyReports(result, flavor)
    .map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
}

export const policyReportFormatter: Formatter = {
  name: 'policyreport',
  description: 'wgpolicyk8s.io/v1alpha2 PolicyReport per namespace and a ClusterPolicyReport (multi-document YAML).',
  extension: 'yaml',
  render(result) {
    return renderReports(result, POLICY_REPORT);
  },
};
