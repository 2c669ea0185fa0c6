import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-rbac-002-wildcard-rule.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules:
  - apiGroups: [""]
    resources: [pods, pods/log]
    verbs: [get, list, watch]
`,
    {
      name: 'an apiGroups wildcard alone is not reported',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: scale-reader}
rules: [{apiGroups: ["*"], resources: [deployments/scale], verbs: [get]}]
`,
    },
    {
      name: 'the bootstrap cluster-admin role of a live cluster',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cluster-admin
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
`,
    },
    {
      name: 'an aggregating ClusterRole holds copies; its sources are checked',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: agg}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {a: "true"}}]}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: operator}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get]
  - apiGroups: ["apps"]
    resources:
      - deployments
      - "*"
    verbs:
      - get
      - "*"
`,
      errors: [
        { messageId: 'wildcardResource', path: 'rules[1].resources[1]', line: 12 },
        { messageId: 'wildcardVerb', path: 'rules[1].verbs[1]', line: 15 },
      ],
    },
    {
      name: 'full wildcard and a */subresource wildcard',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: god, namespace: shop}
rules:
  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
  - {apiGroups: [""], resources: ["*/exec"], verbs: [create]}
`,
      errors: [
        { messageId: 'wildcardResource', path: 'rules[0].resources[0]', line: 6 },
        { messageId: 'wildcardVerb', path: 'rules[0].verbs[0]', line: 6 },
        { messageId: 'wildcardSubresource', path: 'rules[1].resources[0]', line: 7 },
      ],
    },
  ],
});
