import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-net-003-pod-not-isolated.js';

const policy = (selector: string) => `
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: shop}
spec: {podSelector: ${selector}, policyTypes: [Ingress]}`;

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api, tier: backend}
    spec: {containers: [{name: api, image: api:1.0}]}`;

new ControlTester(control).run({
  valid: [
    deployment + policy('{matchLabels: {app: api}}'),
    { name: 'an empty podSelector selects every pod', yaml: deployment + policy('{}') },
    {
      name: 'matchExpressions',
      yaml: deployment + policy('{matchExpressions: [{key: tier, operator: In, values: [backend, db]}]}'),
    },
    {
      name: 'host-network pods are outside NetworkPolicy',
      yaml: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  template:
    spec: {hostNetwork: true, containers: [{name: a, image: agent:1}]}
`,
    },
    {
      name: 'a pod owned by a ReplicaSet is reported on its controller',
      yaml: `
apiVersion: v1
kind: Pod
metadata:
  name: api-7d9-x2
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: api-7d9, uid: "1", controller: true}]
spec: {containers: [{name: api, image: api:1.0}]}
`,
    },
  ],
  invalid: [
    {
      yaml: deployment + policy('{matchLabels: {app: web}}'),
      errors: [{ messageId: 'notSelected', path: 'spec.template.metadata.labels', line: 9 }],
    },
    {
      name: 'a policy in another namespace does not select the pod',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: solo, namespace: other, labels: {app: api}}
spec: {containers: [{name: c, image: busybox:1.36}]}
` + policy('{}'),
      errors: [{ messageId: 'notSelected', path: 'metadata.labels', line: 4 }],
    },
  ],
});
