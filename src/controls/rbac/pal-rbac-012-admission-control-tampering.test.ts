import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-rbac-012-admission-control-tampering.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: policy-viewer}
rules:
  - apiGroups: [admissionregistration.k8s.io]
    resources: [validatingwebhookconfigurations, validatingadmissionpolicies]
    verbs: [get, list, watch]
`,
    {
      name: 'a Role cannot grant cluster-scoped admission resources',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: a}
rules: [{apiGroups: [admissionregistration.k8s.io], resources: ["*"], verbs: ["*"]}]
`,
    },
    {
      name: 'the built-in admin role (even cluster-wide) has no such permission',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: policy-engine}
rules:
  - apiGroups: [admissionregistration.k8s.io]
    resources:
      - validatingwebhookconfigurations
      - mutatingwebhookconfigurations
    verbs: [get, list, watch, update, patch]
`,
      errors: [{ messageId: 'rule', path: 'rules[0].resources[0]', line: 8 }],
    },
    {
      name: 'all resources of the group',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: any-admission}
rules: [{apiGroups: [admissionregistration.k8s.io], resources: ["*"], verbs: [delete]}]
`,
      errors: [{ messageId: 'rule', path: 'rules[0].resources[0]', line: 5 }],
    },
  ],
});
