/**
 * `audit analyze` as a library call: streams every input through the detector and the
 * alert limiter, handing each admitted alert to `emit` as soon as it exists.
 */
import { diagnostic, type Diagnostic } from '../../core/errors.js';
import type { LimiterOptions } from './alerts.js';
import type { Baseline } from '../baseline/baseline.js';
import type { Correlator } from '../correlate/correlator.js';
import { eventFacts } from '../correlate/entity.js';
import type { DetectionRecord } from '../correlate/record.js';
import type { AuditDetector } from './detector.js';
import { DEFAULT_READ_LIMITS, readAuditStream, type ReadLimits } from './reader.js';
import type { AuditEvent } from './event.js';
import { DetectionPipeline } from './pipeline.js';

export interface AnalyzeInput {
  /** Shown in diagnostics ("-" is standard input). */
  name: string;
  open: () => AsyncIterable<Buffer | string>;
}

export interface AnalyzeResult {
  events: number;
  alerts: number;
  suppressed: Map<string, { duplicate: number; rateLimited: number }>;
  diagnostics: Diagnostic[];
  /** Incidents emitted by correlation (not counted in `alerts`). */
  incidents: number;
  /** Anomaly alerts from the baseline (counted in `alerts` when admitted). */
  anomalies: number;
  /** Events read from `learnInputs`. */
  learnedEvents: number;
}

/** Teaches the baseline from audit logs without raising alerts (--baseline-learn); returns the events read. */
export async function learnBaseline(baseline: Baseline, inputs: readonly AnalyzeInput[], limits: ReadLimits, onDiagnostic: (d: Diagnostic) => void, unreadable: (input: AnalyzeInput, e: unknown) => void): Promise<number> {
  let learned = 0;
  for (const input of inputs) {
    try {
      await readAuditStream(input.open(), input.name, limits, {
        event: (ev) => {
          learned++;
          baseline.learnOnly(eventFacts(ev));
        },
        diagnostic: onDiagnostic,
      });
    } catch (e) {
      unreadable(input, e);
    }
  }
  return learned;
}

export async function analyzeAuditLogs(opts: {
  inputs: readonly AnalyzeInput[];
  detector: AuditDetector;
  limiter: LimiterOptions;
  limits?: ReadLimits;
  /** Correlates alerts and events into incidents (src/detect/correlate). */
  correlator?: Correlator;
  /** Learns behaviour per identity and raises anomaly alerts (src/detect/baseline). */
  baseline?: Baseline;
  /** Read first, only to teach `baseline` (--baseline-learn). */
  learnInputs?: readonly AnalyzeInput[];
  /**
   * May return a promise to apply backpressure (a slow pipe on standard output). A method
   * so that callers written for rule alerts (`(a: Alert) => …`) still fit: incidents and
   * anomaly alerts have the same shape with `palisade.incident` set.
   */
  emit(a: DetectionRecord): void | Promise<void>;
}): Promise<AnalyzeResult> {
  const pipeline = new DetectionPipeline(opts.detector, opts.limiter, opts.correlator, opts.baseline);
  const diagnostics: Diagnostic[] = [];
  let events = 0;
  const { correlator, baseline } = opts;
  const limits = opts.limits ?? DEFAULT_READ_LIMITS;
  const onDiagnostic = (d: Diagnostic): void => {
    diagnostics.push(d);
  };
  const unreadable = (input: AnalyzeInput, e: unknown): void => {
    const err = e as NodeJS.ErrnoException;
    diagnostics.push(diagnostic('PALISADE_DETECT_INPUT', { reason: err.code === 'ENOENT' ? 'no such file' : err.code ?? err.message }, { file: input.name }));
  };
  const learnedEvents = baseline ? await learnBaseline(baseline, opts.learnInputs ?? [], limits, onDiagnostic, unreadable) : 0;
  const emitAll = async (records: readonly DetectionRecord[]): Promise<void> => {
    for (const r of records) {
      const pending = opts.emit(r);
      if (pending) await pending;
    }
  };
  // Called for every event: the common case (nothing to emit) returns without awaiting.
  const onEvent = (ev: AuditEvent): void | Promise<void> => {
    events++;
    const out = pipeline.process(ev);
    if (out.length) return emitAll(out);
  };
  for (const input of opts.inputs) {
    try {
      await readAuditStream(input.open(), input.name, limits, { event: onEvent, diagnostic: onDiagnostic });
    } catch (e) {
      unreadable(input, e);
    }
  }
  const limiter = pipeline.limiter;
  for (const [rule, s] of limiter.suppressed) {
    if (s.duplicate) diagnostics.push(diagnostic('PALISADE_DETECT_SUPPRESSED', { rule, count: s.duplicate, why: `duplicates within ${opts.limiter.dedupWindowMs / 1000}s` }, { level: 'note' }));
    if (s.rateLimited) diagnostics.push(diagnostic('PALISADE_DETECT_SUPPRESSED', { rule, count: s.rateLimited, why: `over ${opts.limiter.ratePerSecond}/s, burst ${opts.limiter.burst}` }, { level: 'note' }));
  }
  if (correlator?.evicted) diagnostics.push(diagnostic('PALISADE_DETECT_CORRELATION_EVICTED', { count: correlator.evicted, cap: correlator.maxEntities }, { level: 'warning' }));
  return { events, alerts: pipeline.alerts, suppressed: limiter.suppressed, diagnostics, incidents: pipeline.incidents, anomalies: pipeline.anomalies, learnedEvents };
}
