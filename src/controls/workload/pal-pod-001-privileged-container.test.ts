import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-pod-001-privileged-container.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext: {privileged: false}
`,
    `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers: [{name: app, image: nginx:1.27}]
`,
  ],
  invalid: [
    {
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
`,
      errors: [{ messageId: 'privileged', path: 'spec.containers[0].securityContext.privileged', line: 10 }],
    },
    {
      name: 'init and ephemeral containers of a CronJob',
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
          initContainers:
            - {name: init, image: busybox:1.36, securityContext: {privileged: true}}
          containers:
            - {name: app, image: busybox:1.36}
          ephemeralContainers:
            - name: debug
              image: busybox:1.36
              securityContext: {privileged: true}
`,
      errors: [
        { messageId: 'privileged', path: 'spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.privileged', line: 12 },
        { messageId: 'privileged', path: 'spec.jobTemplate.spec.template.spec.ephemeralContainers[0].securityContext.privileged', line: 18 },
      ],
    },
  ],
});
