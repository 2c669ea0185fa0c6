import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-adm-005-namespace-pod-security-enforce.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Namespace
metadata:
  name: payments
  labels:
    pod-security.kubernetes.io/enforce: restricted
`,
    { name: 'kube-system may be privileged', yaml: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n  labels: {pod-security.kubernetes.io/enforce: privileged}\n' },
    { name: 'kube-system may be unlabelled', yaml: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n' },
    {
      name: 'more privileged namespaces by option',
      options: { privilegedNamespaces: ['kube-system', 'cilium'] },
      yaml: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: cilium\n  labels: {pod-security.kubernetes.io/enforce: privileged}\n',
    },
  ],
  invalid: [
    {
      name: 'no labels at all: reported at metadata.labels (located at metadata)',
      yaml: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n',
      errors: [{ messageId: 'missing', path: 'metadata.labels', line: 3 }],
    },
    {
      name: 'labels, but only warn',
      yaml: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-b\n  labels:\n    team: b\n    pod-security.kubernetes.io/warn: restricted\n',
      errors: [{ messageId: 'missing', path: 'metadata.labels', line: 5 }],
    },
    {
      name: 'privileged outside kube-system',
      yaml: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n  labels:\n    pod-security.kubernetes.io/enforce: privileged\n',
      errors: [{ messageId: 'privileged', path: 'metadata.labels["pod-security.kubernetes.io/enforce"]', line: 6 }],
    },
    {
      name: 'not a level',
      yaml: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-c\n  labels:\n    pod-security.kubernetes.io/enforce: strict\n',
      errors: [{ messageId: 'invalidLevel', path: 'metadata.labels["pod-security.kubernetes.io/enforce"]', line: 6 }],
    },
  ],
});
