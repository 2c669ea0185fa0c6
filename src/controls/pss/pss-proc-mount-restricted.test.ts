import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-proc-mount-restricted.js';

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
  containers: [{name: a, image: x, securityContext: {procMount: Default}}]
`,
    { name: 'the check does not exist before v1.35', settings: { pssVersion: 'v1.34' }, yaml: unmaskedInUserNamespace },
  ],
  invalid: [
    {
      name: 'a user namespace does not relax the restricted check',
      settings: { pssVersion: 'v1.35' },
      yaml: unmaskedInUserNamespace,
      errors: [{ messageId: 'procMount', path: 'spec.containers[0].securityContext.procMount', line: 8 }],
    },
  ],
});
