import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-rbac-011-workload-creation.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules: [{apiGroups: [apps], resources: [deployments], verbs: [get, list, watch]}]
`,
    {
      name: 'a Role in a namespace enforcing the baseline level',
      yaml: `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {pod-security.kubernetes.io/enforce: baseline}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: shop}
rules: [{apiGroups: [apps], resources: [deployments], verbs: [create, update, patch]}]
`,
    },
    {
      name: 'a binding to edit in a namespace enforcing restricted',
      yaml: `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {pod-security.kubernetes.io/enforce: restricted}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}]
`,
    },
    {
      name: 'deployments/scale is not creating pods',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: autoscaler}
rules: [{apiGroups: [apps], resources: [deployments/scale], verbs: [update, patch]}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {pod-security.kubernetes.io/enforce: privileged}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: shop}
rules:
  - apiGroups: [apps, batch]
    resources:
      - deployments
      - jobs
    verbs: [create, patch]
`,
      errors: [{ messageId: 'rule', path: 'rules[0].resources[0]', line: 14 }],
    },
    {
      name: 'a ClusterRole bound in an enforcing and a non-enforcing namespace',
      yaml: `
apiVersion: v1
kind: Namespace
metadata:
  name: safe
  labels: {pod-security.kubernetes.io/enforce: baseline}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-maker}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: a, namespace: safe}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-maker}
subjects: [{kind: ServiceAccount, name: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: unlabelled}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-maker}
subjects: [{kind: ServiceAccount, name: ci}]
`,
      errors: [{ messageId: 'rule', path: 'rules[0].resources[0]', line: 11, resource: 'pod-maker' }],
    },
    {
      name: 'a ClusterRoleBinding to edit applies everywhere',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: editors}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}]
`,
      errors: [{ messageId: 'binding', path: 'roleRef.name', line: 5 }],
    },
  ],
});
