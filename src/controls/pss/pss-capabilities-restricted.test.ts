import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-capabilities-restricted.js';

const windowsNoCaps = `
apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  containers: [{name: a, image: x}]
`;

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: i, image: x, securityContext: {capabilities: {drop: [ALL]}}}]
  containers:
    - {name: a, image: x, securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}}
    - {name: b, image: x, securityContext: {capabilities: {drop: [NET_RAW, ALL]}}}
`,
    { name: 'the check does not exist before v1.22', settings: { pssVersion: 'v1.21' }, yaml: windowsNoCaps },
    { name: 'windows pods are exempt from v1.25', settings: { pssVersion: 'v1.25' }, yaml: windowsNoCaps },
  ],
  invalid: [
    {
      name: 'windows pods are not exempt before v1.25',
      settings: { pssVersion: 'v1.24' },
      yaml: windowsNoCaps,
      errors: [{ messageId: 'dropAll', path: 'spec.containers[0].securityContext.capabilities.drop', line: 7 }],
    },
    {
      name: 'missing drop ALL in every shape, lower-case all, and forbidden adds; fixes add ALL',
      settings: { pssVersion: 'v1.22' },
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: a, image: x}
    - {name: b, image: x, securityContext: {runAsUser: 1000}}
    - {name: c, image: x, securityContext: {capabilities: {add: [NET_BIND_SERVICE]}}}
    - {name: d, image: x, securityContext: {capabilities: {drop: [all, NET_RAW]}}}
    - {name: e, image: x, securityContext: {capabilities: {drop: [ALL], add: [CHOWN, NET_BIND_SERVICE, SYS_ADMIN]}}}
`,
      errors: [
        { messageId: 'dropAll', path: 'spec.containers[0].securityContext.capabilities.drop', line: 7 },
        { messageId: 'dropAll', path: 'spec.containers[1].securityContext.capabilities.drop', line: 8 },
        { messageId: 'dropAll', path: 'spec.containers[2].securityContext.capabilities.drop', line: 9 },
        { messageId: 'dropAll', path: 'spec.containers[3].securityContext.capabilities.drop', line: 10 },
        { messageId: 'add', path: 'spec.containers[4].securityContext.capabilities.add[0]', line: 11 },
        { messageId: 'add', path: 'spec.containers[4].securityContext.capabilities.add[2]', line: 11 },
      ],
    },
  ],
});
