import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-rbac-004-escalate-bind-impersonate.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: rbac-reader}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [roles, clusterroles, rolebindings], verbs: [get, list, watch]}]
`,
    {
      name: 'bind and impersonate narrowed by resourceNames',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: tenant-operator}
rules:
  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [tenant-view]}
  - {apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [proxy-user]}
`,
    },
    {
      name: 'a "*" verb on unrelated resources grants none of these',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cm, namespace: a}
rules: [{apiGroups: [""], resources: [configmaps], verbs: ["*"]}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: role-manager}
rules:
  - apiGroups: [rbac.authorization.k8s.io]
    resources: [clusterroles, clusterrolebindings]
    verbs:
      - create
      - escalate
      - bind
`,
      errors: [{ messageId: 'escalateRule', path: 'rules[0].verbs[1]', line: 10 }],
    },
    {
      name: 'impersonation of groups, and "*" verbs on roles',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: proxy}
rules:
  - {apiGroups: [""], resources: [users, groups], verbs: [impersonate]}
  - {apiGroups: ["*"], resources: [roles], verbs: ["*"]}
`,
      errors: [
        { messageId: 'impersonateRule', path: 'rules[0].verbs[0]', line: 6 },
        { messageId: 'escalateRule', path: 'rules[1].verbs[0]', line: 7 },
      ],
    },
    {
      name: 'the built-in edit role impersonates service accounts',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
`,
      errors: [{ messageId: 'impersonateBinding', path: 'roleRef.name', line: 5 }],
    },
  ],
});
