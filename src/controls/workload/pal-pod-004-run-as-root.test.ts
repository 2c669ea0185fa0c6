import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ControlTester, runControlOn } from '../../engine/control-tester.js';
import control from './pal-pod-004-run-as-root.js';

new ControlTester(control).run({
  valid: [
    {
      name: 'pod-level runAsNonRoot covers every container',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true}
  initContainers: [{name: init, image: busybox:1.36}]
  containers: [{name: app, image: nginx:1.27}]
`,
    },
    {
      name: 'container-level runAsNonRoot',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext: {runAsNonRoot: true}
`,
    },
    {
      name: 'a non-zero runAsUser (pod or container) runs as that UID',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsUser: 1000}
  containers:
    - {name: a, image: nginx:1.27}
    - {name: b, image: nginx:1.27, securityContext: {runAsUser: 65534, runAsNonRoot: false}}
`,
    },
    {
      name: 'container runAsUser overrides pod runAsUser 0',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsUser: 0}
  containers:
    - {name: a, image: nginx:1.27, securityContext: {runAsUser: 1000}}
`,
    },
    {
      name: 'Windows pods are out of scope',
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
      name: 'nothing set: may run as root',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.27
`,
      errors: [{ messageId: 'mayRunAsRoot', path: 'spec.containers[0].securityContext.runAsNonRoot', line: 7 }],
    },
    {
      name: 'container runAsNonRoot: false overrides the pod setting',
      yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
        - name: ok
          image: nginx:1.27
        - name: app
          image: nginx:1.27
          securityContext:
            runAsNonRoot: false
`,
      errors: [{ messageId: 'mayRunAsRoot', path: 'spec.template.spec.containers[1].securityContext.runAsNonRoot', line: 15 }],
    },
    {
      name: 'runAsUser 0 on a container, even with runAsNonRoot true',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        runAsNonRoot: true
        runAsUser: 0
`,
      errors: [{ messageId: 'runAsUserZero', path: 'spec.containers[0].securityContext.runAsUser', line: 11 }],
    },
    {
      name: 'pod-level runAsUser 0 is reported once for the containers that inherit it',
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
          securityContext:
            runAsUser: 0
          initContainers:
            - {name: init, image: busybox:1.36}
          containers:
            - {name: job, image: busybox:1.36}
            - {name: other, image: busybox:1.36, securityContext: {runAsUser: 1000}}
`,
      errors: [{ messageId: 'runAsUserZero', path: 'spec.jobTemplate.spec.template.spec.securityContext.runAsUser', line: 13 }],
    },
    {
      name: 'ephemeral containers are checked too',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true}
  containers: [{name: app, image: nginx:1.27}]
  ephemeralContainers:
    - {name: debug, image: busybox:1.36, securityContext: {runAsNonRoot: false}}
`,
      errors: [{ messageId: 'mayRunAsRoot', path: 'spec.ephemeralContainers[0].securityContext.runAsNonRoot', line: 9 }],
    },
  ],
});

it('PAL-POD-004 names every container that inherits runAsUser 0 from the pod', () => {
  const [f, ...rest] = runControlOn(
    control,
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsUser: 0}
  containers: [{name: a, image: x:1}, {name: b, image: x:1}]
`,
  );
  assert.equal(rest.length, 0);
  assert.equal(f!.message, 'runAsUser: 0 in the pod securityContext makes container "a", "b" run as root');
});
