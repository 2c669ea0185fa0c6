import { defineControl } from '../../core/control.js';
import { ISTIO_SECURITY_GROUP, ROOT_NAMESPACE_OPTION, isObject, policyScope, rootNamespace, scopeText, specOf } from './istio.js';

const WEAK = new Map([
  ['PERMISSIVE', 'accepts plain text as well as mutual TLS'],
  ['DISABLE', 'turns mutual TLS off'],
]);

export default defineControl({
  meta: {
    id: 'PAL-MESH-001',
    slug: 'peer-authentication-not-strict',
    title: 'Istio PeerAuthentication should require mutual TLS',
    severity: 'medium',
    category: 'mesh',
    description:
      'Fails when a PeerAuthentication sets mtls.mode to PERMISSIVE or DISABLE, or a portLevelMtls entry does (port-level settings only take effect with a selector, ' +
      'so without one they are not reported). UNSET inherits from the namespace or mesh policy and is left to PAL-MESH-002.',
    rationale:
      'PERMISSIVE exists for migrations: the sidecar accepts plain-text connections next to mutual TLS. Any pod in the cluster, or anything that reaches the pod network, ' +
      'can then talk to the workload without an identity, and AuthorizationPolicies based on principals or namespaces cannot match it. DISABLE gives up encryption as well.',
    remediation:
      'Move the workloads to mtls.mode: STRICT once every client is in the mesh; for a port that must accept plain text (a health check from the node, a legacy client), ' +
      'use a workload selector with a portLevelMtls exception for that port only.',
    messages: {
      weak: 'PeerAuthentication {{name}} {{effect}} for {{scope}} (mtls.mode: {{mode}})',
      weakPort: 'PeerAuthentication {{name}} {{effect}} on port {{port}} (portLevelMtls mode: {{mode}})',
    },
    appliesTo: ['PeerAuthentication'],
    references: [
      'https://istio.io/latest/docs/reference/config/security/peer_authentication/',
      'https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/',
    ],
    mitre: ['T1557', 'T1040'],
    maturity: 'stable',
    optionsSchema: { type: 'object', properties: { ...ROOT_NAMESPACE_OPTION }, additionalProperties: false },
  },
  reusableVisitor: true,
  check(ctx) {
    const root = rootNamespace(ctx.options);
    return {
      PeerAuthentication(r) {
        if (r.group !== ISTIO_SECURITY_GROUP) return;
        const spec = specOf(r);
        const scope = policyScope(r, root);
        const mode = isObject(spec.mtls) ? spec.mtls.mode : undefined;
        if (typeof mode === 'string' && WEAK.has(mode)) {
          ctx.report({ messageId: 'weak', data: { name: r.name, mode, effect: WEAK.get(mode)!, scope: scopeText(scope, r) }, path: ['spec', 'mtls', 'mode'], evidence: mode });
        }
        if (scope !== 'workload' || !isObject(spec.portLevelMtls)) return;
        for (const [port, setting] of Object.entries(spec.portLevelMtls)) {
          const m = isObject(setting) ? setting.mode : undefined;
          if (typeof m === 'string' && WEAK.has(m)) {
            ctx.report({ messageId: 'weakPort', data: { name: r.name, port, mode: m, effect: WEAK.get(m)! }, path: ['spec', 'portLevelMtls', port, 'mode'], evidence: m });
          }
        }
      },
    };
  },
});
