/**
 * Ingestion: a CI run's JSON report recorded as a scan of a cluster, and audit EventLists
 * run through the same detection pipeline as `audit analyze` (rules, alert limiter,
 * correlation into incidents) with the alerts recorded in the store. Detection state is
 * kept per cluster across batches; the number of clusters with state is bounded, least
 * recently used first out.
 */
import { DEFAULT_SERVE_LIMITER, type LimiterOptions } from '../detect/audit/alerts.js';
import { AuditDetector, builtinRuleFiles, loadAuditRules, readRuleFiles } from '../detect/audit/detector.js';
import { AUDIT_API_VERSIONS, toAuditEvent } from '../detect/audit/event.js';
import { DetectionPipeline } from '../detect/audit/pipeline.js';
import { Correlator } from '../detect/correlate/correlator.js';
import type { DetectionRecord } from '../detect/correlate/record.js';
import { BUILTIN_SEQUENCES_FILE, loadSequenceFile, type Sequence } from '../detect/correlate/sequences.js';
import { SEVERITIES } from '../core/severity.js';
import type { ScanResult } from '../engine/scan-result.js';
import type { RecordScanOutcome, ScanSource, Store } from '../store/types.js';
import { apiError } from './http.js';
import type { ServerMetrics } from './metrics.js';
import { ReportError, scanResultFromJson } from './report-json.js';

/** Reads a JSON report; a bad one is an ApiError 400 naming the field. */
export function parseScanReport(value: unknown): ScanResult {
  try {
    return scanResultFromJson(value);
  } catch (e) {
    if (e instanceof ReportError) throw apiError(400, 'PALISADE_API_MALFORMED_REPORT', { field: e.field, detail: e.detail }, { field: e.field });
    throw e;
  }
}

/** Records a scan and updates the metrics that follow it. */
export async function recordScan(store: Store, metrics: ServerMetrics, cluster: string, source: ScanSource, result: ScanResult): Promise<RecordScanOutcome> {
  const outcome = await store.recordScan(cluster, source, result);
  metrics.scansIngested.inc({ cluster, source });
  const open: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  for (const f of result.findings) if (f.status === 'fail') open[f.severity]!++;
  for (const s of SEVERITIES) metrics.findingsOpen.set({ cluster, severity: s }, open[s]!);
  return outcome;
}

export interface AuditIngestResult {
  events: number;
  alerts: number;
  incidents: number;
  /** Items of the list that were not audit Events. */
  skipped: number;
  records: DetectionRecord[];
}

const MAX_CLUSTERS_WITH_STATE = 64;

/**
 * The detection pipeline of `audit analyze` and `audit serve` (rules → alerts, correlation →
 * incidents, the alert limiter), one per cluster and kept across batches: a kill chain and a
 * duplicate alert span batches.
 */
export class AuditPipeline {
  private readonly detector: AuditDetector;
  private readonly sequences: Sequence[];
  private readonly pipelines = new Map<string, DetectionPipeline>();
  private readonly limiter: LimiterOptions;
  private readonly maxEntities: number | undefined;
  /** Enabled rules. */
  readonly rules: number;

  constructor(opts: { ruleFiles?: readonly string[]; sequenceFiles?: readonly string[]; limiter?: LimiterOptions; maxEntities?: number } = {}) {
    const loaded = loadAuditRules(readRuleFiles(opts.ruleFiles ?? builtinRuleFiles()));
    const errors = loaded.diagnostics.filter((d) => d.level === 'error');
    if (errors.length) throw new Error(`audit rules do not load: ${errors[0]!.message}`);
    this.detector = new AuditDetector(loaded.rules);
    this.rules = loaded.rules.filter((r) => r.enabled).length;
    this.sequences = (opts.sequenceFiles ?? [BUILTIN_SEQUENCES_FILE]).flatMap((f) => loadSequenceFile(f).sequences);
    this.limiter = opts.limiter ?? DEFAULT_SERVE_LIMITER;
    this.maxEntities = opts.maxEntities;
  }

  private pipelineFor(cluster: string): DetectionPipeline {
    let p = this.pipelines.get(cluster);
    if (p) this.pipelines.delete(cluster);
    else {
      p = new DetectionPipeline(this.detector, this.limiter, new Correlator(this.sequences, { maxEntities: this.maxEntities }));
      if (this.pipelines.size >= MAX_CLUSTERS_WITH_STATE) this.pipelines.delete(this.pipelines.keys().next().value!);
    }
    this.pipelines.set(cluster, p);
    return p;
  }

  /** Checks the EventList (an ApiError 400 naming what is wrong) and runs its events through detection. */
  analyze(cluster: string, parsed: unknown): AuditIngestResult {
    const bad = (field: string, detail: string) => apiError(400, 'PALISADE_API_BAD_REQUEST', { field, detail }, { field });
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('(body)', 'expected a JSON object (an audit.k8s.io EventList)');
    const list = parsed as { kind?: unknown; apiVersion?: unknown; items?: unknown };
    if (list.kind !== 'EventList') throw bad('kind', `is ${JSON.stringify(list.kind ?? null)}; expected EventList`);
    if (!AUDIT_API_VERSIONS.includes(String(list.apiVersion))) throw bad('apiVersion', `is ${JSON.stringify(list.apiVersion ?? null)}; expected ${AUDIT_API_VERSIONS.join(' or ')}`);
    if (list.items !== null && list.items !== undefined && !Array.isArray(list.items)) throw bad('items', 'is not a list');
    const pipeline = this.pipelineFor(cluster);
    const alertsBefore = pipeline.alerts;
    const incidentsBefore = pipeline.incidents;
    const records: DetectionRecord[] = [];
    let events = 0;
    let skipped = 0;
    for (const item of (list.items ?? []) as unknown[]) {
      const ev = toAuditEvent(item);
      if (typeof ev === 'string') {
        skipped++;
        continue;
      }
      events++;
      for (const r of pipeline.process(ev)) records.push(r);
    }
    return { events, alerts: pipeline.alerts - alertsBefore, incidents: pipeline.incidents - incidentsBefore, skipped, records };
  }
}
