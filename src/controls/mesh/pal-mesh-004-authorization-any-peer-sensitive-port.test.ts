import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-mesh-004-authorization-any-peer-sensitive-port.js';

new ControlTester(control).run({
  valid: [
    {
      name: 'named service account on the database port',
      yaml: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: postgres}}
  rules:
    - from: [{source: {principals: ["cluster.local/ns/shop/sa/orders"]}}]
      to: [{operation: {ports: ["5432"]}}]
`,
    },
    {
      name: 'any peer, but on an ordinary port; wildcard narrowed by namespace',
      yaml: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web, namespace: shop}
spec:
  rules:
    - from: [{source: {principals: ["*"]}}]
      to: [{operation: {ports: ["8080"]}}]
    - from: [{source: {principals: ["*"], namespaces: [shop]}}]
      to: [{operation: {ports: ["6379"]}}]
`,
    },
    {
      name: 'DENY policies are not allow rules',
      yaml: 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: d, namespace: shop}\nspec:\n  action: DENY\n  rules: [{from: [{source: {namespaces: ["*"]}}], to: [{operation: {ports: ["22"]}}]}]\n',
    },
  ],
  invalid: [
    {
      name: 'every identity in the trust domain to Redis and SSH',
      yaml: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cache, namespace: shop}
spec:
  action: ALLOW
  rules:
    - from:
        - source:
            principals: ["cluster.local/*"]
      to:
        - operation:
            ports:
              - "6379"
              - "8080"
              - "22"
`,
      errors: [
        { messageId: 'anyPeer', path: 'spec.rules[0].to[0].operation.ports[0]', line: 13 },
        { messageId: 'anyPeer', path: 'spec.rules[0].to[0].operation.ports[2]', line: 15 },
      ],
    },
    {
      name: 'any namespace to MongoDB, ports as numbers, custom list',
      options: { sensitivePorts: [27017] },
      yaml: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: mongo, namespace: data}
spec:
  rules:
    - from: [{source: {namespaces: ["*"]}}]
      to: [{operation: {ports: [27017]}}]
`,
      errors: [{ messageId: 'anyPeer', path: 'spec.rules[0].to[0].operation.ports[0]', line: 7 }],
    },
  ],
});
