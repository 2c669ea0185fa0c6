import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-pod-007-writable-root-filesystem.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: init, image: busybox:1.36, securityContext: {readOnlyRootFilesystem: true}}
  containers:
    - name: app
      image: nginx:1.27
      securityContext: {readOnlyRootFilesystem: true}
      volumeMounts: [{name: tmp, mountPath: /tmp}]
  volumes: [{name: tmp, emptyDir: {}}]
`,
    {
      name: 'ephemeral debug containers are not checked',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: app, image: nginx:1.27, securityContext: {readOnlyRootFilesystem: true}}]
  ephemeralContainers: [{name: debug, image: busybox:1.36}]
`,
    },
    {
      name: 'Windows pods are skipped',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  containers: [{name: app, image: mcr.microsoft.com/windows/servercore:ltsc2022}]
`,
    },
  ],
  invalid: [
    {
      name: 'unset, with and without a securityContext',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: nginx:1.27
    - name: b
      image: nginx:1.27
      securityContext:
        runAsNonRoot: true
`,
      errors: [
        { messageId: 'notSet', path: 'spec.containers[0].securityContext.readOnlyRootFilesystem', line: 7 },
        { messageId: 'notSet', path: 'spec.containers[1].securityContext.readOnlyRootFilesystem', line: 11 },
      ],
    },
    {
      name: 'explicit false in a Deployment init container',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: app:1.0
          securityContext:
            readOnlyRootFilesystem: false
      containers:
        - {name: app, image: app:1.0, securityContext: {readOnlyRootFilesystem: true}}
`,
      errors: [{ messageId: 'disabled', path: 'spec.template.spec.initContainers[0].securityContext.readOnlyRootFilesystem', line: 12 }],
    },
    {
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
          containers: [{name: job, image: busybox:1.36}]
`,
      errors: [{ messageId: 'notSet', path: 'spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem', line: 12 }],
    },
  ],
});
