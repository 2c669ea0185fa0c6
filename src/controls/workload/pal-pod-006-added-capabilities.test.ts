import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-pod-006-added-capabilities.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        capabilities:
          drop: [ALL]
          add: [NET_BIND_SERVICE, CAP_NET_BIND_SERVICE]
`,
    {
      name: 'dropping capabilities is not adding them',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
        - {name: app, image: nginx:1.27, securityContext: {capabilities: {drop: [SYS_ADMIN, NET_RAW]}}}
`,
    },
  ],
  invalid: [
    {
      name: 'each entry is reported at its list item, dangerous ones apart, both spellings',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        capabilities:
          add:
            - NET_BIND_SERVICE
            - CHOWN
            - CAP_SYS_ADMIN
            - net_raw
`,
      errors: [
        { messageId: 'added', path: 'spec.containers[0].securityContext.capabilities.add[1]', line: 13 },
        { messageId: 'dangerous', path: 'spec.containers[0].securityContext.capabilities.add[2]', line: 14 },
        { messageId: 'dangerous', path: 'spec.containers[0].securityContext.capabilities.add[3]', line: 15 },
      ],
    },
    {
      name: 'ALL in an init container of a StatefulSet',
      yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      initContainers:
        - name: setup
          image: busybox:1.36
          securityContext: {capabilities: {add: [ALL]}}
      containers: [{name: db, image: postgres:16}]
`,
      errors: [{ messageId: 'dangerous', path: 'spec.template.spec.initContainers[0].securityContext.capabilities.add[0]', line: 11 }],
    },
    {
      name: 'NET_ADMIN in a CronJob ephemeral container and SETUID elsewhere',
      yaml: `
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - {name: job, image: busybox:1.36, securityContext: {capabilities: {add: [SETUID]}}}
          ephemeralContainers:
            - {name: debug, image: busybox:1.36, securityContext: {capabilities: {add: [NET_ADMIN]}}}
`,
      errors: [
        { messageId: 'added', path: 'spec.jobTemplate.spec.template.spec.containers[0].securityContext.capabilities.add[0]', line: 13 },
        { messageId: 'dangerous', path: 'spec.jobTemplate.spec.template.spec.ephemeralContainers[0].securityContext.capabilities.add[0]', line: 15 },
      ],
    },
  ],
});
