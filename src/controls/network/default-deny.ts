import type { ControlContext } from '../../core/control.js';
import type { Inventory } from '../../core/inventory.js';
import { ignoredNamespaces, isDefaultDeny, namespaceIndex, type Direction } from './network-policies.js';

/**
 * PAL-NET-001 and PAL-NET-002: every namespace holding workloads needs a default-deny
 * policy for the direction. The finding goes on the Namespace object when the scan has
 * it, else on the namespace's first workload (where a reader sees the namespace name).
 */
/** Returns the number of namespaces judged (those holding workloads). */
export function reportMissingDefaultDeny(ctx: ControlContext, inv: Inventory, direction: Direction, messageId: string): number {
  const ignore = ignoredNamespaces(ctx.options);
  const { workloads, policies } = namespaceIndex(inv);
  let judged = 0;
  for (const ns of [...inv.namespaces()].sort()) {
    if (ignore.has(ns)) continue;
    const pods = workloads.get(ns);
    if (!pods?.length) continue;
    judged++;
    if ((policies.get(ns) ?? []).some((np) => isDefaultDeny(np, direction))) continue;
    const nsObject = inv.get('Namespace', undefined, ns);
    ctx.report({
      resource: nsObject ?? pods[0]!.resource,
      messageId,
      path: nsObject ? ['metadata', 'name'] : ['metadata', 'namespace'],
      data: { namespace: ns, workloads: pods.length },
    });
  }
  return judged;
}
