/**
 * Precision and recall of baselines + correlation on the labelled generated history:
 * a record (anomaly alert or incident) is a true positive when the event it is about (the
 * last timeline event, for incidents) belongs to an injected episode; an episode is
 * detected when at least one record is about one of its events.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeAuditLogs } from '../audit/analyze.js';
import { AuditDetector, builtinRuleFiles, loadAuditRules, readRuleFiles } from '../audit/detector.js';
import { Baseline } from './baseline.js';
import { Correlator } from '../correlate/correlator.js';
import type { DetectionRecord } from '../correlate/record.js';
import { generateScenario } from '../correlate/scenario.js';
import { BUILTIN_SEQUENCES_FILE, loadSequenceFile } from '../correlate/sequences.js';

describe('detection quality on generated data', () => {
  it('reaches precision ≥ 0.8 and recall ≥ 0.8 (figures printed)', async () => {
    const figures: string[] = [];
    for (const seed of [7, 11, 23]) {
      const sc = generateScenario({ seed });
      const episodeOf = new Map(sc.events.map((e) => [e.event.raw.auditID as string, e.episode]));
      const out: DetectionRecord[] = [];
      await analyzeAuditLogs({
        inputs: [{ name: 'gen', open: async function* () { for (const e of sc.events) yield JSON.stringify(e.event.raw) + '\n'; } }],
        detector: new AuditDetector(loadAuditRules(readRuleFiles(builtinRuleFiles())).rules, { hostname: 'h' }),
        limiter: { dedupWindowMs: 60_000, ratePerSecond: 0, burst: 1 },
        correlator: new Correlator(loadSequenceFile(BUILTIN_SEQUENCES_FILE).sequences, { hostname: 'h' }),
        baseline: new Baseline({ learnForMs: sc.learnMs, hostname: 'h' }),
        emit: (a) => {
          if (a.palisade.anomaly || a.palisade.timeline) out.push(a);
        },
      });
      const about = (r: DetectionRecord): string | undefined => {
        const id = r.palisade.timeline ? r.palisade.timeline[r.palisade.timeline.length - 1]!.auditID : (r.output_fields['ka.auditid'] as string | null);
        return id ? episodeOf.get(id) : undefined;
      };
      const tp = out.filter((r) => about(r) !== undefined);
      const detected = new Set(tp.map(about));
      const precision = tp.length / out.length;
      const recall = detected.size / sc.episodes.length;
      const missed = sc.episodes.filter((e) => !detected.has(e.id)).map((e) => e.id);
      const fps = out.filter((r) => about(r) === undefined).map((r) => `${r.rule}: ${r.output}`);
      figures.push(`seed ${seed}: ${sc.events.length} events, ${sc.episodes.length} episodes, ${out.length} records, precision ${precision.toFixed(3)} (${tp.length}/${out.length}), recall ${recall.toFixed(3)} (${detected.size}/${sc.episodes.length})${missed.length ? `, missed ${missed.join(', ')}` : ''}`);
      for (const f of fps) figures.push(`  false positive: ${f}`);
      assert.ok(precision >= 0.8, figures.join('\n'));
      assert.ok(recall >= 0.8, figures.join('\n'));
      assert.equal(out.filter((r) => r.palisade.timeline).length, 1);
    }
    console.log(figures.join('\n'));
  });
});
