/**
 * One event through detection, the same for `audit analyze` and `audit serve`: rules →
 * alerts, the baseline → anomaly alerts, correlation → incidents, then the alert limiter.
 * The common case (no alert, no correlation state touched) allocates nothing.
 */
import type { Baseline } from '../baseline/baseline.js';
import type { Correlator } from '../correlate/correlator.js';
import { eventFacts } from '../correlate/entity.js';
import type { DetectionRecord } from '../correlate/record.js';
import { AlertLimiter, outputText, type LimiterOptions } from './alerts.js';
import type { AuditDetector } from './detector.js';
import { eventMillis, type AuditEvent } from './event.js';

const NONE: readonly DetectionRecord[] = Object.freeze([]);

export class DetectionPipeline {
  readonly limiter: AlertLimiter;
  /** Rule and anomaly alerts admitted by the limiter. */
  alerts = 0;
  /** Anomaly alerts raised (admitted or not). */
  anomalies = 0;
  incidents = 0;

  constructor(
    private readonly detector: AuditDetector,
    limiter: LimiterOptions,
    readonly correlator?: Correlator,
    readonly baseline?: Baseline,
  ) {
    this.limiter = new AlertLimiter(limiter);
  }

  /** What to emit for this event, in order (admitted alerts, then completed incidents); NONE when nothing. */
  process(ev: AuditEvent): readonly DetectionRecord[] {
    const { detector, correlator, baseline } = this;
    const matched = detector.matches(ev);
    if (!matched.length && !correlator && !baseline) return NONE;
    let fired: DetectionRecord[] | undefined;
    if (matched.length) fired = matched.map((r) => detector.alert(r, ev));
    let completed: DetectionRecord[] | undefined;
    let atMs: number;
    if (correlator || baseline) {
      const facts = eventFacts(ev);
      atMs = facts.atMs;
      if (baseline) {
        const found = baseline.observe(ev, facts);
        if (found.length) {
          this.anomalies += found.length;
          (fired ??= []).push(...found);
        }
      }
      // Correlation sees every alert, also those the limiter drops: a duplicate is still evidence.
      if (correlator) {
        const done = correlator.observe(ev, facts, fired ?? NONE);
        if (done.length) completed = done;
      }
    } else atMs = eventMillis(ev);
    if (!fired && !completed) return NONE;
    const out: DetectionRecord[] = [];
    if (fired) for (const a of fired) {
      if (!this.limiter.admit(a.rule, outputText(a), atMs)) continue;
      this.alerts++;
      out.push(a);
    }
    if (completed) {
      this.incidents += completed.length;
      out.push(...completed);
    }
    return out;
  }
}
