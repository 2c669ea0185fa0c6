import type { Resource } from '../../core/resource.js';

type Obj = Record<string, unknown>;

export function serviceSpec(r: Resource): Obj {
  const spec = (r.object as Obj).spec;
  return spec && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Obj) : {};
}

/** "80/TCP→30080, 443/TCP" for messages. */
export function describePorts(spec: Obj): string {
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  const parts = ports.flatMap((p) => {
    if (!p || typeof p !== 'object') return [];
    const { port, protocol, nodePort } = p as Obj;
    return [`${String(port ?? '?')}/${typeof protocol === 'string' ? protocol : 'TCP'}${nodePort !== undefined ? `→${String(nodePort)}` : ''}`];
  });
  return parts.length ? parts.join(', ') : 'no ports';
}
