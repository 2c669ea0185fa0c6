import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-host-ports.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: x
      ports:
        - {containerPort: 8080}
        - {containerPort: 9090, hostPort: 0}
`,
  ],
  invalid: [
    {
      name: 'any non-zero host port, high or low, in any container list',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: init, image: x, ports: [{containerPort: 53, hostPort: 53}]}
  containers:
    - name: app
      image: x
      ports:
        - {containerPort: 80}
        - {containerPort: 8443, hostPort: 30443}
`,
      errors: [
        { messageId: 'hostPort', path: 'spec.initContainers[0].ports[0].hostPort', line: 7 },
        { messageId: 'hostPort', path: 'spec.containers[0].ports[1].hostPort', line: 13 },
      ],
    },
  ],
});
