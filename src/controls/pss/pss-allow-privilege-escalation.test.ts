import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ControlTester, runControlOn } from '../../engine/control-tester.js';
import control from './pss-allow-privilege-escalation.js';

const windowsPod = `
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
  initContainers: [{name: i, image: x, securityContext: {allowPrivilegeEscalation: false}}]
  containers: [{name: a, image: x, securityContext: {allowPrivilegeEscalation: false}}]
`,
    { name: 'the field does not exist before policy v1.8', settings: { pssVersion: 'v1.7' }, yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: x}]
` },
    { name: 'windows pods are exempt from v1.25', settings: { pssVersion: 'v1.25' }, yaml: windowsPod },
  ],
  invalid: [
    {
      name: 'windows pods are not exempt before v1.25',
      settings: { pssVersion: 'v1.24' },
      yaml: windowsPod,
      errors: [{ messageId: 'unset', path: 'spec.containers[0].securityContext.allowPrivilegeEscalation', line: 7 }],
    },
    {
      name: 'unset, true, and a linux pod; fixes set false',
      settings: { pssVersion: 'v1.8' },
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  os: {name: linux}
  initContainers:
    - {name: i, image: x}
  containers:
    - {name: a, image: x, securityContext: {allowPrivilegeEscalation: true}}
    - {name: b, image: x, securityContext: {runAsUser: 1000}}
  ephemeralContainers:
    - {name: d, image: x}
`,
      errors: [
        { messageId: 'unset', path: 'spec.initContainers[0].securityContext.allowPrivilegeEscalation', line: 8 },
        { messageId: 'allowed', path: 'spec.containers[0].securityContext.allowPrivilegeEscalation', line: 10 },
        { messageId: 'unset', path: 'spec.containers[1].securityContext.allowPrivilegeEscalation', line: 11 },
        { messageId: 'unset', path: 'spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation', line: 13 },
      ],
    },
  ],
});

it('PSS-ALLOW-PRIVILEGE-ESCALATION offers no fix where the API would reject allowPrivilegeEscalation: false', () => {
  const fs = runControlOn(control, `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: priv, image: x, securityContext: {privileged: true}}
    - {name: admin, image: x, securityContext: {capabilities: {add: [SYS_ADMIN]}}}
    - {name: plain, image: x}
`);
  assert.deepEqual(fs.map((f) => [f.path[2], Boolean(f.fix)]), [[0, false], [1, false], [2, true]]);
  assert.deepEqual(fs[2]!.fix, [{ op: 'add', path: '/spec/containers/2/securityContext', value: { allowPrivilegeEscalation: false } }]);
});
