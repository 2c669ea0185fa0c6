import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-res-004-cpu-request.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: init, image: busybox:1.36, resources: {requests: {cpu: 500m}}}
  containers:
    - name: app
      image: nginx:1.27
      resources:
        requests:
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
      resources: {requests: {cpu: 500m}}
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
      defaultRequest: {cpu: 500m}
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
      name: 'a limit without a request counts, since the API copies it into the request',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: app, image: nginx:1.27, resources: {limits: {cpu: 500m}}}
`,
    },
    {
      name: 'a LimitRange min also becomes the default request',
      yaml: `
apiVersion: v1
kind: LimitRange
metadata: {name: floor, namespace: shop}
spec:
  limits: [{type: Container, min: {cpu: 500m}}]
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
      errors: [{ messageId: 'noCpuRequest', path: 'spec.containers[0].resources.requests.cpu', line: 7 }],
    },
    {
      name: 'a request of the other resource, or a memory limit, does not count',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.27
      resources:
        requests: {memory: 256Mi}
        limits: {memory: 256Mi}
`,
      errors: [{ messageId: 'noCpuRequest', path: 'spec.containers[0].resources.requests.cpu', line: 10 }],
    },
    {
      name: 'init container of a Deployment; a LimitRange elsewhere or of type Pod does not count',
      yaml: `
apiVersion: v1
kind: LimitRange
metadata: {name: other-ns, namespace: other}
spec:
  limits: [{type: Container, defaultRequest: {cpu: 500m}}]
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
        - {name: app, image: app:1.0, resources: {requests: {cpu: 500m}}}
`,
      errors: [{ messageId: 'noCpuRequest', path: 'spec.template.spec.initContainers[0].resources.requests.cpu', line: 21, resource: 'web' }],
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
      errors: [{ messageId: 'noCpuRequest', path: 'spec.jobTemplate.spec.template.spec.containers[0].resources.requests.cpu', line: 12 }],
    },
  ],
});
