import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-run-as-user.js';

const rootEverywhere = `
apiVersion: v1
kind: Pod
metadata: {name: root}
spec:
  hostUsers: false
  securityContext: {runAsUser: 0}
  containers:
    - {name: a, image: x, securityContext: {runAsUser: 0}}
    - {name: b, image: x, securityContext: {runAsUser: 1000}}
`;

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsUser: 1000}
  containers: [{name: a, image: x}, {name: b, image: x, securityContext: {runAsUser: 65534}}]
`,
    { name: 'the check does not exist before v1.23', settings: { pssVersion: 'v1.22' }, yaml: rootEverywhere },
    { name: 'user-namespace pods are exempt from v1.35', settings: { pssVersion: 'v1.35' }, yaml: rootEverywhere },
  ],
  invalid: [
    {
      settings: { pssVersion: 'v1.23' },
      yaml: rootEverywhere,
      errors: [
        { messageId: 'pod', path: 'spec.securityContext.runAsUser', line: 7 },
        { messageId: 'container', path: 'spec.containers[0].securityContext.runAsUser', line: 9 },
      ],
    },
    {
      name: 'user namespaces do not relax the check before v1.35',
      settings: { pssVersion: 'v1.34' },
      yaml: rootEverywhere,
      errors: [
        { messageId: 'pod', path: 'spec.securityContext.runAsUser' },
        { messageId: 'container', path: 'spec.containers[0].securityContext.runAsUser' },
      ],
    },
  ],
});
