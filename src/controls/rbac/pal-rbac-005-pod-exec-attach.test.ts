import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-rbac-005-pod-exec-attach.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: debug-read, namespace: shop}
rules: [{apiGroups: [""], resources: [pods, pods/log], verbs: [get, list, watch]}]
`,
    {
      name: '"pods/*" is not a wildcard in RBAC',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: odd, namespace: shop}
rules: [{apiGroups: [""], resources: ["pods/*"], verbs: [create]}]
`,
    },
    {
      name: 'exec into one named pod',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: one, namespace: shop}
rules: [{apiGroups: [""], resources: [pods/exec], resourceNames: [toolbox-0], verbs: [create]}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: debugger, namespace: shop}
rules:
  - apiGroups: [""]
    resources:
      - pods
      - pods/exec
      - pods/attach
    verbs: [create]
`,
      errors: [{ messageId: 'rule', path: 'rules[0].resources[1]', line: 9 }],
    },
    {
      name: 'get (older clients) and "*/exec"',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: sub}
rules:
  - {apiGroups: [""], resources: ["*/exec"], verbs: [get]}
`,
      errors: [{ messageId: 'rule', path: 'rules[0].resources[0]', line: 6 }],
    },
    {
      name: 'a ClusterRoleBinding to the built-in admin role',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: Group, name: platform, apiGroup: rbac.authorization.k8s.io}]
`,
      errors: [{ messageId: 'binding', path: 'roleRef.name', line: 5 }],
    },
  ],
});
