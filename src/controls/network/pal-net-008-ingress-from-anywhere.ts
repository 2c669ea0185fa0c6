import { defineControl } from '../../core/control.js';
import type { JsonPath } from '../../core/path.js';
import { hasPolicyType, policySpec } from './network-policies.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const isEmptySelector = (v: unknown) =>
  isObj(v) && (!isObj(v.matchLabels) || Object.keys(v.matchLabels).length === 0) && (!Array.isArray(v.matchExpressions) || v.matchExpressions.length === 0);
const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);

function portsText(rule: Obj): string {
  if (!Array.isArray(rule.ports) || rule.ports.length === 0) return 'all ports';
  const ps = rule.ports.filter(isObj).map((p) => `${p.port === undefined ? 'any' : String(p.port)}/${typeof p.protocol === 'string' ? p.protocol : 'TCP'}`);
  return `port(s) ${ps.join(', ')}`;
}

export default defineControl({
  meta: {
    id: 'PAL-NET-008',
    slug: 'ingress-from-anywhere',
    title: 'NetworkPolicies should not allow ingress from everywhere',
    severity: 'medium',
    category: 'network',
    description:
      'Fails for each ingress rule of a NetworkPolicy that allows every source: a rule without `from` (or with an empty one), a peer with ipBlock 0.0.0.0/0 or ::/0, or a peer selecting every pod of every namespace (empty namespaceSelector with no or an empty podSelector).',
    rationale:
      'Rules are additive: one rule that allows any source opens the selected pods to every pod of the cluster and, through ipBlock or node ports, to outside addresses, whatever other policies restrict. It usually comes from a policy written to make something work, and silently undoes the namespace\'s default deny.',
    remediation:
      'Name the sources: a podSelector for pods of the same namespace, a namespaceSelector (e.g. on kubernetes.io/metadata.name) for other namespaces, ipBlock CIDRs for outside clients. Keep open-to-all rules to the ingress controller\'s own pods, and add an exception for them.',
    messages: {
      anySource: 'NetworkPolicy {{policy}} ingress rule {{rule}} allows every source on {{ports}}',
      anyAddress: 'NetworkPolicy {{policy}} ingress rule {{rule}} allows {{cidr}}, i.e. every address, on {{ports}}',
      allNamespaces: 'NetworkPolicy {{policy}} ingress rule {{rule}} allows every pod of every namespace on {{ports}}',
    },
    appliesTo: ['NetworkPolicy'],
    references: ['https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors'],
    mitre: ['T1046', 'T1210'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      NetworkPolicy(r) {
        if (!hasPolicyType(r, 'Ingress')) return;
        const ingress = policySpec(r).ingress;
        if (!Array.isArray(ingress)) return;
        ingress.forEach((rule, i) => {
          if (!isObj(rule)) return;
          const base: JsonPath = ['spec', 'ingress', i];
          const data = { policy: r.name, rule: `#${i + 1}`, ports: portsText(rule) };
          if (!Array.isArray(rule.from) || rule.from.length === 0) {
            ctx.report({ messageId: 'anySource', path: Array.isArray(rule.from) ? [...base, 'from'] : base, data });
            return;
          }
          rule.from.forEach((peer, j) => {
            if (!isObj(peer)) return;
            const cidr = isObj(peer.ipBlock) && typeof peer.ipBlock.cidr === 'string' ? peer.ipBlock.cidr.trim() : undefined;
            if (cidr && ANYWHERE.has(cidr)) {
              ctx.report({ messageId: 'anyAddress', path: [...base, 'from', j, 'ipBlock', 'cidr'], data: { ...data, cidr }, evidence: cidr });
            } else if (isEmptySelector(peer.namespaceSelector) && (peer.podSelector === undefined || isEmptySelector(peer.podSelector))) {
              ctx.report({ messageId: 'allNamespaces', path: [...base, 'from', j, 'namespaceSelector'], data });
            }
          });
        });
      },
    };
  },
});
