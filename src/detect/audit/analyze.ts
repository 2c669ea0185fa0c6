/**
 * `audit analyze` as a library call: streams every input through the detector and the
 * alert limiter, handing each admitted alert to `emit` as soon as it exists.
 */
import { diagnostic, type Diagnostic } from '../../core/errors.js';
import { AlertLimiter, type LimiterOptions } from './alerts.js';
import type { Baseline } from '../baseline/baseline.js';
import type { Correlator } from '../correlate/correlator.js';
import { eventFacts } from '../correlate/entity.js';
import type { DetectionRecord } from '../correlate/record.js';
import type { AuditDetector } from './detector.js';
import { DEFAULT_READ_LIMITS, readAuditBatches, type ReadLimits } from './reader.js';

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
  const limiter = new AlertLimiter(opts.limiter);
  const diagnostics: Diagnostic[] = [];
  let events = 0;
  let alerts = 0;
  let incidents = 0;
  let anomalies = 0;
  let learnedEvents = 0;
  const { correlator, baseline } = opts;
  if (baseline) for (const input of opts.learnInputs ?? []) {
    try {
      for await (const batch of readAuditBatches(input.open(), input.name, opts.limits ?? DEFAULT_READ_LIMITS)) for (const rec of batch) {
        if ('diagnostic' in rec) diagnostics.push(rec.diagnostic);
        else {
          learnedEvents++;
          baseline.learnOnly(eventFacts(rec.event));
        }
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      diagnostics.push(diagnostic('PALISADE_DETECT_INPUT', { reason: err.code === 'ENOENT' ? 'no such file' : err.code ?? err.message }, { file: input.name }));
    }
  }
  for (const input of opts.inputs) {
    try {
      for await (const batch of readAuditBatches(input.open(), input.name, opts.limits ?? DEFAULT_READ_LIMITS)) for (const rec of batch) {
        if ('diagnostic' in rec) {
          diagnostics.push(rec.diagnostic);
          continue;
        }
        events++;
        const ev = rec.event;
        const matched = opts.detector.matches(ev);
        if (!matched.length && !correlator && !baseline) continue;
        const atMs = Number(BigInt(ev.rawtime) / 1_000_000n);
        const fired: DetectionRecord[] = matched.map((r) => opts.detector.alert(r, ev));
        let completed: DetectionRecord[] = [];
        if (correlator || baseline) {
          const facts = eventFacts(ev);
          if (baseline) {
            const found = baseline.observe(ev, facts);
            anomalies += found.length;
            fired.push(...found);
          }
          // Correlation sees every alert, also those the limiter drops: a duplicate is still evidence.
          if (correlator) completed = correlator.observe(ev, facts, fired);
        }
        for (const a of fired) {
          if (!limiter.admit(a.rule, a.output, atMs)) continue;
          alerts++;
          const pending = opts.emit(a);
          if (pending) await pending;
        }
        for (const i of completed) {
          incidents++;
          const pending = opts.emit(i);
          if (pending) await pending;
        }
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      diagnostics.push(diagnostic('PALISADE_DETECT_INPUT', { reason: err.code === 'ENOENT' ? 'no such file' : err.code ?? err.message }, { file: input.name }));
    }
  }
  for (const [rule, s] of limiter.suppressed) {
    if (s.duplicate) diagnostics.push(diagnostic('PALISADE_DETECT_SUPPRESSED', { rule, count: s.duplicate, why: `duplicates within ${opts.limiter.dedupWindowMs / 1000}s` }, { level: 'note' }));
    if (s.rateLimited) diagnostics.push(diagnostic('PALISADE_DETECT_SUPPRESSED', { rule, count: s.rateLimited, why: `over ${opts.limiter.ratePerSecond}/s, burst ${opts.limiter.burst}` }, { level: 'note' }));
  }
  if (correlator?.evicted) diagnostics.push(diagnostic('PALISADE_DETECT_CORRELATION_EVICTED', { count: correlator.evicted, cap: correlator.maxEntities }, { level: 'warning' }));
  return { events, alerts, suppressed: limiter.suppressed, diagnostics, incidents, anomalies, learnedEvents };
}
