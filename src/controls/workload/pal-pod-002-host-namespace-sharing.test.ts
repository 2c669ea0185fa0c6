import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-pod-002-host-namespace-sharing.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: app, image: nginx:1.27}]
`,
    {
      name: 'explicit false for every namespace',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      hostNetwork: false
      hostPID: false
      hostIPC: false
      containers: [{name: app, image: nginx:1.27}]
`,
    },
    {
      name: 'a string "true" is not the boolean the API accepts, and is not read as one',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: "true"
  containers: [{name: app, image: nginx:1.27}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  containers: [{name: app, image: nginx:1.27}]
`,
      errors: [{ messageId: 'hostNetwork', path: 'spec.hostNetwork', line: 6 }],
    },
    {
      name: 'all three on a DaemonSet template, each reported on its own line',
      yaml: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    spec:
      hostNetwork: true
      hostPID: true
      hostIPC: true
      containers: [{name: agent, image: agent:1.0}]
`,
      errors: [
        { messageId: 'hostNetwork', path: 'spec.template.spec.hostNetwork', line: 8 },
        { messageId: 'hostPID', path: 'spec.template.spec.hostPID', line: 9 },
        { messageId: 'hostIPC', path: 'spec.template.spec.hostIPC', line: 10 },
      ],
    },
    {
      name: 'hostPID in a CronJob',
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
          hostPID: true
          restartPolicy: OnFailure
          containers: [{name: job, image: busybox:1.36}]
`,
      errors: [{ messageId: 'hostPID', path: 'spec.jobTemplate.spec.template.spec.hostPID', line: 11 }],
    },
  ],
});
