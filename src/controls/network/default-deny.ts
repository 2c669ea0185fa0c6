import type { ControlContext } from '../../core/control.js';
import type { Inventory } from '../../core/inventory.js';
import { defaultDenyNamespaces, ignoredNamespaces, workloadsByNamespace, type Direction } from './network-policies.js';

/**
 * PAL-NET-001 and PAL-NET-002: every namespace holding workloads needs a default-deny
 * policy for the direction. The finding goes on the Namespace object when the scan has
 * it, else on the namespace's first workload (where a reader sees the namespace name).
 */
/** Returns the number of namespaces judged (those holding workloads). */
export function reportMissingDefaultDeny(ctx: ControlContext, inv: Inventory, direction: Direction, messageId: string): number {
  if (inv.podSpecs.length === 0) return 0;
  const ignore = ignoredNamespaces(ctx.options);
  const denied = defaultDenyNamespaces(inv, direction);
  // Asked on the first finding only.
  let withNamespaceObjects: boolean | undefined;
  let judged = 0;
  const workloads = workloadsByNamespace(inv);
  for (let i = 0; i < workloads.length; i++) {
    const { namespace: ns, first, count } = workloads[i]!;
    if (ignore.has(ns)) continue;
    judged++;
    if (denied?.has(ns)) continue;
    withNamespaceObjects ??= inv.byKind('Namespace').length > 0;
    const nsObject = withNamespaceObjects ? inv.get('Namespace', undefined, ns) : undefined;
    ctx.report({
      resource: nsObject ?? first.resource,
      messageId,
      path: nsObject ? ['metadata', 'name'] : ['metadata', 'namespace'],
      data: { namespace: ns, workloads: count },
    });
  }
  return judged;
}
