import { defineControl } from '../../core/control.js';
import type { PodSpecView } from '../../core/inventory.js';
import { toPointer } from '../../core/path.js';
import { pathUnder } from '../finding-path.js';

function serviceAccountOf(ps: PodSpecView): string {
  const { serviceAccountName, serviceAccount } = ps.spec;
  if (typeof serviceAccountName === 'string' && serviceAccountName) return serviceAccountName;
  // serviceAccount is the deprecated alias the API still honours.
  if (typeof serviceAccount === 'string' && serviceAccount) return serviceAccount;
  return 'default';
}

export default defineControl({
  meta: {
    id: 'PAL-POD-008',
    slug: 'service-account-token-automount',
    title: 'Pods should not mount a service account token they do not need',
    severity: 'medium',
    category: 'workload',
    description:
      'Fails when a pod gets an API token mounted automatically. The pod\'s automountServiceAccountToken decides when set; when it is not, the ServiceAccount\'s own automountServiceAccountToken applies, which is read from the scan when that ServiceAccount is part of it (same namespace, serviceAccountName or "default"). A pod passes when the effective setting is false.',
    rationale:
      'Every pod gets, by default, a token for its service account mounted at /var/run/secrets/kubernetes.io/serviceaccount. Most applications never call the Kubernetes API, yet anyone who compromises one of them can read that token and act with the account\'s permissions, often more than anyone intended through bindings added over time. A token that is not mounted cannot be stolen.',
    remediation:
      'Set automountServiceAccountToken: false on the ServiceAccount (for every pod that uses it) or on the pod spec. Pods that call the API should use a dedicated ServiceAccount with minimal RBAC, or a projected token volume with a short expiry and a specific audience.',
    messages: {
      podEnables: 'Pod mounts the token of service account "{{serviceAccount}}" (automountServiceAccountToken: true)',
      serviceAccountEnables:
        'Pod mounts the token of service account "{{serviceAccount}}": the pod does not set automountServiceAccountToken and the ServiceAccount sets it to true',
      defaultAutomount:
        'Pod mounts the token of service account "{{serviceAccount}}" by default: neither the pod nor {{serviceAccountState}} sets automountServiceAccountToken: false',
    },
    appliesTo: ['workloads', 'ServiceAccount'],
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting',
      'https://kubernetes.io/docs/concepts/security/service-accounts/',
    ],
    mitre: ['T1528', 'T1552.001'],
    maturity: 'stable',
    requires: ['inventory'],
  },
  reusableVisitor: true,
  check(ctx) {
    const report = (ps: PodSpecView, messageId: string, serviceAccountState?: string) => {
      const path = pathUnder(ps.path, 'automountServiceAccountToken');
      ctx.report({
        resource: ps.resource,
        messageId,
        data: serviceAccountState ? { serviceAccount: serviceAccountOf(ps), serviceAccountState } : { serviceAccount: serviceAccountOf(ps) },
        path,
        evidence: ps.spec.automountServiceAccountToken ?? null,
        // Only where nobody asked for the token: an explicit true (on the pod or its
        // ServiceAccount) says the workload calls the API, and turning it off would break it.
        fix: serviceAccountState ? () => [{ op: 'add', path: toPointer(path), value: false }] : undefined,
      });
    };
    return {
      podSpec(ps) {
        if (ps.spec.automountServiceAccountToken === true) report(ps, 'podEnables');
      },
      // Pods that leave the decision to their ServiceAccount, resolved once the whole inventory
      // (and so every ServiceAccount) is known: found again here, in the order the engine visits
      // them, so the visitor keeps nothing between calls.
      inventory(inv) {
        for (const ps of inv.podSpecs) {
          const own = ps.spec.automountServiceAccountToken;
          if (own === false || own === true) continue;
          const sa = inv.get('ServiceAccount', ps.resource.namespace, serviceAccountOf(ps));
          const saValue = sa?.object.automountServiceAccountToken;
          if (saValue === false) continue;
          if (saValue === true) report(ps, 'serviceAccountEnables');
          else report(ps, 'defaultAutomount', sa ? 'the ServiceAccount' : 'the ServiceAccount (not in this scan)');
        }
      },
    };
  },
});
