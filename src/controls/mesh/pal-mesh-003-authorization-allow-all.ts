import { defineControl } from '../../core/control.js';
import { actionOf, matchesEverything } from './authorization-rules.js';
import { ISTIO_SECURITY_GROUP, ROOT_NAMESPACE_OPTION, policyScope, rootNamespace, scopeText, specOf } from './istio.js';

export default defineControl({
  meta: {
    id: 'PAL-MESH-003',
    slug: 'authorization-allow-all',
    title: 'Istio AuthorizationPolicy must not allow every request',
    severity: 'high',
    category: 'mesh',
    description:
      'Fails on each rule of an ALLOW AuthorizationPolicy (ALLOW is the default action) that matches every request: an empty rule `{}`, or one whose from, to and when place no constraint. ' +
      'An ALLOW policy with no rules at all is the opposite, allow-nothing (it denies every request to the workloads it selects), and passes.',
    rationale:
      'Istio allows a request to a workload with ALLOW policies only if one of them matches, so ALLOW policies add up: a single allow-all rule makes every other ALLOW policy on those workloads meaningless, ' +
      'and in the root namespace it does so for the whole mesh. Only DENY and CUSTOM policies still apply. Allow-all policies usually start as a migration shortcut and stay.',
    remediation:
      'Replace the empty rule with rules that name the sources (principals or namespaces) and operations (ports, methods, paths) the workload serves; start from allow-nothing and add what the telemetry shows is needed.',
    messages: {
      allowAll: 'AuthorizationPolicy {{name}} allows every request to {{scope}} (rule {{rule}} matches everything)',
    },
    appliesTo: ['AuthorizationPolicy'],
    references: [
      'https://istio.io/latest/docs/reference/config/security/authorization-policy/',
      'https://istio.io/latest/docs/ops/best-practices/security/#use-default-deny-patterns',
    ],
    mitre: ['T1021', 'T1046'],
    maturity: 'stable',
    optionsSchema: { type: 'object', properties: { ...ROOT_NAMESPACE_OPTION }, additionalProperties: false },
  },
  reusableVisitor: true,
  check(ctx) {
    const root = rootNamespace(ctx.options);
    return {
      AuthorizationPolicy(r) {
        if (r.group !== ISTIO_SECURITY_GROUP) return;
        const spec = specOf(r);
        if (actionOf(spec) !== 'ALLOW' || !Array.isArray(spec.rules)) return;
        spec.rules.forEach((rule, i) => {
          if (!matchesEverything(rule)) return;
          ctx.report({ messageId: 'allowAll', data: { name: r.name, scope: scopeText(policyScope(r, root), r), rule: i }, path: ['spec', 'rules', i] });
        });
      },
    };
  },
});
