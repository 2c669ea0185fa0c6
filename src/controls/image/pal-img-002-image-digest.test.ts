import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-img-002-image-digest.js';

const SHA = 'sha256:' + '0123456789abcdef'.repeat(4);

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: a, image: "nginx@${SHA}"}
    - {name: b, image: "localhost:5000/app:2.1@${SHA}"}
`,
    {
      name: 'unparseable references are left to PAL-IMG-001',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers: [{name: app, image: "Bad Image"}]
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
  containers:
    - name: app
      image: nginx:1.27
`,
      errors: [{ messageId: 'noDigest', path: 'spec.containers[0].image', line: 8 }],
    },
    {
      name: 'every container kind of a StatefulSet',
      yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  template:
    spec:
      initContainers: [{name: init, image: "busybox:1.36"}]
      containers:
        - {name: pinned, image: "postgres:16@${SHA}"}
        - {name: app, image: "registry.example.com:5000/db/exporter:0.15"}
      ephemeralContainers: [{name: debug, image: busybox}]
`,
      errors: [
        { messageId: 'noDigest', path: 'spec.template.spec.initContainers[0].image', line: 8 },
        { messageId: 'noDigest', path: 'spec.template.spec.containers[1].image', line: 11 },
        { messageId: 'noDigest', path: 'spec.template.spec.ephemeralContainers[0].image', line: 12 },
      ],
    },
  ],
});
