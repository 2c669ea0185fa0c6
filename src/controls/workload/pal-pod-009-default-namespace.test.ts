import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-pod-009-default-namespace.js';

new ControlTester(control).run({
  valid: [
    {
      name: 'objects without a namespace go where they are applied',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers: [{name: app, image: nginx:1.27}]
`,
    },
    `
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data: {a: b}
`,
    {
      name: 'cluster-scoped kinds have no namespace even when one is written',
      yaml: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader, namespace: default}
rules: []
`,
    },
    {
      name: 'objects the control plane keeps in default',
      yaml: `
apiVersion: v1
kind: Service
metadata: {name: kubernetes, namespace: default}
spec: {ports: [{port: 443}]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: default}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: kubernetes, namespace: default}
addressType: IPv4
endpoints: []
---
apiVersion: v1
kind: Event
metadata: {name: web.17a, namespace: default}
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  template:
    spec:
      containers: [{name: app, image: nginx:1.27}]
`,
      errors: [{ messageId: 'defaultNamespace', path: 'metadata.namespace', line: 6 }],
    },
    {
      name: 'any namespaced kind, including a Secret and a CronJob; a Service named kubernetes in another kind is not exempt',
      yaml: `
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: default}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: default}
spec:
  schedule: "0 3 * * *"
  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: b, image: busybox:1.36}]}}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: kubernetes, namespace: default}
`,
      errors: [
        { messageId: 'defaultNamespace', path: 'metadata.namespace', line: 4, resource: 'creds' },
        { messageId: 'defaultNamespace', path: 'metadata.namespace', line: 8, resource: 'backup' },
        { messageId: 'defaultNamespace', path: 'metadata.namespace', line: 15, resource: 'kubernetes' },
      ],
    },
  ],
});
