import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-rbac-006-node-proxy-access.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: metrics}
rules: [{apiGroups: [""], resources: [nodes, nodes/metrics, nodes/stats], verbs: [get, list]}]
`,
    {
      name: 'a Role cannot grant the cluster-scoped nodes',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: mon}
rules: [{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}]
`,
    },
    {
      name: 'a ClusterRole bound only through a RoleBinding cannot either',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: np}
rules: [{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: np, namespace: mon}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: np}
subjects: [{kind: ServiceAccount, name: agent}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: agent}
rules:
  - apiGroups: [""]
    resources:
      - nodes
      - nodes/proxy
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: agent}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: agent}
subjects: [{kind: ServiceAccount, name: agent, namespace: mon}]
`,
      errors: [{ messageId: 'rule', path: 'rules[0].resources[1]', line: 9 }],
    },
    {
      name: 'unbound ClusterRole with "*" resources in the core group',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: core-writer}
rules: [{apiGroups: [""], resources: ["*"], verbs: [create]}]
`,
      errors: [{ messageId: 'rule', path: 'rules[0].resources[0]', line: 5 }],
    },
  ],
});
