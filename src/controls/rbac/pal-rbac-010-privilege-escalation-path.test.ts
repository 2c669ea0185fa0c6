import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ControlTester, runControlOn } from '../../engine/control-tester.js';
import control from './pal-rbac-010-privilege-escalation-path.js';

const role = (kind: string, name: string, rules: string, ns?: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}
rules: ${rules}`;

const binding = (kind: string, name: string, roleKind: string, roleName: string, subject: string, ns?: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: ${roleName}}
subjects: [${subject}]`;

const SA = (ns: string, name: string) => `{kind: ServiceAccount, name: ${name}, namespace: ${ns}}`;

const privilegedBot =
  binding('ClusterRoleBinding', 'bot-admin', 'ClusterRole', 'cluster-admin', SA('ops', 'admin-bot'));

new ControlTester(control).run({
  valid: [
    { name: 'a direct cluster-admin binding is PAL-RBAC-001\'s', yaml: privilegedBot },
    {
      name: 'creating bindings without bind or escalate is stopped by escalation prevention',
      yaml:
        role('ClusterRole', 'rbac-manager', '[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles, clusterrolebindings, roles, rolebindings], verbs: [create, update, patch]}]') +
        binding('ClusterRoleBinding', 'rbac-manager', 'ClusterRole', 'rbac-manager', SA('tools', 'rbac')),
    },
    {
      name: 'bind limited to harmless roles, escalate without update',
      yaml:
        role('ClusterRole', 'limited', `
  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}
  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [view]}
  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, get]}`) +
        binding('ClusterRoleBinding', 'limited', 'ClusterRole', 'limited', SA('tools', 'x')),
    },
    {
      name: 'creating pods where no privileged service account lives',
      yaml: privilegedBot + binding('RoleBinding', 'deployers', 'ClusterRole', 'edit', SA('ci', 'deployer'), 'apps'),
    },
    {
      name: 'impersonating system:masters needs a user to impersonate too',
      yaml:
        role('ClusterRole', 'groups-only', '[{apiGroups: [""], resources: [groups], verbs: [impersonate]}]') +
        binding('ClusterRoleBinding', 'groups-only', 'ClusterRole', 'groups-only', '{kind: User, name: proxy}'),
    },
    {
      name: 'the platform\'s own bindings',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:controller:clusterrole-aggregation-controller
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:controller:clusterrole-aggregation-controller}
subjects: [{kind: ServiceAccount, name: clusterrole-aggregation-controller, namespace: kube-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:controller:clusterrole-aggregation-controller
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, get, list, patch, update, watch]}]
`,
    },
  ],
  invalid: [
    {
      name: 'create clusterrolebindings + bind cluster-admin',
      yaml:
        role('ClusterRole', 'binder', `
  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}
  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [cluster-admin]}`) +
        binding('ClusterRoleBinding', 'binder', 'ClusterRole', 'binder', SA('tools', 'binder')),
      errors: [{ messageId: 'bindClusterAdmin', path: 'subjects[0]', line: 14 }],
    },
    {
      name: 'escalate + patch on clusterroles, through a group the service account is in',
      yaml:
        role('ClusterRole', 'role-editor', '[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, patch]}]') +
        binding('ClusterRoleBinding', 'role-editor', 'ClusterRole', 'role-editor', '{kind: Group, name: "system:serviceaccounts:tools"}'),
      errors: [{ messageId: 'escalateRoles', path: 'subjects[0]' }],
    },
    {
      name: 'impersonating system:masters with one named user',
      yaml:
        role('ClusterRole', 'imp', `
  - {apiGroups: [""], resources: [groups], verbs: [impersonate], resourceNames: ["system:masters"]}
  - {apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [nobody]}`) +
        binding('ClusterRoleBinding', 'imp', 'ClusterRole', 'imp', '{kind: User, name: mallory}'),
      errors: [{ messageId: 'impersonateMasters', path: 'subjects[0]' }],
    },
    {
      name: 'edit in kube-system: pods and Secrets there',
      yaml: binding('RoleBinding', 'ks-edit', 'ClusterRole', 'edit', '{kind: Group, name: platform-team}', 'kube-system'),
      errors: [
        { messageId: 'workloadsKubeSystem', path: 'subjects[0]', line: 7 },
        { messageId: 'secretsKubeSystem', path: 'subjects[0]', line: 7 },
        { messageId: 'impersonateSystemServiceAccounts', path: 'subjects[0]', line: 7 },
      ],
    },
    {
      name: 'creating pods in the namespace of a cluster-admin service account',
      yaml:
        privilegedBot +
        role('Role', 'pod-maker', '[{apiGroups: [apps], resources: [deployments], verbs: [create]}]', 'ops') +
        binding('RoleBinding', 'deployers', 'Role', 'pod-maker', SA('ci', 'deployer'), 'ops'),
      errors: [{ messageId: 'viaServiceAccount', path: 'subjects[0]', resource: 'deployers' }],
    },
    {
      name: 'reading the token Secret of a privileged service account, two hops away',
      yaml:
        privilegedBot +
        `
---
apiVersion: v1
kind: Secret
metadata:
  name: admin-bot-token
  namespace: ops
  annotations: {kubernetes.io/service-account.name: admin-bot}
type: kubernetes.io/service-account-token` +
        role('Role', 'token-reader', '[{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [admin-bot-token]}]', 'ops') +
        binding('RoleBinding', 'token-reader', 'Role', 'token-reader', SA('ci', 'reader'), 'ops') +
        role('Role', 'ci-pods', '[{apiGroups: [""], resources: [pods], verbs: [create]}]', 'ci') +
        binding('RoleBinding', 'ci-pods', 'Role', 'ci-pods', '{kind: User, name: dev}', 'ci'),
      errors: [
        { messageId: 'viaServiceAccount', path: 'subjects[0]', resource: 'token-reader' },
        { messageId: 'viaServiceAccount', path: 'subjects[0]', resource: 'ci-pods' },
      ],
    },
    {
      name: 'nodes/proxy, CSR approval and a full wildcard',
      yaml:
        role('ClusterRole', 'node-agent', '[{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}]') +
        binding('ClusterRoleBinding', 'node-agent', 'ClusterRole', 'node-agent', SA('mon', 'agent')) +
        role('ClusterRole', 'csr', `
  - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create]}
  - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}
  - {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: ["kubernetes.io/*"]}`) +
        binding('ClusterRoleBinding', 'csr', 'ClusterRole', 'csr', SA('pki', 'approver')) +
        role('ClusterRole', 'god', '[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]') +
        binding('ClusterRoleBinding', 'god', 'ClusterRole', 'god', '{kind: User, name: root}'),
      errors: [
        { messageId: 'nodesProxy', path: 'subjects[0]', resource: 'node-agent' },
        { messageId: 'csrApproval', path: 'subjects[0]', resource: 'csr' },
        { messageId: 'fullAccess', path: 'subjects[0]', resource: 'god' },
        { messageId: 'bindClusterAdmin', path: 'subjects[0]', resource: 'god' },
        { messageId: 'escalateRoles', path: 'subjects[0]', resource: 'god' },
        { messageId: 'impersonateUsers', path: 'subjects[0]', resource: 'god' },
        { messageId: 'impersonateSystemServiceAccounts', path: 'subjects[0]', resource: 'god' },
        { messageId: 'workloadsKubeSystem', path: 'subjects[0]', resource: 'god' },
        { messageId: 'secretsKubeSystem', path: 'subjects[0]', resource: 'god' },
        { messageId: 'nodesProxy', path: 'subjects[0]', resource: 'god' },
        { messageId: 'csrApproval', path: 'subjects[0]', resource: 'god' },
      ],
    },
  ],
});

it('PAL-RBAC-010 explains the whole chain in the message', () => {
  const fs = runControlOn(
    control,
    privilegedBot +
      role('Role', 'pod-maker', '[{apiGroups: [""], resources: [pods], verbs: [create]}]', 'ops') +
      binding('RoleBinding', 'deployers', 'Role', 'pod-maker', SA('ci', 'deployer'), 'ops'),
  );
  assert.equal(fs.length, 1);
  assert.equal(
    fs[0]!.message,
    'ServiceAccount ci/deployer can obtain cluster-admin power: it can create pods in ops running as ServiceAccount ops/admin-bot, which holds every verb on every resource of every API group, cluster-wide; granted through RoleBinding ops/deployers',
  );
});

it('PAL-RBAC-010 names the subject written in the binding when it has the path itself', () => {
  const fs = runControlOn(
    control,
    binding('RoleBinding', 'ks', 'ClusterRole', 'edit', '{kind: Group, name: "system:authenticated"}', 'kube-system') +
      binding('ClusterRoleBinding', 'u', 'ClusterRole', 'view', '{kind: User, name: alice}'),
  );
  const onGroup = fs.filter((f) => f.resource.name === 'ks');
  assert.ok(onGroup.length > 0);
  for (const f of onGroup) assert.match(f.message, /^Group system:authenticated can obtain/);
  assert.equal(fs.filter((f) => f.resource.name === 'u').length, 0, 'view adds nothing');
});
