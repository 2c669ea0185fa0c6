import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-host-namespaces.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: plain}
spec:
  containers: [{name: app, image: nginx:1.27}]
`,
    {
      name: 'explicit false is allowed at the oldest version',
      settings: { pssVersion: 'v1.0' },
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: explicit-false}
spec:
  hostNetwork: false
  hostPID: false
  hostIPC: false
  containers: [{name: app, image: nginx:1.27}]
`,
    },
    {
      name: 'hostUsers is not a host namespace for PSA',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: userns}
spec:
  hostUsers: true
  containers: [{name: app, image: nginx:1.27}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: all-three}
spec:
  hostNetwork: true
  hostPID: true
  hostIPC: true
  containers: [{name: app, image: nginx:1.27}]
`,
      errors: [
        { messageId: 'hostNamespace', path: 'spec.hostNetwork', line: 6 },
        { messageId: 'hostNamespace', path: 'spec.hostPID', line: 7 },
        { messageId: 'hostNamespace', path: 'spec.hostIPC', line: 8 },
      ],
    },
    {
      name: 'DaemonSet template at v1.0',
      settings: { pssVersion: 'v1.0' },
      yaml: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostPID: true
      containers: [{name: agent, image: agent:1}]
`,
      errors: [{ messageId: 'hostNamespace', path: 'spec.template.spec.hostPID', line: 10 }],
    },
  ],
});
