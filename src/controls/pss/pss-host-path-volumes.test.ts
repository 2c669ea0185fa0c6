import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-host-path-volumes.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: x}]
  volumes:
    - {name: scratch, emptyDir: {}}
    - {name: data, nfs: {server: nfs.example, path: /export}}
    - {name: nothing, hostPath: null}
`,
  ],
  invalid: [
    {
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: x}]
  volumes:
    - {name: scratch, emptyDir: {}}
    - name: sock
      hostPath:
        path: /var/run/containerd/containerd.sock
    - {name: empty, hostPath: {}}
`,
      errors: [
        { messageId: 'hostPath', path: 'spec.volumes[1].hostPath', line: 10 },
        { messageId: 'hostPath', path: 'spec.volumes[2].hostPath', line: 12 },
      ],
    },
    {
      settings: { pssVersion: 'v1.0' },
      yaml: `
apiVersion: v1
kind: PodTemplate
metadata: {name: t}
template:
  spec:
    containers: [{name: a, image: x}]
    volumes: [{name: root, hostPath: {path: /}}]
`,
      errors: [{ messageId: 'hostPath', path: 'template.spec.volumes[0].hostPath' }],
    },
  ],
});
