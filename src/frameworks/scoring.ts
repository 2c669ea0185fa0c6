import type { ControlRun } from '../engine/engine.js';
import type { Assessment, Framework } from './loader.js';

/**
 * pass: every mapped control that ran examined something and none failed (automated requirement).
 * partial: as pass, but the controls evidence only part of the requirement; the rest needs review.
 * fail: a mapped control has at least one finding that is not excepted.
 * manual: organisational or process requirement; never counted as passed.
 * node: evidenced by node or host checks, not by this scan.
 * not-evaluated: none of its controls ran, or they had nothing to examine, or one of them could
 *   not read every kind it needs (a live scan's coverage gap).
 */
export type RequirementStatus = 'pass' | 'partial' | 'fail' | 'manual' | 'node' | 'not-evaluated';

export const REQUIREMENT_STATUSES: readonly RequirementStatus[] = ['pass', 'partial', 'fail', 'manual', 'node', 'not-evaluated'];

export interface RequirementResult {
  id: string;
  title: string;
  section?: string;
  assessment: Assessment;
  status: RequirementStatus;
  controls: string[];
  /** Failing findings of the mapped controls. */
  failed: number;
  excepted: number;
}

export interface FrameworkStatus {
  id: string;
  title: string;
  version: string;
  /** 100 × (pass + partial) / (pass + partial + fail), rounded; null when nothing was evaluated. */
  score: number | null;
  counts: Record<RequirementStatus, number>;
  requirements: RequirementResult[];
}

/**
 * `incomplete`: ids of controls that could not see every object they need (a live scan
 * that was denied a kind). A requirement they evidence fails on their findings, but never passes.
 */
export function frameworkStatus(fw: Framework, runs: readonly ControlRun[], incomplete?: ReadonlySet<string>): FrameworkStatus {
  const byId = new Map(runs.map((r) => [r.meta.id, r]));
  const counts = Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, 0])) as Record<RequirementStatus, number>;
  const requirements = fw.requirements.map((req): RequirementResult => {
    const ran = req.controls.map((c) => byId.get(c)).filter((r): r is ControlRun => !!r);
    const failed = ran.reduce((n, r) => n + r.failed, 0);
    const excepted = ran.reduce((n, r) => n + r.excepted, 0);
    const examined = ran.some((r) => r.evaluated > 0) && !(incomplete && req.controls.some((c) => incomplete.has(c)));
    let status: RequirementStatus;
    if (req.assessment === 'manual') status = 'manual';
    else if (failed > 0) status = 'fail';
    else if (!examined) status = req.assessment === 'node' ? 'node' : 'not-evaluated';
    else status = req.assessment === 'automated' ? 'pass' : 'partial';
    counts[status]++;
    return { id: req.id, title: req.title, section: req.section, assessment: req.assessment, status, controls: req.controls, failed, excepted };
  });
  const judged = counts.pass + counts.partial + counts.fail;
  return {
    id: fw.id,
    title: fw.title,
    version: fw.version,
    score: judged === 0 ? null : Math.round((100 * (counts.pass + counts.partial)) / judged),
    counts,
    requirements,
  };
}
