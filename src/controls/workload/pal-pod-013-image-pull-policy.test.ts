import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-pod-013-image-pull-policy.js';

const SHA = 'sha256:' + '0123456789abcdef'.repeat(4);

new ControlTester(control).run({
  valid: [
    {
      name: 'latest or no tag without a policy defaults to Always',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: a, image: nginx}
    - {name: b, image: "nginx:latest"}
    - {name: c, image: "localhost:5000/app"}
`,
    },
    {
      name: 'a tag with imagePullPolicy Always',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers: [{name: app, image: "nginx:1.27", imagePullPolicy: Always}]
`,
    },
    {
      name: 'digests pass under any policy',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: a, image: "nginx@${SHA}"}
    - {name: b, image: "nginx:1.27@${SHA}", imagePullPolicy: IfNotPresent}
    - {name: c, image: "nginx:latest@${SHA}", imagePullPolicy: Never}
`,
    },
    {
      name: 'no image or an unparseable image is left to other controls',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers: [{name: a}, {name: b, image: "Not Valid"}]
`,
    },
  ],
  invalid: [
    {
      name: 'a version tag with the policy omitted defaults to IfNotPresent',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.27
`,
      errors: [{ messageId: 'defaultIfNotPresent', path: 'spec.containers[0].imagePullPolicy', line: 7 }],
    },
    {
      name: 'latest with an explicit IfNotPresent, and Never, in a StatefulSet',
      yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: busybox
          imagePullPolicy: Never
      containers:
        - name: app
          image: registry.example.com:5000/team/app:latest
          imagePullPolicy: IfNotPresent
`,
      errors: [
        { messageId: 'notAlways', path: 'spec.template.spec.initContainers[0].imagePullPolicy', line: 11 },
        { messageId: 'notAlways', path: 'spec.template.spec.containers[0].imagePullPolicy', line: 15 },
      ],
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
          containers: [{name: job, image: "ghcr.io/org/tool:v2"}]
`,
      errors: [{ messageId: 'defaultIfNotPresent', path: 'spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicy', line: 12 }],
    },
  ],
});
