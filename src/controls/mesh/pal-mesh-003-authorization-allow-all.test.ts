import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-mesh-003-authorization-allow-all.js';

new ControlTester(control).run({
  valid: [
    {
      name: 'allow-nothing: ALLOW without rules denies every request',
      yaml: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: shop}
spec:
  action: ALLOW
`,
    },
    {
      name: 'empty spec is allow-nothing too',
      yaml: 'apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: deny-by-default, namespace: shop}\nspec: {}\n',
    },
    {
      name: 'deny-all uses DENY with an empty rule',
      yaml: 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all, namespace: shop}\nspec:\n  action: DENY\n  rules: [{}]\n',
    },
    {
      name: 'rules that name sources and operations',
      yaml: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  rules:
    - from: [{source: {principals: ["cluster.local/ns/shop/sa/web"]}}]
      to: [{operation: {methods: [GET], paths: ["/api/*"]}}]
    - when: [{key: "request.auth.claims[iss]", values: ["https://id.example.com"]}]
`,
    },
  ],
  invalid: [
    {
      name: 'mesh-wide allow-all',
      yaml: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-all, namespace: istio-system}
spec:
  action: ALLOW
  rules:
    - {}
`,
      errors: [{ messageId: 'allowAll', path: 'spec.rules[0]', line: 7 }],
    },
    {
      name: 'default action, a rule with only empty lists among narrow ones',
      yaml: `apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  rules:
    - from: [{source: {namespaces: [shop]}}]
    - from: []
      to: [{operation: {}}]
`,
      errors: [{ messageId: 'allowAll', path: 'spec.rules[1]', line: 8 }],
    },
  ],
});
