import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-rbac-007-service-account-token-creation.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: sa-reader, namespace: a}
rules: [{apiGroups: [""], resources: [serviceaccounts], verbs: [get, list]}]
`,
    {
      name: 'tokens for one named service account',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: issuer, namespace: a}
rules: [{apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [builder], verbs: [create]}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: token-minter}
rules:
  - apiGroups: [""]
    resources: [serviceaccounts/token]
    verbs: [create]
`,
      errors: [{ messageId: 'rule', path: 'rules[0].resources[0]', line: 7 }],
    },
    {
      name: '"*/token" and the built-in edit role',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: a}
rules: [{apiGroups: [""], resources: [configmaps, "*/token"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: ci, namespace: tools}]
`,
      errors: [
        { messageId: 'rule', path: 'rules[0].resources[1]', line: 5, resource: 'r' },
        { messageId: 'binding', path: 'roleRef.name', line: 10, resource: 'editors' },
      ],
    },
  ],
});
