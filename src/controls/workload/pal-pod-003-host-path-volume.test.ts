import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControlTester } from '../../engine/control-tester.js';
import control, { isSensitiveHostPath } from './pal-pod-003-host-path-volume.js';

describe('isSensitiveHostPath', () => {
  it('flags the root, sensitive locations, what lies under them and their ancestors', () => {
    for (const p of ['/', '/etc', '/etc/kubernetes/pki', '/var', '/var/run', '/var/run/docker.sock', '/run/containerd/containerd.sock', '/proc', '/var/lib/kubelet/pods', '/var/log/pods', '//var/./run/../run/docker.sock', '/sys/'])
      assert.equal(isSensitiveHostPath(p), true, p);
  });
  it('does not flag unrelated paths or near-miss names', () => {
    for (const p of ['/data', '/etc/localtime', '/etc/ssl/certs', '/var/lib/app', '/procfs', '/var/run/app.sock', 'C:\\data', ''])
      assert.equal(isSensitiveHostPath(p), false, p);
  });
});

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: app, image: nginx:1.27}]
  volumes:
    - {name: scratch, emptyDir: {}}
    - {name: cfg, configMap: {name: app-config}}
`,
  ],
  invalid: [
    {
      name: 'an ordinary host path is reported with its volume name',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: app, image: nginx:1.27}]
  volumes:
    - name: data
      hostPath:
        path: /data/app
        type: DirectoryOrCreate
`,
      errors: [{ messageId: 'hostPath', path: 'spec.volumes[0].hostPath.path', line: 10 }],
    },
    {
      name: 'the runtime socket and the node root in a Deployment are sensitive, the second volume index is kept',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers: [{name: app, image: nginx:1.27}]
      volumes:
        - {name: tmp, emptyDir: {}}
        - name: sock
          hostPath: {path: /var/run/docker.sock, type: Socket}
        - name: root
          hostPath:
            path: /
`,
      errors: [
        { messageId: 'sensitiveHostPath', path: 'spec.template.spec.volumes[1].hostPath.path', line: 12 },
        { messageId: 'sensitiveHostPath', path: 'spec.template.spec.volumes[2].hostPath.path', line: 15 },
      ],
    },
    {
      name: 'a hostPath without a path points at the hostPath entry',
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
          volumes:
            - name: broken
              hostPath: {}
`,
      errors: [{ messageId: 'hostPath', path: 'spec.jobTemplate.spec.template.spec.volumes[0].hostPath.path', line: 15 }],
    },
  ],
});
