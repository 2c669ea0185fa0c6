import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-privileged.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: a, image: nginx:1.27, securityContext: {privileged: false}}
    - {name: b, image: nginx:1.27, securityContext: {}}
    - {name: c, image: nginx:1.27}
`,
  ],
  invalid: [
    {
      name: 'every container list, at the oldest and the latest version',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: init, image: busybox:1.36, securityContext: {privileged: true}}
  containers:
    - {name: app, image: busybox:1.36, securityContext: {privileged: true}}
    - {name: ok, image: busybox:1.36}
  ephemeralContainers:
    - {name: debug, image: busybox:1.36, securityContext: {privileged: true}}
`,
      errors: [
        { messageId: 'privileged', path: 'spec.initContainers[0].securityContext.privileged', line: 7 },
        { messageId: 'privileged', path: 'spec.containers[0].securityContext.privileged', line: 9 },
        { messageId: 'privileged', path: 'spec.ephemeralContainers[0].securityContext.privileged', line: 12 },
      ],
    },
    {
      settings: { pssVersion: 'v1.0' },
      yaml: `
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: app, image: busybox:1.36, securityContext: {privileged: true}}]
`,
      errors: [{ messageId: 'privileged', path: 'spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged' }],
    },
  ],
});
