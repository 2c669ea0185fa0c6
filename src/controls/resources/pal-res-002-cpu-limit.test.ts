import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-res-002-cpu-limit.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: init, image: busybox:1.36, resources: {limits: {cpu: 500m}}}
  containers:
    - name: app
      image: nginx:1.27
      resources:
        limits:
          cpu: 500m
  ephemeralContainers:
    - {name: debug, image: busybox:1.36}
`,
    {
      name: 'pod-level resources bound every container',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      resources: {limits: {cpu: 500m}}
      containers: [{name: a, image: nginx:1.27}, {name: b, image: nginx:1.27}]
`,
    },
    {
      name: 'a LimitRange of type Container in the same namespace supplies the default',
      yaml: `
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
    - type: Container
      default: {cpu: 500m}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: app, image: nginx:1.27}]
`,
    },
    {
      name: 'a LimitRange max also becomes the default limit',
      yaml: `
apiVersion: v1
kind: LimitRange
metadata: {name: ceiling, namespace: shop}
spec:
  limits: [{type: Container, max: {cpu: 500m}}]
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
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
  containers:
    - name: app
      image: nginx:1.27
`,
      errors: [{ messageId: 'noCpuLimit', path: 'spec.containers[0].resources.limits.cpu', line: 7 }],
    },
    {
      name: 'a request does not count as a limit',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.27
      resources:
        requests: {cpu: 500m}
`,
      errors: [{ messageId: 'noCpuLimit', path: 'spec.containers[0].resources.limits.cpu', line: 9 }],
    },
    {
      name: 'init container of a Deployment; a LimitRange elsewhere or of type Pod does not count',
      yaml: `
apiVersion: v1
kind: LimitRange
metadata: {name: other-ns, namespace: other}
spec:
  limits: [{type: Container, default: {cpu: 500m}}]
---
apiVersion: v1
kind: LimitRange
metadata: {name: pod-type, namespace: shop}
spec:
  limits: [{type: Pod, max: {cpu: 500m}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: app:1.0
      containers:
        - {name: app, image: app:1.0, resources: {limits: {cpu: 500m}}}
`,
      errors: [{ messageId: 'noCpuLimit', path: 'spec.template.spec.initContainers[0].resources.limits.cpu', line: 21, resource: 'web' }],
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
          containers: [{name: job, image: busybox:1.36, resources: {}}]
`,
      errors: [{ messageId: 'noCpuLimit', path: 'spec.jobTemplate.spec.template.spec.containers[0].resources.limits.cpu', line: 12 }],
    },
  ],
});
