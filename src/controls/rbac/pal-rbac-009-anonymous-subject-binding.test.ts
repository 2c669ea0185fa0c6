import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-rbac-009-anonymous-subject-binding.js';

new ControlTester(control).run({
  valid: [
    {
      name: 'discovery roles for everyone are what the API server itself grants',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: my-discovery}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:public-info-viewer}
subjects:
  - {kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}
  - {kind: Group, name: "system:unauthenticated", apiGroup: rbac.authorization.k8s.io}
`,
    },
    {
      name: 'the bootstrap policy\'s own bindings',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:discovery
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:discovery}
subjects: [{kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}]
`,
    },
    {
      name: 'a namespace\'s service accounts group is narrower than all service accounts',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ns-sas, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: "system:serviceaccounts:shop", apiGroup: rbac.authorization.k8s.io}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: open-metrics}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: metrics-reader}
subjects:
  - kind: User
    name: system:anonymous
    apiGroup: rbac.authorization.k8s.io
  - kind: Group
    name: system:unauthenticated
    apiGroup: rbac.authorization.k8s.io
`,
      errors: [
        { messageId: 'anonymous', path: 'subjects[0]', line: 7 },
        { messageId: 'anonymous', path: 'subjects[1]', line: 10 },
      ],
    },
    {
      name: 'all authenticated users and all service accounts',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: everyone-views, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}
  - {kind: Group, name: "system:serviceaccounts", apiGroup: rbac.authorization.k8s.io}
`,
      errors: [
        { messageId: 'authenticated', path: 'subjects[0]', line: 7 },
        { messageId: 'allServiceAccounts', path: 'subjects[1]', line: 8 },
      ],
    },
  ],
});
