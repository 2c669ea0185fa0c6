import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-rbac-003-secret-read-access.js';

new ControlTester(control).run({
  valid: [
    {
      name: 'get on named Secrets only',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: app, namespace: shop}
rules:
  - {apiGroups: [""], resources: [secrets], resourceNames: [db-credentials], verbs: [get]}
  - {apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}
`,
    },
    {
      name: 'create/delete only (e.g. a certificate issuer writing Secrets)',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: writer}
rules: [{apiGroups: [""], resources: [secrets], verbs: [create, update, delete]}]
`,
    },
    {
      name: 'secrets in another API group are not core Secrets',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: vault-crd}
rules: [{apiGroups: [secrets.example.com], resources: [secrets], verbs: [get, list]}]
`,
    },
    {
      name: 'the built-in view role does not include Secrets',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}]
`,
    },
    {
      name: 'cluster-admin bindings are PAL-RBAC-001\'s, full wildcards PAL-RBAC-002\'s',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: god}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules:
  - apiGroups: [""]
    resources:
      - configmaps
      - secrets
    verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: secret-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: ServiceAccount, name: app, namespace: shop}]
`,
      errors: [{ messageId: 'rule', path: 'rules[0].resources[1]', line: 9 }],
    },
    {
      name: 'wildcard verbs, resources and groups all count',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: shop}
rules:
  - {apiGroups: [""], resources: [secrets], verbs: ["*"]}
  - {apiGroups: ["*"], resources: ["*"], verbs: [watch]}
`,
      errors: [
        { messageId: 'rule', path: 'rules[0].resources[0]', line: 6 },
        { messageId: 'rule', path: 'rules[1].resources[0]', line: 7 },
      ],
    },
    {
      name: 'binding to the built-in edit role',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: shop}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: edit
subjects: [{kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}]
`,
      errors: [{ messageId: 'binding', path: 'roleRef.name', line: 8 }],
    },
  ],
});
