import { defineControl } from '../../core/control.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** TLS host patterns cover a host exactly, or by a leading "*." standing for one DNS label. */
export function hostCovered(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase();
  return patterns.some((raw) => {
    const p = raw.toLowerCase();
    if (p === h) return true;
    if (!p.startsWith('*.') || h.startsWith('*.')) return false;
    const dot = h.indexOf('.');
    return dot > 0 && h.slice(dot + 1) === p.slice(2);
  });
}

export default defineControl({
  meta: {
    id: 'PAL-NET-007',
    slug: 'ingress-without-tls',
    title: 'Ingresses should serve every host over TLS',
    severity: 'medium',
    category: 'network',
    description:
      'Fails for each Ingress without spec.tls, and for each rule whose host no spec.tls[].hosts entry covers (exactly, or by a "*." wildcard for one label). A rule without host is covered by a tls entry without hosts.',
    rationale:
      'Traffic to an Ingress without TLS crosses the network in clear text: session cookies, tokens and form data can be read and changed by anyone on the path. A host missing from the tls list is served with the controller\'s default certificate or over plain HTTP, depending on the controller.',
    remediation:
      'Add a spec.tls entry listing every host, with a certificate Secret (cert-manager can issue and renew it), and have the controller redirect HTTP to HTTPS.',
    messages: {
      noTls: 'Ingress {{ingress}} has no TLS configuration; its hosts ({{hosts}}) are served over plain HTTP',
      hostNotCovered: 'Ingress {{ingress}} serves host {{host}}, which no TLS entry covers',
    },
    appliesTo: ['Ingress'],
    references: ['https://kubernetes.io/docs/concepts/services-networking/ingress/#tls'],
    mitre: ['T1557', 'T1040'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      Ingress(r) {
        const spec = isObj(r.object.spec) ? r.object.spec : {};
        const rules = Array.isArray(spec.rules) ? spec.rules : [];
        const tls = Array.isArray(spec.tls) ? spec.tls.filter(isObj) : [];
        const hostOf = (rule: unknown) => (isObj(rule) && typeof rule.host === 'string' && rule.host ? rule.host : undefined);
        if (tls.length === 0) {
          const hosts = rules.map((x) => hostOf(x) ?? '(any host)');
          ctx.report({ messageId: 'noTls', path: ['spec', 'tls'], data: { ingress: r.name, hosts: hosts.length ? [...new Set(hosts)].join(', ') : '(any host)' } });
          return;
        }
        const patterns = tls.flatMap((t) => (Array.isArray(t.hosts) ? t.hosts.filter((h): h is string => typeof h === 'string') : []));
        const catchAll = tls.some((t) => !Array.isArray(t.hosts) || t.hosts.length === 0);
        rules.forEach((rule, i) => {
          const host = hostOf(rule);
          if (host === undefined ? catchAll : hostCovered(host, patterns)) return;
          ctx.report({
            messageId: 'hostNotCovered',
            path: host === undefined ? ['spec', 'rules', i] : ['spec', 'rules', i, 'host'],
            data: { ingress: r.name, host: host ?? '(any host)' },
            evidence: host,
          });
        });
      },
    };
  },
});
