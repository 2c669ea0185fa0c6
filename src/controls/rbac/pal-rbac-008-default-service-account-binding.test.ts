import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-rbac-008-default-service-account-binding.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: app, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: app}
subjects: [{kind: ServiceAccount, name: shop-api, namespace: shop}]
`,
    {
      name: 'a user called default is not the service account',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: u}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: default, apiGroup: rbac.authorization.k8s.io}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: app, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: app}
subjects:
  - kind: ServiceAccount
    name: shop-api
  - kind: ServiceAccount
    name: default
`,
      errors: [{ messageId: 'defaultServiceAccount', path: 'subjects[1]', line: 9 }],
    },
    {
      name: 'as a service account username in a ClusterRoleBinding',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: User, name: "system:serviceaccount:kube-system:default", apiGroup: rbac.authorization.k8s.io}
`,
      errors: [{ messageId: 'defaultServiceAccount', path: 'subjects[0]', line: 7 }],
    },
  ],
});
