/**
 * `audit analyze` as a library call: streams every input through the detector and the
 * alert limiter, handing each admitted alert to `emit` as soon as it exists.
 */
import { diagnostic, type Diagnostic } from '../../core/errors.js';
import { AlertLimiter, type Alert, type LimiterOptions } from './alerts.js';
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
}

export async function analyzeAuditLogs(opts: {
  inputs: readonly AnalyzeInput[];
  detector: AuditDetector;
  limiter: LimiterOptions;
  limits?: ReadLimits;
  /** May return a promise to apply backpressure (a slow pipe on standard output). */
  emit: (a: Alert) => void | Promise<void>;
}): Promise<AnalyzeResult> {
  const limiter = new AlertLimiter(opts.limiter);
  const diagnostics: Diagnostic[] = [];
  let events = 0;
  let alerts = 0;
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
        if (!matched.length) continue;
        const atMs = Number(BigInt(ev.rawtime) / 1_000_000n);
        for (const r of matched) {
          const a = opts.detector.alert(r, ev);
          if (!limiter.admit(a.rule, a.output, atMs)) continue;
          alerts++;
          const pending = opts.emit(a);
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
  return { events, alerts, suppressed: limiter.suppressed, diagnostics };
}
