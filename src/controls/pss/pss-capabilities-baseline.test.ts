import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-capabilities-baseline.js';

new ControlTester(control).run({
  valid: [
    {
      name: 'every default capability may be added, and anything may be dropped',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: x
      securityContext:
        capabilities:
          drop: [ALL, NET_RAW]
          add: [AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT]
`,
    },
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: x, securityContext: {capabilities: {}}}]
`,
  ],
  invalid: [
    {
      name: 'NET_RAW, SYS_ADMIN and a CAP_-prefixed default name are all non-default',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: init, image: x, securityContext: {capabilities: {add: [CHOWN, NET_RAW]}}}
  containers:
    - {name: app, image: x, securityContext: {capabilities: {add: [SYS_ADMIN, CAP_CHOWN, chown]}}}
  ephemeralContainers:
    - {name: debug, image: x, securityContext: {capabilities: {add: [SYS_PTRACE]}}}
`,
      errors: [
        { messageId: 'nonDefault', path: 'spec.initContainers[0].securityContext.capabilities.add[1]' },
        { messageId: 'nonDefault', path: 'spec.containers[0].securityContext.capabilities.add[0]' },
        { messageId: 'nonDefault', path: 'spec.containers[0].securityContext.capabilities.add[1]' },
        { messageId: 'nonDefault', path: 'spec.containers[0].securityContext.capabilities.add[2]' },
        { messageId: 'nonDefault', path: 'spec.ephemeralContainers[0].securityContext.capabilities.add[0]' },
      ],
    },
    {
      name: 'the baseline check keeps running when restricted would override it (level is the caller\'s choice)',
      settings: { pssVersion: 'v1.21' },
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
        - name: app
          image: x
          securityContext:
            capabilities:
              add: [NET_ADMIN]
`,
      errors: [{ messageId: 'nonDefault', path: 'spec.template.spec.containers[0].securityContext.capabilities.add[0]', line: 13 }],
    },
  ],
});
