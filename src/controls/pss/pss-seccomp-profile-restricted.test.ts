import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-seccomp-profile-restricted.js';

const nothingSet = `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: x}]
`;
const windowsNothingSet = `
apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  containers: [{name: a, image: x}]
`;

new ControlTester(control).run({
  valid: [
    {
      name: 'a valid pod-level profile covers containers that set nothing',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {seccompProfile: {type: RuntimeDefault}}
  containers:
    - {name: a, image: x}
    - {name: b, image: x, securityContext: {seccompProfile: {type: Localhost, localhostProfile: b.json}}}
`,
    },
    {
      name: 'every container sets a valid profile',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: x, securityContext: {seccompProfile: {type: RuntimeDefault}}}]
`,
    },
    { name: 'the check does not exist before v1.19', settings: { pssVersion: 'v1.18' }, yaml: nothingSet },
    { name: 'windows pods are exempt from v1.25', settings: { pssVersion: 'v1.25' }, yaml: windowsNothingSet },
  ],
  invalid: [
    {
      name: 'windows pods are not exempt before v1.25; the fix sets RuntimeDefault at pod level',
      settings: { pssVersion: 'v1.24' },
      yaml: windowsNothingSet,
      errors: [{ messageId: 'containerUnset', path: 'spec.containers[0].securityContext.seccompProfile', line: 7 }],
    },
    {
      name: 'containers without a profile and no valid pod profile',
      settings: { pssVersion: 'v1.19' },
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
    - {name: a, image: x}
    - {name: b, image: x, securityContext: {seccompProfile: {type: RuntimeDefault}}}
    - {name: c, image: x, securityContext: {}}
`,
      errors: [
        { messageId: 'containerUnset', path: 'spec.containers[0].securityContext.seccompProfile' },
        { messageId: 'containerUnset', path: 'spec.containers[2].securityContext.seccompProfile' },
      ],
    },
    {
      name: 'explicit bad values are reported first, at pod and container level',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {seccompProfile: {type: Unconfined}}
  containers:
    - {name: a, image: x}
    - {name: b, image: x, securityContext: {seccompProfile: {type: Unconfined}}}
    - {name: c, image: x, securityContext: {seccompProfile: {}}}
`,
      errors: [
        { messageId: 'podType', path: 'spec.securityContext.seccompProfile.type', line: 6 },
        { messageId: 'containerType', path: 'spec.containers[1].securityContext.seccompProfile.type', line: 9 },
        { messageId: 'containerType', path: 'spec.containers[2].securityContext.seccompProfile.type', line: 10 },
      ],
    },
    {
      name: 'a valid pod profile does not excuse a container that disables seccomp',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {seccompProfile: {type: RuntimeDefault}}
  ephemeralContainers:
    - {name: debug, image: x, securityContext: {seccompProfile: {type: Unconfined}}}
  containers: [{name: a, image: x}]
`,
      errors: [{ messageId: 'containerType', path: 'spec.ephemeralContainers[0].securityContext.seccompProfile.type' }],
    },
  ],
});
