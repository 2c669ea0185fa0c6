/**
 * The check shared by the four resource controls: does a container end up with a CPU or
 * memory limit or request once Kubernetes has applied its defaults?
 *
 * A value counts when any of these provides it, in the order the API applies them:
 * - the container's own resources (for a request, its limit too: when a container sets a
 *   limit and no request, the API copies the limit into the request);
 * - pod-level resources (spec.resources, PodLevelResources feature), which bound all
 *   containers together;
 * - a LimitRange of type Container in the same namespace, whose defaults the admission
 *   plugin writes into containers that omit the value (default, else max, for limits;
 *   defaultRequest, else default, else max, else min, for requests).
 *
 * Ephemeral containers cannot set resources and are not checked.
 */
import type { ControlContext, Visitor } from '../../core/control.js';
import type { Inventory } from '../../core/inventory.js';
import type { Resource } from '../../core/resource.js';
import { pathUnder } from '../finding-path.js';

export type ComputeResource = 'cpu' | 'memory';
export type ResourceBound = 'limits' | 'requests';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function has(list: unknown, name: ComputeResource): boolean {
  if (!isObject(list)) return false;
  const v = list[name];
  return v !== undefined && v !== null && v !== '';
}

/** True when a resources block (container or pod level) provides the value itself. */
function providedBy(resources: unknown, bound: ResourceBound, name: ComputeResource): boolean {
  if (!isObject(resources)) return false;
  if (has(resources[bound], name)) return true;
  return bound === 'requests' && has(resources.limits, name);
}

/** The LimitRange fields that default a missing value, in the order the API falls back. */
const LIMIT_RANGE_SOURCES: Readonly<Record<ResourceBound, readonly string[]>> = {
  limits: ['default', 'max'],
  requests: ['defaultRequest', 'default', 'max', 'min'],
};

function limitRangeProvides(lr: Resource, bound: ResourceBound, name: ComputeResource): boolean {
  const spec = lr.object.spec;
  if (!isObject(spec) || !Array.isArray(spec.limits)) return false;
  for (const item of spec.limits) {
    if (!isObject(item) || item.type !== 'Container') continue;
    for (const field of LIMIT_RANGE_SOURCES[bound]) if (has(item[field], name)) return true;
  }
  return false;
}

export interface ResourceCheck {
  bound: ResourceBound;
  resource: ComputeResource;
  messageId: string;
}

/**
 * The visitor of one resource control. It keeps nothing between calls (so one visitor may
 * serve every run): `inventory` walks the pod specs itself, once every LimitRange is known,
 * in the order the engine visits them; `podSpec` only counts each workload as judged.
 */
export function containerResourceVisitor(ctx: ControlContext, check: ResourceCheck): Visitor {
  const { bound, resource, messageId } = check;
  return {
    podSpec() {},
    inventory(inv: Inventory) {
      // Looked up when the first container lacks the value (most reviews have no LimitRange at all).
      let limitRanges: readonly Resource[] | undefined;
      let coveredByNamespace: Map<string | undefined, boolean> | undefined;
      for (const ps of inv.podSpecs) {
        if (providedBy(ps.spec.resources, bound, resource)) continue;
        for (const c of ps.containers) {
          if (c.kind === 'ephemeralContainer' || providedBy(c.container.resources, bound, resource)) continue;
          limitRanges ??= inv.byKind('LimitRange');
          if (limitRanges.length > 0) {
            const ns = ps.resource.namespace;
            let covered = (coveredByNamespace ??= new Map()).get(ns);
            if (covered === undefined) {
              covered = limitRanges.some((lr) => lr.namespace === ns && limitRangeProvides(lr, bound, resource));
              coveredByNamespace.set(ns, covered);
            }
            if (covered) continue;
          }
          ctx.report({ resource: ps.resource, messageId, data: { container: c.name }, path: pathUnder(c.path, 'resources', bound, resource) });
        }
      }
    },
  };
}
