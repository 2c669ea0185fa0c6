import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-proc-mount.js';

const unmaskedInUserNamespace = `
apiVersion: v1
kind: Pod
metadata: {name: userns}
spec:
  hostUsers: false
  containers:
    - {name: a, image: x, securityContext: {procMount: Unmasked}}
`;

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: a, image: x, securityContext: {procMount: Default}}
    - {name: b, image: x, securityContext: {procMount: null}}
    - {name: c, image: x}
`,
    { name: 'from v1.35 a pod in its own user namespace may unmask /proc', settings: { pssVersion: 'v1.35' }, yaml: unmaskedInUserNamespace },
  ],
  invalid: [
    {
      name: 'before v1.35 the user namespace does not relax the check',
      settings: { pssVersion: 'v1.34' },
      yaml: unmaskedInUserNamespace,
      errors: [{ messageId: 'procMount', path: 'spec.containers[0].securityContext.procMount', line: 8 }],
    },
    {
      name: 'any value but Default, even an empty one',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostUsers: true
  initContainers:
    - {name: i, image: x, securityContext: {procMount: ""}}
  containers:
    - {name: a, image: x, securityContext: {procMount: Unmasked}}
`,
      errors: [
        { messageId: 'procMount', path: 'spec.initContainers[0].securityContext.procMount' },
        { messageId: 'procMount', path: 'spec.containers[0].securityContext.procMount' },
      ],
    },
  ],
});
