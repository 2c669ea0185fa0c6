/**
 * Two checks of a workload against its namespace's LimitRange and ResourceQuota, which the
 * webhook runs when it knows them (from the objects it has admitted or --context files).
 * The API server enforces both for Pods; for controllers it does so only when they create
 * pods, so a Deployment that can never fit is accepted and then fails quietly, with events on
 * its ReplicaSet nobody reads. Judging the template at apply time says so to whoever applies.
 *
 * They are controls of the engine's shape, so findings, exceptions, actions and fingerprints
 * work as for the built-in ones; they are not in the built-in registry yet (see the report).
 */
import { defineControl, type ControlContext } from '../core/control.js';
import type { ContainerView, Inventory, PodSpecView } from '../core/inventory.js';
import type { Resource } from '../core/resource.js';
import { formatQuantity, parseQuantity } from './quantity.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const NAMES = ['cpu', 'memory'] as const;

interface Effective {
  requests: Partial<Record<(typeof NAMES)[number], number>>;
  limits: Partial<Record<(typeof NAMES)[number], number>>;
}

/** A container's requests and limits once LimitRange defaults (type Container) apply. */
function effective(c: ContainerView, limitRanges: readonly Resource[]): Effective {
  const res = isObject(c.container.resources) ? c.container.resources : {};
  const req = isObject(res.requests) ? res.requests : {};
  const lim = isObject(res.limits) ? res.limits : {};
  const out: Effective = { requests: {}, limits: {} };
  for (const name of NAMES) {
    let limit = parseQuantity(lim[name]);
    let request = parseQuantity(req[name]);
    for (const lr of limitRanges) {
      for (const item of containerItems(lr)) {
        if (limit === undefined && isObject(item.default)) limit = parseQuantity(item.default[name]);
        if (request === undefined && isObject(item.defaultRequest)) request = parseQuantity(item.defaultRequest[name]);
      }
    }
    // Without a request of its own or a default one, the API uses the limit.
    if (request === undefined) request = limit;
    if (limit !== undefined) out.limits[name] = limit;
    if (request !== undefined) out.requests[name] = request;
  }
  return out;
}

function containerItems(lr: Resource): Obj[] {
  const limits = isObject(lr.object.spec) ? lr.object.spec.limits : undefined;
  return Array.isArray(limits) ? limits.filter((i): i is Obj => isObject(i) && i.type === 'Container') : [];
}

function inNamespace(inv: Inventory, kind: string, ns: string | undefined): Resource[] {
  return inv.byKind(kind).filter((r) => r.namespace === ns);
}

function containersOf(ps: PodSpecView): ContainerView[] {
  return ps.containers.filter((c) => c.kind !== 'ephemeralContainer');
}

export const limitRangeBounds = defineControl({
  meta: {
    id: 'PAL-QUOTA-001',
    slug: 'limit-range-bounds',
    title: 'Container requests and limits must lie within the namespace\'s LimitRange',
    severity: 'medium',
    category: 'resources',
    description:
      'For every container and init container of a workload whose namespace has a LimitRange of type Container (known to this run), fails when its limit (own or defaulted) is above the max, when a max applies and it has no limit, when its request is below the min, or when limit/request exceeds maxLimitRequestRatio.',
    rationale:
      'The LimitRanger admission plugin refuses such pods. For a Deployment, StatefulSet, Job or any controller this happens only when the controller creates pods, long after the apply succeeded: the rollout stalls and the reason sits in events of an object nobody looks at.',
    remediation: 'Bring the container\'s requests and limits within the namespace\'s LimitRange, or change the LimitRange if its bounds are wrong.',
    messages: {
      overMax: 'Container "{{container}}": {{resource}} limit {{value}} is above the LimitRange {{limitRange}} maximum {{bound}}',
      noLimit: 'Container "{{container}}" has no {{resource}} limit, but LimitRange {{limitRange}} sets a maximum ({{bound}}) and no default',
      underMin: 'Container "{{container}}": {{resource}} request {{value}} is below the LimitRange {{limitRange}} minimum {{bound}}',
      ratio: 'Container "{{container}}": {{resource}} limit/request ratio {{value}} is above the LimitRange {{limitRange}} maximum {{bound}}',
    },
    appliesTo: ['workloads', 'LimitRange'],
    references: ['https://kubernetes.io/docs/concepts/policy/limit-range/'],
    maturity: 'beta',
    requires: ['inventory'],
  },
  check(ctx: ControlContext) {
    return {
      inventory(inv) {
        let judged = 0;
        for (const ps of inv.podSpecs) {
          const lrs = inNamespace(inv, 'LimitRange', ps.resource.namespace);
          if (!lrs.length) continue;
          judged++;
          for (const c of containersOf(ps)) {
            const eff = effective(c, lrs);
            for (const lr of lrs) {
              for (const item of containerItems(lr)) {
                for (const name of NAMES) {
                  const data = { container: c.name, resource: name, limitRange: lr.name };
                  const max = isObject(item.max) ? parseQuantity(item.max[name]) : undefined;
                  const min = isObject(item.min) ? parseQuantity(item.min[name]) : undefined;
                  const ratio = isObject(item.maxLimitRequestRatio) ? parseQuantity(item.maxLimitRequestRatio[name]) : undefined;
                  const limit = eff.limits[name];
                  const request = eff.requests[name];
                  const limitPath = [...c.path, 'resources', 'limits', name];
                  const requestPath = [...c.path, 'resources', 'requests', name];
                  if (max !== undefined && limit === undefined) ctx.report({ resource: ps.resource, messageId: 'noLimit', data: { ...data, bound: formatQuantity(max, name) }, path: limitPath });
                  else if (max !== undefined && limit! > max) ctx.report({ resource: ps.resource, messageId: 'overMax', data: { ...data, value: formatQuantity(limit!, name), bound: formatQuantity(max, name) }, path: limitPath });
                  if (min !== undefined && request !== undefined && request < min) ctx.report({ resource: ps.resource, messageId: 'underMin', data: { ...data, value: formatQuantity(request, name), bound: formatQuantity(min, name) }, path: requestPath });
                  if (ratio !== undefined && limit !== undefined && request !== undefined && request > 0 && limit / request > ratio) {
                    ctx.report({ resource: ps.resource, messageId: 'ratio', data: { ...data, value: +(limit / request).toFixed(2), bound: ratio }, path: limitPath });
                  }
                }
              }
            }
          }
        }
        return judged;
      },
    };
  },
});

/** Quota keys on compute resources and what they count. */
const QUOTA_KEYS: readonly { key: string; bound: 'requests' | 'limits'; name: 'cpu' | 'memory' }[] = [
  { key: 'requests.cpu', bound: 'requests', name: 'cpu' },
  { key: 'cpu', bound: 'requests', name: 'cpu' },
  { key: 'requests.memory', bound: 'requests', name: 'memory' },
  { key: 'memory', bound: 'requests', name: 'memory' },
  { key: 'limits.cpu', bound: 'limits', name: 'cpu' },
  { key: 'limits.memory', bound: 'limits', name: 'memory' },
];

/** How many pods a workload runs at once when it is at its intended size. */
function podCount(r: Resource): number {
  const spec = isObject(r.object.spec) ? r.object.spec : {};
  let n: unknown = 1;
  if (['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController'].includes(r.kind)) n = spec.replicas ?? 1;
  else if (r.kind === 'Job') n = spec.parallelism ?? 1;
  else if (r.kind === 'CronJob') n = (isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec.parallelism : undefined) ?? 1;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 1;
}

export const resourceQuotaFit = defineControl({
  meta: {
    id: 'PAL-QUOTA-002',
    slug: 'resource-quota-fit',
    title: 'Workloads must be able to run within the namespace\'s ResourceQuota',
    severity: 'medium',
    category: 'resources',
    description:
      'For every workload whose namespace has an unscoped ResourceQuota on compute resources (known to this run), fails when a container leaves a quota-constrained value unset (after LimitRange defaults), or when the workload at its intended size (replicas, parallelism) needs more than the quota\'s hard limit. Current usage is not counted: it is not known reliably at admission.',
    rationale:
      'With a compute quota, the API server refuses every pod that does not state the constrained value, and every pod that does not fit. A controller whose pods can never be created is accepted and then stalls; saying so when it is applied saves an outage hunt.',
    remediation: 'Set the requests and limits the quota constrains on every container (or give the namespace a LimitRange with defaults), and size the workload within the quota or raise the quota.',
    messages: {
      unspecified: 'Container "{{container}}" sets no {{key}}, which ResourceQuota {{quota}} constrains: its pods will be refused',
      exceeds: '{{pods}} pod(s) need {{needed}} of {{key}}, above the hard limit {{hard}} of ResourceQuota {{quota}}',
    },
    appliesTo: ['workloads', 'ResourceQuota', 'LimitRange'],
    references: ['https://kubernetes.io/docs/concepts/policy/resource-quotas/'],
    maturity: 'beta',
    requires: ['inventory'],
  },
  check(ctx: ControlContext) {
    return {
      inventory(inv) {
        let judged = 0;
        for (const ps of inv.podSpecs) {
          const quotas = inNamespace(inv, 'ResourceQuota', ps.resource.namespace).filter((q) => {
            const spec = isObject(q.object.spec) ? q.object.spec : {};
            return isObject(spec.hard) && spec.scopes === undefined && spec.scopeSelector === undefined;
          });
          if (!quotas.length) continue;
          judged++;
          const lrs = inNamespace(inv, 'LimitRange', ps.resource.namespace);
          const containers = containersOf(ps).map((c) => ({ c, eff: effective(c, lrs) }));
          const pods = podCount(ps.resource);
          for (const q of quotas) {
            const hard = (q.object.spec as Obj).hard as Obj;
            for (const { key, bound, name } of QUOTA_KEYS) {
              const h = parseQuantity(hard[key]);
              if (h === undefined) continue;
              let perPod = 0;
              let initMax = 0;
              for (const { c, eff } of containers) {
                const v = eff[bound][name];
                if (v === undefined) {
                  ctx.report({ resource: ps.resource, messageId: 'unspecified', data: { container: c.name, key, quota: q.name }, path: [...c.path, 'resources', bound, name] });
                  continue;
                }
                // Init containers run one at a time before the others: the pod needs the larger.
                if (c.kind === 'initContainer') initMax = Math.max(initMax, v);
                else perPod += v;
              }
              const needed = Math.max(perPod, initMax) * pods;
              if (needed > h) {
                ctx.report({
                  resource: ps.resource,
                  messageId: 'exceeds',
                  data: { pods, needed: formatQuantity(needed, name), key, hard: formatQuantity(h, name), quota: q.name },
                  path: [...ps.path, 'containers'],
                });
              }
            }
          }
        }
        return judged;
      },
    };
  },
});

/** The webhook's own controls, run with the Judging's. */
export const ADMISSION_CONTROLS = [limitRangeBounds, resourceQuotaFit];
