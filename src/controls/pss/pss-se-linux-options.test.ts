import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-se-linux-options.js';

const engineType = `
apiVersion: v1
kind: Pod
metadata: {name: engine}
spec:
  containers:
    - {name: dind, image: x, securityContext: {seLinuxOptions: {type: container_engine_t}}}
`;

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {seLinuxOptions: {level: "s0:c123,c456"}}
  initContainers:
    - {name: i, image: x, securityContext: {seLinuxOptions: {type: container_init_t}}}
  containers:
    - {name: a, image: x, securityContext: {seLinuxOptions: {type: container_t, user: "", role: ""}}}
    - {name: b, image: x, securityContext: {seLinuxOptions: {type: container_kvm_t}}}
    - {name: c, image: x, securityContext: {seLinuxOptions: {}}}
`,
    { name: 'container_engine_t is allowed from v1.31', settings: { pssVersion: 'v1.31' }, yaml: engineType },
  ],
  invalid: [
    {
      name: 'container_engine_t is not allowed before v1.31',
      settings: { pssVersion: 'v1.30' },
      yaml: engineType,
      errors: [{ messageId: 'type', path: 'spec.containers[0].securityContext.seLinuxOptions.type', line: 7 }],
    },
    {
      name: 'type, user and role at pod and container level',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    seLinuxOptions: {type: spc_t, user: system_u, role: system_r}
  containers:
    - {name: a, image: x, securityContext: {seLinuxOptions: {type: unconfined_t}}}
  ephemeralContainers:
    - {name: dbg, image: x, securityContext: {seLinuxOptions: {user: root}}}
`,
      errors: [
        { messageId: 'type', path: 'spec.securityContext.seLinuxOptions.type' },
        { messageId: 'user', path: 'spec.securityContext.seLinuxOptions.user' },
        { messageId: 'role', path: 'spec.securityContext.seLinuxOptions.role' },
        { messageId: 'type', path: 'spec.containers[0].securityContext.seLinuxOptions.type' },
        { messageId: 'user', path: 'spec.ephemeralContainers[0].securityContext.seLinuxOptions.user' },
      ],
    },
  ],
});
