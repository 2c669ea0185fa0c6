import { defineControl } from '../../core/control.js';
import { rbacGraph, rbacObjectCount } from '../../inventory/rbac-graph.js';
import { roleDisplay } from './permission-grants.js';

export default defineControl({
  meta: {
    id: 'PAL-RBAC-002',
    slug: 'wildcard-rule',
    title: 'Role rules should name their verbs and resources',
    severity: 'medium',
    category: 'rbac',
    description:
      'Fails for each "*" in the verbs or resources of a Role or ClusterRole rule, and for resources of the form "*/<subresource>". Roles of the API server\'s bootstrap policy and the rules of aggregating ClusterRoles (copies of the roles they aggregate) are left out.',
    rationale:
      'A wildcard grants more than its author read: "*" verbs include escalate, bind, impersonate and deletecollection; "*" resources include Secrets, subresources such as pods/exec and nodes/proxy, and every resource type added later by an upgrade or a CRD. Least privilege cannot be reviewed when the rule does not say what it allows.',
    remediation:
      'List the verbs (get, list, watch, create, update, patch, delete) and resources the subject uses. `kubectl auth can-i --list --as=<subject>` and the API server audit log show what a workload actually calls.',
    messages: {
      wildcardVerb: '{{role}} rule {{rule}} allows every verb ("*") on {{resources}}',
      wildcardResource: '{{role}} rule {{rule}} applies to every resource ("*") of API group(s) {{groups}}',
      wildcardSubresource: '{{role}} rule {{rule}} applies to subresource "{{item}}" of every resource',
    },
    appliesTo: ['Role', 'ClusterRole'],
    references: [
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege',
      'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources',
    ],
    mitre: ['T1078.001'],
    maturity: 'stable',
    requires: ['inventory'],
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      inventory(inv) {
        // Nothing to judge (and no graph to build) without RBAC objects.
        if (rbacObjectCount(inv) === 0) return 0;
        for (const role of rbacGraph(inv).roles) {
          if (role.platformDefault || role.aggregationSelectors || !role.resource) continue;
          for (const ref of role.ownRules) {
            const { rule } = ref;
            const rule_ = `#${ref.index + 1}`;
            const resources = rule.resources.length ? rule.resources.join(', ') : rule.nonResourceURLs.join(', ');
            rule.verbs.forEach((v, i) => {
              if (v !== '*') return;
              ctx.report({
                resource: role.resource,
                messageId: 'wildcardVerb',
                path: [...ref.path, 'verbs', i],
                data: { role: roleDisplay(role), rule: rule_, resources: resources || 'nothing' },
                evidence: v,
              });
            });
            rule.resources.forEach((r, i) => {
              if (r === '*') {
                ctx.report({
                  resource: role.resource,
                  messageId: 'wildcardResource',
                  path: [...ref.path, 'resources', i],
                  data: { role: roleDisplay(role), rule: rule_, groups: rule.apiGroups.map((g) => (g === '' ? '"" (core)' : g)).join(', ') || 'none' },
                  evidence: r,
                });
              } else if (r.startsWith('*/')) {
                ctx.report({
                  resource: role.resource,
                  messageId: 'wildcardSubresource',
                  path: [...ref.path, 'resources', i],
                  data: { role: roleDisplay(role), rule: rule_, item: r },
                  evidence: r,
                });
              }
            });
          }
        }
        return rbacObjectCount(inv);
      },
    };
  },
});
