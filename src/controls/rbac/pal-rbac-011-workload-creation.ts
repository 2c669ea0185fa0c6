import { rbacObjectCount } from '../../inventory/rbac-graph.js';
import { defineControl } from '../../core/control.js';
import type { Inventory } from '../../core/inventory.js';
import { reportPermission, type Target } from './permission-grants.js';

const WORKLOADS: readonly Target[] = [
  { group: '', resource: 'pods' },
  { group: '', resource: 'pods/ephemeralcontainers' },
  { group: '', resource: 'replicationcontrollers' },
  ...['deployments', 'replicasets', 'statefulsets', 'daemonsets'].flatMap((resource) => [
    { group: 'apps', resource },
    { group: 'extensions', resource },
  ]),
  { group: 'batch', resource: 'jobs' },
  { group: 'batch', resource: 'cronjobs' },
];

const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** Whether Pod Security admission rejects privileged pods in the namespace (baseline or restricted enforced). */
function blocksPrivilegedPods(inv: Inventory, namespace: string): boolean {
  const level = inv.get('Namespace', undefined, namespace)?.labels[ENFORCE_LABEL];
  return level === 'baseline' || level === 'restricted';
}

export default defineControl({
  meta: {
    id: 'PAL-RBAC-011',
    slug: 'workload-creation',
    title: 'Limit who can create workloads where privileged pods are allowed',
    severity: 'medium',
    category: 'rbac',
    description:
      'Fails for each role rule that allows create, update or patch on pods, pods/ephemeralcontainers or a workload controller (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController), and for each binding to a built-in role that does (edit, admin), unless every namespace where it takes effect enforces the baseline or restricted Pod Security level (label pod-security.kubernetes.io/enforce on a Namespace in the scan). Grants that apply cluster-wide are always reported.',
    rationale:
      'Whoever creates a pod chooses what it runs and how: privileged, with the host\'s filesystem, network or PID namespace, and as any service account of the namespace. Without admission control refusing such pods, permission to create a workload is permission to become root on a node and to use every service account token of the namespace.',
    remediation:
      'Label the namespaces with pod-security.kubernetes.io/enforce: baseline (or restricted), or enforce an equivalent policy with a ValidatingAdmissionPolicy, Kyverno or Gatekeeper, and keep workload creation to deployment pipelines and the controllers that need it.',
    messages: {
      rule: '{{role}} allows {{verbs}} on {{resources}} {{scope}}, where no Pod Security level blocks privileged pods',
      binding: '{{binding}} lets {{subjects}} {{verbs}} {{resources}} {{scope}} through {{role}}, where no Pod Security level blocks privileged pods',
    },
    appliesTo: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
    references: [
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation',
      'https://kubernetes.io/docs/concepts/security/pod-security-admission/',
    ],
    mitre: ['T1610', 'T1611'],
    maturity: 'beta',
    requires: ['inventory'],
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      inventory(inv) {
        // Nothing to judge (and no graph to build) without RBAC objects.
        if (rbacObjectCount(inv) === 0) return 0;
        reportPermission(ctx, inv, {
          spec: { verbs: ['create', 'update', 'patch'], targets: WORKLOADS },
          ruleMessageId: 'rule',
          bindingMessageId: 'binding',
          pointAt: 'resources',
          harmlessIn: (scope) => !scope.clusterWide && scope.namespaces.length > 0 && scope.namespaces.every((ns) => blocksPrivilegedPods(inv, ns)),
        });
        return rbacObjectCount(inv);
      },
    };
  },
});
