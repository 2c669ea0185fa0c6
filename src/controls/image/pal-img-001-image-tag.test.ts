import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-img-001-image-tag.js';

const SHA = 'sha256:' + '0123456789abcdef'.repeat(4);

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: a, image: "nginx:1.27"}
    - {name: b, image: "localhost:5000/app:2.1.0"}
    - {name: c, image: "gcr.io/proj/app@${SHA}"}
    - {name: d, image: "nginx:latest@${SHA}"}
`,
    {
      name: 'a container without an image (a template a controller completes) is not read',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers: [{name: app}]
`,
    },
  ],
  invalid: [
    {
      name: 'no tag, and a registry port that is not a tag',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: nginx
    - name: b
      image: localhost:5000/app
`,
      errors: [
        { messageId: 'noTag', path: 'spec.containers[0].image', line: 8 },
        { messageId: 'noTag', path: 'spec.containers[1].image', line: 10 },
      ],
    },
    {
      name: 'latest in a Deployment init container',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: busybox:latest
      containers: [{name: app, image: "app:1.0"}]
`,
      errors: [{ messageId: 'latestTag', path: 'spec.template.spec.initContainers[0].image', line: 10 }],
    },
    {
      name: 'an invalid reference and a latest ephemeral container in a CronJob',
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
          containers: [{name: job, image: "Tools/Job:v1"}]
          ephemeralContainers: [{name: debug, image: "busybox:latest"}]
`,
      errors: [
        { messageId: 'invalidReference', path: 'spec.jobTemplate.spec.template.spec.containers[0].image', line: 12 },
        { messageId: 'latestTag', path: 'spec.jobTemplate.spec.template.spec.ephemeralContainers[0].image', line: 13 },
      ],
    },
  ],
});
