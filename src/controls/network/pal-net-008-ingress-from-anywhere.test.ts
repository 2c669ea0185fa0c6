import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-net-008-ingress-from-anywhere.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
    - from:
        - podSelector: {matchLabels: {app: web}}
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
        - ipBlock: {cidr: 10.0.0.0/8}
      ports: [{port: 8080}]
`,
    {
      name: 'a default-deny policy has no rules',
      yaml: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
`,
    },
    {
      name: 'ingress rules of an egress-only policy have no effect',
      yaml: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: e, namespace: shop}
spec: {podSelector: {}, policyTypes: [Egress], ingress: [{}]}
`,
    },
    {
      name: 'empty namespaceSelector with a real podSelector is "these pods in any namespace"',
      yaml: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: prom, namespace: shop}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: prometheus}}}]}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
    - ports: [{port: 8080}]
    - from: []
`,
      errors: [
        { messageId: 'anySource', path: 'spec.ingress[0]', line: 8 },
        { messageId: 'anySource', path: 'spec.ingress[1].from', line: 9 },
      ],
    },
    {
      name: 'ipBlock 0.0.0.0/0 and every namespace',
      yaml: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: wide, namespace: shop}
spec:
  podSelector: {}
  ingress:
    - from:
        - ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}
        - namespaceSelector: {}
`,
      errors: [
        { messageId: 'anyAddress', path: 'spec.ingress[0].from[0].ipBlock.cidr', line: 9 },
        { messageId: 'allNamespaces', path: 'spec.ingress[0].from[1].namespaceSelector', line: 10 },
      ],
    },
  ],
});
