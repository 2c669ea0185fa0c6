import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-net-002-default-deny-egress.js';

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api:1.0}]}
`;

new ControlTester(control).run({
  valid: [
    deployment +
      `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`,
    {
      name: 'deny all egress except DNS',
      yaml:
        deployment +
        `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]
      ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
`,
    },
  ],
  invalid: [
    {
      name: 'policyTypes defaults to Ingress only when there is no egress section',
      yaml:
        deployment +
        `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: shop}
spec: {podSelector: {}}
`,
      errors: [{ messageId: 'missing', path: 'metadata.namespace', line: 4 }],
    },
    {
      name: 'egress to the internet on 443 is not default-deny',
      yaml:
        deployment +
        `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-out, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{ports: [{port: 53, protocol: UDP}]}, {ports: [{port: 443}]}]
`,
      errors: [{ messageId: 'missing', path: 'metadata.namespace' }],
    },
  ],
});
