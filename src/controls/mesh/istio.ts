import type { Resource } from '../../core/resource.js';

/** Istio's security API group (v1beta1 and v1 share the same schema for what we read). */
export const ISTIO_SECURITY_GROUP = 'security.istio.io';

/** meshConfig.rootNamespace defaults to istio-system; the `rootNamespace` option overrides it. */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

export const ROOT_NAMESPACE_OPTION = {
  rootNamespace: { type: 'string', default: DEFAULT_ROOT_NAMESPACE, description: 'Istio root namespace (meshConfig.rootNamespace).' },
} as const;

export function rootNamespace(options: Readonly<Record<string, unknown>>): string {
  return typeof options.rootNamespace === 'string' && options.rootNamespace ? options.rootNamespace : DEFAULT_ROOT_NAMESPACE;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

export function specOf(r: Resource): Record<string, unknown> {
  return isObject(r.object.spec) ? r.object.spec : {};
}

/**
 * Which workloads a PeerAuthentication or AuthorizationPolicy applies to. Without a selector
 * (or targetRef) it covers its whole namespace, and in the root namespace the whole mesh.
 */
export type PolicyScope = 'mesh' | 'namespace' | 'workload';

export function policyScope(r: Resource, root: string): PolicyScope {
  const spec = specOf(r);
  const sel = spec.selector;
  const selects = isObject(sel) && isObject(sel.matchLabels) && Object.keys(sel.matchLabels).length > 0;
  const targets = isObject(spec.targetRef) || (Array.isArray(spec.targetRefs) && spec.targetRefs.length > 0);
  if (selects || targets) return 'workload';
  return r.namespace === root ? 'mesh' : 'namespace';
}

export function scopeText(scope: PolicyScope, r: Resource): string {
  switch (scope) {
    case 'mesh':
      return 'every workload in the mesh';
    case 'namespace':
      return `every workload in namespace ${r.namespace ?? '(none)'}`;
    default:
      return 'the selected workloads';
  }
}
