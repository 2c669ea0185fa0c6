import { defineControl } from '../../core/control.js';
import { perOptions } from '../control-options.js';
import { actionOf } from './authorization-rules.js';
import { ISTIO_SECURITY_GROUP, isObject, specOf } from './istio.js';

/** Ports where a database, a key-value store, a control plane or a shell listens by default. */
const SENSITIVE_PORTS = ['22', '2379', '2380', '3306', '5432', '6379', '6443', '8200', '9200', '9300', '10250', '11211', '27017'];

/**
 * A principal pattern that any workload identity matches: "*" (presence), "<trust domain>/*"
 * or "<trust domain>/ns/*". Istio matches principals by exact value, prefix*, *suffix or *.
 */
function anyPrincipal(p: string): boolean {
  return p === '*' || /^[^/*]+\/\*$/.test(p) || /^[^/*]+\/ns\/\*$/.test(p);
}

const CONSTRAINING_SOURCE_FIELDS = ['requestPrincipals', 'notPrincipals', 'notRequestPrincipals', 'notNamespaces', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks', 'serviceAccounts', 'notServiceAccounts'];

/** A source any mesh workload satisfies: only wildcard principals or namespaces, nothing narrower. */
function anyPeer(source: unknown): string | undefined {
  if (!isObject(source)) return undefined;
  if (CONSTRAINING_SOURCE_FIELDS.some((f) => Array.isArray(source[f]) && (source[f] as unknown[]).length > 0)) return undefined;
  const principals = Array.isArray(source.principals) ? source.principals.filter((x): x is string => typeof x === 'string') : [];
  const namespaces = Array.isArray(source.namespaces) ? source.namespaces.filter((x): x is string => typeof x === 'string') : [];
  // Both fields set must each be wide open (they are ANDed).
  const p = principals.length ? principals.find(anyPrincipal) : undefined;
  const n = namespaces.length ? namespaces.find((x) => x === '*') : undefined;
  if (principals.length && !p) return undefined;
  if (namespaces.length && !n) return undefined;
  if (p) return `principals "${p}"`;
  if (n) return 'namespaces "*"';
  return undefined;
}

const sensitivePorts = perOptions((options): ReadonlySet<string> => new Set((Array.isArray(options.sensitivePorts) ? options.sensitivePorts : SENSITIVE_PORTS).map(String)));

export default defineControl({
  meta: {
    id: 'PAL-MESH-004',
    slug: 'authorization-any-peer-sensitive-port',
    title: 'Istio AuthorizationPolicy must not open sensitive ports to every mesh identity',
    severity: 'medium',
    category: 'mesh',
    description:
      'Fails when an ALLOW rule admits any authenticated peer (principals "*", "<trust domain>/*" or "<trust domain>/ns/*", or namespaces "*", with no narrower source field) ' +
      'to a port in the sensitivePorts option (by default SSH, etcd, MySQL, PostgreSQL, Redis, the Kubernetes API, Vault, Elasticsearch, the kubelet, memcached and MongoDB). ' +
      'Rules whose `to` names no port are not judged, since the ports a workload serves are not known here. Reported at the port.',
    rationale:
      'A wildcard principal only says "has a mesh certificate", which every compromised pod in every namespace has. On a database or administration port that turns the first foothold anywhere in the mesh ' +
      'into direct access to the data, which is what per-service identities were meant to prevent.',
    remediation: 'Name the service accounts that need the port (principals: ["cluster.local/ns/<ns>/sa/<sa>"]) or at least their namespaces, and keep administrative ports out of ALLOW rules entirely.',
    messages: {
      anyPeer: 'AuthorizationPolicy {{name}} lets any mesh workload ({{who}}) reach port {{port}}',
    },
    appliesTo: ['AuthorizationPolicy'],
    references: [
      'https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source',
      'https://istio.io/latest/docs/ops/best-practices/security/#authorization-policies',
    ],
    mitre: ['T1021', 'T1552'],
    maturity: 'beta',
    optionsSchema: {
      type: 'object',
      properties: { sensitivePorts: { type: 'array', items: { type: ['string', 'integer'] }, description: 'Replaces the default list.' } },
      additionalProperties: false,
    },
  },
  reusableVisitor: true,
  check(ctx) {
    const sensitive = sensitivePorts(ctx.options);
    return {
      AuthorizationPolicy(r) {
        if (r.group !== ISTIO_SECURITY_GROUP) return;
        const spec = specOf(r);
        if (actionOf(spec) !== 'ALLOW' || !Array.isArray(spec.rules)) return;
        spec.rules.forEach((rule, i) => {
          if (!isObject(rule) || !Array.isArray(rule.from) || !Array.isArray(rule.to)) return;
          if (Array.isArray(rule.when) && rule.when.length > 0) return;
          const who = rule.from.map((f) => (isObject(f) ? anyPeer(f.source) : undefined)).find((x) => x !== undefined);
          if (!who) return;
          rule.to.forEach((t, j) => {
            const op = isObject(t) && isObject(t.operation) ? t.operation : undefined;
            if (!op || !Array.isArray(op.ports)) return;
            op.ports.forEach((port, k) => {
              if (!sensitive.has(String(port))) return;
              ctx.report({ messageId: 'anyPeer', data: { name: r.name, who, port: String(port) }, path: ['spec', 'rules', i, 'to', j, 'operation', 'ports', k], evidence: String(port) });
            });
          });
        });
      },
    };
  },
});
