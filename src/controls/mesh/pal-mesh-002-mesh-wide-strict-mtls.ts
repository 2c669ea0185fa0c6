import { defineControl } from '../../core/control.js';
import type { Inventory } from '../../core/inventory.js';
import type { Resource } from '../../core/resource.js';
import { ISTIO_SECURITY_GROUP, ROOT_NAMESPACE_OPTION, isObject, policyScope, rootNamespace, specOf } from './istio.js';

/** Istio's own API groups all end in istio.io (security, networking, telemetry, install, extensions). */
function isIstioObject(r: Resource): boolean {
  return r.group === 'istio.io' || r.group.endsWith('.istio.io');
}

function isMeshNamespace(r: Resource): boolean {
  return r.kind === 'Namespace' && (r.labels['istio-injection'] === 'enabled' || r.labels['istio.io/rev'] !== undefined || r.labels['istio.io/dataplane-mode'] === 'ambient');
}

/** The first Istio object or mesh namespace (a loop: this runs on every admission review). */
function meshAnchor(resources: readonly Resource[]): Resource | undefined {
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i]!;
    if (isIstioObject(r) || isMeshNamespace(r)) return r;
  }
  return undefined;
}

export default defineControl({
  meta: {
    id: 'PAL-MESH-002',
    slug: 'mesh-wide-strict-mtls',
    title: 'An Istio mesh should require mutual TLS mesh-wide',
    severity: 'medium',
    category: 'mesh',
    description:
      'When the scan contains Istio objects (any *.istio.io resource, or a Namespace labelled for injection or ambient mode), fails unless a PeerAuthentication in the root namespace ' +
      '(istio-system unless the rootNamespace option says otherwise) without selector sets mtls.mode: STRICT. A mesh-wide policy that leaves the mode unset is reported on that policy; ' +
      'one set to PERMISSIVE or DISABLE is reported by PAL-MESH-001. Otherwise the finding is placed on the root Namespace object, or the first Istio object scanned.',
    rationale:
      'Without a mesh-wide policy every sidecar runs PERMISSIVE, Istio\'s default: workloads accept plain text from anything that can reach them, and each team has to remember to opt in. ' +
      'A STRICT default in the root namespace turns that around, so exceptions are explicit, per workload and reviewable.',
    remediation:
      'Apply a PeerAuthentication named default in the root namespace with spec.mtls.mode: STRICT and no selector, after checking with istioctl or telemetry that no client still sends plain text.',
    messages: {
      missing: 'No mesh-wide PeerAuthentication with mtls.mode STRICT in namespace {{root}}: workloads accept plain text by default',
      unset: 'Mesh-wide PeerAuthentication {{name}} does not set mtls.mode, so workloads stay PERMISSIVE',
    },
    appliesTo: ['PeerAuthentication', 'Istio objects'],
    references: [
      'https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/#lock-down-mutual-tls-for-the-entire-mesh',
      'https://istio.io/latest/docs/reference/config/security/peer_authentication/',
    ],
    mitre: ['T1557', 'T1040'],
    maturity: 'stable',
    optionsSchema: { type: 'object', properties: { ...ROOT_NAMESPACE_OPTION }, additionalProperties: false },
  },
  reusableVisitor: true,
  check(ctx) {
    const root = rootNamespace(ctx.options);
    return {
      inventory(inv: Inventory) {
        // One pass, stopping at the first Istio object: cheap on large scans without a mesh.
        const anchor = meshAnchor(inv.resources);
        if (!anchor) return 0;
        const meshWide = inv
          .byKind('PeerAuthentication')
          .filter((r) => r.group === ISTIO_SECURITY_GROUP && r.namespace === root && policyScope(r, root) === 'mesh');
        const modeOf = (r: Resource) => {
          const mtls = specOf(r).mtls;
          return isObject(mtls) && typeof mtls.mode === 'string' ? mtls.mode : 'UNSET';
        };
        if (meshWide.some((r) => modeOf(r) !== 'UNSET')) return;
        const unset = meshWide[0];
        if (unset) {
          ctx.report({ resource: unset, messageId: 'unset', data: { name: unset.name, root }, path: ['spec', 'mtls', 'mode'] });
          return;
        }
        const where = inv.get('Namespace', undefined, root) ?? anchor;
        ctx.report({ resource: where, messageId: 'missing', data: { root }, path: ['metadata', 'name'] });
      },
    };
  },
});
