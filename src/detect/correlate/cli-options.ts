/**
 * The `audit analyze` options for correlation and baselines, declared as data (the CLI
 * spreads them into its spec, so help and docs/cli.md come from here), and the code that
 * turns parsed values into a Correlator and a Baseline.
 */
import { relative, resolve } from 'node:path';
import { diagnostic, type Diagnostic } from '../../core/errors.js';
import { Baseline, DEFAULT_MAX_IDENTITIES, DEFAULT_MAX_VALUES, DEFAULT_THRESHOLD } from '../baseline/baseline.js';
import { loadBaselineFile, saveBaselineFile } from '../baseline/file.js';
import { Correlator, DEFAULT_MAX_ENTITIES } from './correlator.js';
import { parseDuration } from './duration.js';
import { BUILTIN_SEQUENCES_FILE, loadSequenceFile, unknownRuleReferences, type Sequence } from './sequences.js';

export const DETECTION_OPTIONS = [
  { name: 'correlate', type: 'boolean', description: 'Correlate alerts and events of one entity into incidents (kill chains); on by default.' },
  { name: 'no-correlate', type: 'boolean', description: 'Do not correlate.' },
  { name: 'sequences', type: 'string', multiple: true, valueName: 'FILE', description: 'Correlation sequences file(s) to use instead of the built-in src/detect/correlate/sequences.yaml.' },
  { name: 'max-entities', type: 'string', valueName: 'COUNT', description: 'Correlation state kept for at most this many (sequence, entity) pairs; the least recently active are dropped.', default: String(DEFAULT_MAX_ENTITIES) },
  { name: 'baseline', type: 'string', valueName: 'FILE', description: 'Behavioural baseline per identity: loaded from FILE if it exists, saved to FILE after the run. Without --learn-for, a missing FILE means this run only learns.' },
  { name: 'baseline-learn', type: 'string', multiple: true, valueName: 'FILE', description: 'Audit log(s) to learn the baseline from before analysing (no alerts are raised on them).' },
  { name: 'learn-for', type: 'string', valueName: 'DURATION', description: 'Learn from the first DURATION of event time (e.g. 1h, 7d), then raise anomaly alerts.' },
  { name: 'anomaly-threshold', type: 'string', valueName: 'PROBABILITY', description: 'Raise an anomaly alert when the estimated probability of what was seen (a new value, a request rate) is at most this.', default: String(DEFAULT_THRESHOLD) },
] as const;

export const DETECTION_OPTION_NAMES: readonly string[] = DETECTION_OPTIONS.map((o) => o.name);

export interface DetectionSetup {
  correlator?: Correlator;
  baseline?: Baseline;
  learnFiles: string[];
  /** Problems found while setting up; errors stop the command. */
  diagnostics: Diagnostic[];
  /** The --baseline file, resolved. */
  baselineFile?: string;
  /** Saves the baseline when --baseline was given (and was readable). */
  finish(): Diagnostic[];
}

function usage(option: string, detail: string): Diagnostic {
  return diagnostic('PALISADE_CLI_USAGE', { detail: `--${option}: ${detail}` }, { field: `--${option}` });
}

export function detectionFromOptions(values: Record<string, unknown>, cwd: string, ruleNames: ReadonlySet<string>): DetectionSetup {
  const diagnostics: Diagnostic[] = [];
  const show = (p: string): string => relative(cwd, p) || p;
  let correlator: Correlator | undefined;
  const ownSequences = Array.isArray(values.sequences) && values.sequences.length > 0;
  // The built-in sequences name built-in rules: with --no-builtin they are left out too.
  if (values['no-correlate'] !== true && (ownSequences || values['no-builtin'] !== true)) {
    const maxEntities = Number(values['max-entities'] ?? DEFAULT_MAX_ENTITIES);
    if (!Number.isInteger(maxEntities) || maxEntities < 1) diagnostics.push(usage('max-entities', `expected a whole number ≥ 1, got "${String(values['max-entities'])}"`));
    const files = Array.isArray(values.sequences) && values.sequences.length ? values.sequences.map((f) => resolve(cwd, String(f))) : [BUILTIN_SEQUENCES_FILE];
    const sequences: Sequence[] = [];
    for (const f of files) {
      try {
        const loaded = loadSequenceFile(f, show(f));
        diagnostics.push(...loaded.diagnostics);
        sequences.push(...loaded.sequences);
      } catch (e) {
        diagnostics.push(diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: show(f) }));
      }
    }
    for (const u of unknownRuleReferences(sequences, ruleNames)) diagnostics.push(diagnostic('PALISADE_DETECT_SEQUENCE_UNKNOWN_RULE', u, { level: 'warning' }));
    if (Number.isInteger(maxEntities) && maxEntities >= 1) correlator = new Correlator(sequences, { maxEntities });
  }

  let baseline: Baseline | undefined;
  const baselineFile = typeof values.baseline === 'string' ? resolve(cwd, values.baseline) : undefined;
  const learnFiles = Array.isArray(values['baseline-learn']) ? values['baseline-learn'].map((f) => String(f)) : [];
  let learnForMs: number | undefined;
  if (values['learn-for'] !== undefined) {
    learnForMs = parseDuration(values['learn-for']);
    if (learnForMs === undefined) diagnostics.push(usage('learn-for', `expected a duration such as 30m, 12h or 7d, got "${String(values['learn-for'])}"`));
  }
  const threshold = Number(values['anomaly-threshold'] ?? DEFAULT_THRESHOLD);
  if (!(threshold > 0 && threshold < 1)) diagnostics.push(usage('anomaly-threshold', `expected a probability between 0 and 1 (exclusive), got "${String(values['anomaly-threshold'])}"`));
  let ok = true;
  if (baselineFile || learnFiles.length || learnForMs !== undefined) {
    baseline = new Baseline({ threshold, learnForMs, maxIdentities: DEFAULT_MAX_IDENTITIES, maxValues: DEFAULT_MAX_VALUES });
    let loaded = false;
    if (baselineFile) {
      const r = loadBaselineFile(baseline, baselineFile, show(baselineFile));
      if (r.diagnostic) {
        diagnostics.push(r.diagnostic);
        ok = false; // never overwrite a baseline we could not read
      }
      loaded = r.loaded;
    }
    const learnOnly = learnForMs === undefined && !loaded && !learnFiles.length;
    if (learnOnly) baseline.learnWithoutDetecting();
    if (learnOnly && baselineFile) diagnostics.push(diagnostic('PALISADE_DETECT_BASELINE_LEARNING', { file: show(baselineFile) }, { level: 'note', file: show(baselineFile) }));
  }
  return {
    correlator,
    baseline,
    learnFiles,
    diagnostics,
    baselineFile,
    finish: () => (baseline && baselineFile && ok ? [saveBaselineFile(baseline, baselineFile, show(baselineFile))].filter((d): d is Diagnostic => d !== undefined) : []),
  };
}
