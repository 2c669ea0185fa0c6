import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-run-as-non-root.js';

const userNamespacePod = `
apiVersion: v1
kind: Pod
metadata: {name: userns}
spec:
  hostUsers: false
  containers: [{name: a, image: x}]
`;

new ControlTester(control).run({
  valid: [
    {
      name: 'pod-level true covers containers that set nothing',
      settings: { pssVersion: 'v1.0' },
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true}
  initContainers: [{name: i, image: x}]
  containers:
    - {name: a, image: x, securityContext: {}}
    - {name: b, image: x, securityContext: {runAsNonRoot: true}}
`,
    },
    {
      name: 'every container opts in without a pod-level value',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: x, securityContext: {runAsNonRoot: true}}]
`,
    },
    { name: 'user-namespace pods are exempt from v1.35', settings: { pssVersion: 'v1.35' }, yaml: userNamespacePod },
  ],
  invalid: [
    {
      name: 'user-namespace pods are not exempt before v1.35',
      settings: { pssVersion: 'v1.34' },
      yaml: userNamespacePod,
      errors: [{ messageId: 'containerUnset', path: 'spec.containers[0].securityContext.runAsNonRoot', line: 7 }],
    },
    {
      name: 'explicit false anywhere is forbidden even when the pod says true',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
    - {name: a, image: x, securityContext: {runAsNonRoot: false}}
    - {name: b, image: x}
`,
      errors: [{ messageId: 'containerFalse', path: 'spec.containers[0].securityContext.runAsNonRoot', line: 8 }],
    },
    {
      name: 'explicit false values are reported, not the containers that merely inherit',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: false}
  containers:
    - {name: a, image: x}
    - {name: b, image: x, securityContext: {runAsNonRoot: true}}
`,
      errors: [{ messageId: 'podFalse', path: 'spec.securityContext.runAsNonRoot', line: 6 }],
    },
    {
      name: 'containers that set nothing when the pod sets nothing',
      yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  template:
    spec:
      initContainers: [{name: i, image: x}]
      containers:
        - {name: a, image: x, securityContext: {runAsUser: 1000}}
        - {name: b, image: x, securityContext: {runAsNonRoot: true}}
`,
      errors: [
        { messageId: 'containerUnset', path: 'spec.template.spec.initContainers[0].securityContext.runAsNonRoot' },
        { messageId: 'containerUnset', path: 'spec.template.spec.containers[0].securityContext.runAsNonRoot' },
      ],
    },
  ],
});
