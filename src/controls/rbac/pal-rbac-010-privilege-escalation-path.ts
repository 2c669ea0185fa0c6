import { defineControl } from '../../core/control.js';
import { displayName } from '../../core/resource.js';
import { displaySubject, subjectKey, rbacObjectCount } from '../../inventory/rbac-graph.js';
import { privilegedSubjects, type PathId } from './escalation-paths.js';
import { list } from './permission-grants.js';

const TEMPLATE = '{{subject}} can obtain cluster-admin power: it {{how}}; granted {{via}}';

export default defineControl({
  meta: {
    id: 'PAL-RBAC-010',
    slug: 'privilege-escalation-path',
    title: 'No subject should have a path to cluster-admin',
    severity: 'critical',
    category: 'rbac',
    description:
      'Follows the RBAC graph (subjects and their implicit groups → bindings → roles, aggregation included → rules) and fails for each binding that gives a subject a known route to cluster-admin-equivalent power: all verbs on all resources; create clusterrolebindings with bind on cluster-admin; escalate with update on clusterroles; impersonating any user, system:masters or kube-system service accounts; creating pods in kube-system; reading kube-system Secrets; nodes/proxy; issuing client certificates through CertificateSigningRequests; and acting as an already privileged service account by creating pods in its namespace, creating a token for it, impersonating it or reading its token Secret. Direct bindings to cluster-admin are PAL-RBAC-001\'s and the platform\'s own bindings are left out.',
    rationale:
      'RBAC reviews usually look at one role at a time, while attackers combine what a credential can reach. Each route listed here is a documented way to go from the granted permissions to full control of the cluster without exploiting any bug, so the subject is effectively a cluster administrator and its credentials must be protected as such.',
    remediation:
      'Remove the permission that opens the route (the message names it and the bindings that grant it), or narrow it with resourceNames and namespaces. Keep privileged service accounts in namespaces where few can create pods, and never grant workloads escalate, bind, impersonate or access to kube-system.',
    messages: {
      fullAccess: TEMPLATE,
      bindClusterAdmin: TEMPLATE,
      escalateRoles: TEMPLATE,
      impersonateUsers: TEMPLATE,
      impersonateMasters: TEMPLATE,
      impersonateSystemServiceAccounts: TEMPLATE,
      workloadsKubeSystem: TEMPLATE,
      secretsKubeSystem: TEMPLATE,
      nodesProxy: TEMPLATE,
      csrApproval: TEMPLATE,
      viaServiceAccount: TEMPLATE,
    } satisfies Record<PathId, string>,
    appliesTo: ['RoleBinding', 'ClusterRoleBinding'],
    references: [
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks',
      'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping',
      'https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization',
    ],
    mitre: ['T1078.001', 'T1098', 'T1611', 'T1552.007'],
    maturity: 'beta',
    requires: ['inventory'],
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      inventory(inv) {
        // Nothing to judge (and no graph to build) without RBAC objects.
        if (rbacObjectCount(inv) === 0) return 0;
        const seen = new Set<string>();
        const privileged = [...privilegedSubjects(inv).values()];
        // First the entries whose own subject has the path, then those reached as a group member,
        // so that a finding names the subject written in the binding whenever that is true.
        for (const pass of ['own', 'member'] as const) {
          for (const p of privileged) {
            const pKey = subjectKey(p.subject);
            for (const path of p.paths) {
              const bindings = [...new Set(path.grants.map((g) => g.binding))];
              const via = `through ${list(bindings.map((b) => displayName(b.resource)))}`;
              for (const g of path.grants) {
                const b = g.binding;
                if (b.platformDefault || (b.roleRef.kind === 'ClusterRole' && b.roleRef.name === 'cluster-admin')) continue;
                const entry = g.entry.subject;
                const own = !!entry && subjectKey(entry) === pKey;
                if (own !== (pass === 'own')) continue;
                const key = `${b.resource.key}\u0000${g.entry.index}\u0000${path.id}`;
                if (seen.has(key)) continue;
                seen.add(key);
                ctx.report({
                  resource: b.resource,
                  messageId: path.id,
                  path: g.entry.path,
                  data: { subject: displaySubject(p.subject) + (own || !entry ? '' : ` (as a member of ${displaySubject(entry)})`), how: path.explanation, via },
                });
              }
            }
          }
        }
        return rbacObjectCount(inv);
      },
    };
  },
});
