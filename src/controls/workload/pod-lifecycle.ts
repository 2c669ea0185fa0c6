import type { ControlContext, Visitor } from '../../core/control.js';
import type { PodSpecView } from '../../core/inventory.js';
import { isPlainObject } from './security-context.js';
import { pathUnder } from '../finding-path.js';

/** Kinds whose pods run to completion by design. */
const BATCH_KINDS: ReadonlySet<string> = new Set(['Job', 'CronJob']);

/**
 * True for pods that run to completion rather than serve: those of Jobs and CronJobs, and
 * any pod spec whose restartPolicy is Never or OnFailure (long-running controllers only
 * accept Always). Health probes are about keeping a server in rotation and alive; a task
 * that ends on its own has neither concern (a hung one is bounded by activeDeadlineSeconds).
 */
export function runsToCompletion(ps: PodSpecView): boolean {
  if (BATCH_KINDS.has(ps.resource.kind)) return true;
  const policy = ps.spec.restartPolicy;
  return policy === 'Never' || policy === 'OnFailure';
}

/** The container fields of the health probes that PAL-POD-011 and PAL-POD-012 require. */
export type HealthProbe = 'livenessProbe' | 'readinessProbe';

/** The check of both probe controls: every regular container of a serving pod sets `probe`. */
export function missingProbeVisitor(ctx: ControlContext, probe: HealthProbe): Visitor {
  return {
    podSpec(ps) {
      if (runsToCompletion(ps)) return;
      for (const c of ps.containers) {
        if (c.kind !== 'container' || isPlainObject(c.container[probe])) continue;
        ctx.report({ messageId: 'missing', data: { container: c.name }, path: pathUnder(c.path, probe) });
      }
    },
  };
}
