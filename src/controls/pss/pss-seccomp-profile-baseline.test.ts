import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-seccomp-profile-baseline.js';

const annotated = `
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: unconfined
    container.seccomp.security.alpha.kubernetes.io/app: ""
    container.seccomp.security.alpha.kubernetes.io/sidecar: docker/default
    container.seccomp.security.alpha.kubernetes.io/ghost: unconfined
spec:
  containers:
    - {name: app, image: x}
    - {name: sidecar, image: x}
`;

const unconfinedFields = `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {seccompProfile: {type: Unconfined}}
  containers:
    - {name: a, image: x, securityContext: {seccompProfile: {type: Unconfined}}}
    - {name: b, image: x, securityContext: {seccompProfile: {}}}
    - {name: c, image: x, securityContext: {seccompProfile: {type: Localhost, localhostProfile: p.json}}}
    - {name: d, image: x}
`;

new ControlTester(control).run({
  valid: [
    { name: 'annotations are not read from v1.19 on', settings: { pssVersion: 'v1.19' }, yaml: annotated },
    { name: 'fields are not read before v1.19', settings: { pssVersion: 'v1.18' }, yaml: unconfinedFields },
    {
      name: 'unset seccomp is fine at baseline',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: x}]
`,
    },
    {
      name: 'allowed annotation values before v1.19',
      settings: { pssVersion: 'v1.0' },
      yaml: `
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: runtime/default
    container.seccomp.security.alpha.kubernetes.io/a: localhost/profile.json
spec:
  containers: [{name: a, image: x}]
`,
    },
  ],
  invalid: [
    {
      name: 'annotations before v1.19: pod key and the keys of existing containers only; empty is not allowed',
      settings: { pssVersion: 'v1.18' },
      yaml: annotated,
      errors: [
        { messageId: 'annotation', path: 'metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]', line: 7 },
        { messageId: 'annotation', path: 'metadata.annotations["container.seccomp.security.alpha.kubernetes.io/app"]', line: 8 },
      ],
    },
    {
      name: 'fields from v1.19',
      settings: { pssVersion: 'v1.19' },
      yaml: unconfinedFields,
      errors: [
        { messageId: 'podType', path: 'spec.securityContext.seccompProfile.type', line: 6 },
        { messageId: 'containerType', path: 'spec.containers[0].securityContext.seccompProfile.type', line: 8 },
        { messageId: 'containerType', path: 'spec.containers[1].securityContext.seccompProfile.type', line: 9 },
      ],
    },
  ],
});
