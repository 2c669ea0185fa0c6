import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ControlTester, runControlOn } from '../../engine/control-tester.js';
import control from './pal-net-001-default-deny-ingress.js';

const pod = (ns: string) => `
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: ${ns}, labels: {app: web}}
spec: {containers: [{name: web, image: nginx:1.27}]}`;

new ControlTester(control).run({
  valid: [
    pod('shop') +
      `
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`,
    {
      name: 'policyTypes defaults to Ingress; an empty matchLabels selects all pods',
      yaml:
        pod('shop') +
        `
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {matchLabels: {}}}
`,
    },
    {
      name: 'a namespace without workloads needs nothing',
      yaml: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: empty}\n',
    },
    { name: 'kube-system is ignored by default', yaml: pod('kube-system') },
    { name: 'ignoreNamespaces option', yaml: pod('legacy'), options: { ignoreNamespaces: ['legacy'] } },
  ],
  invalid: [
    {
      name: 'reported on the Namespace object when present',
      yaml:
        `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
` + pod('shop'),
      errors: [{ messageId: 'missing', path: 'metadata.name', line: 5, resource: 'shop' }],
    },
    {
      name: 'a policy that allows some ingress, or selects some pods, is not default-deny',
      yaml:
        pod('shop') +
        `
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-lb, namespace: shop}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {name: ingress}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-only, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
`,
      errors: [{ messageId: 'missing', path: 'metadata.namespace', line: 5, resource: 'web' }],
    },
    {
      name: 'a default-deny in another namespace does not count',
      yaml:
        pod('a') +
        `
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: b}
spec: {podSelector: {}, policyTypes: [Ingress]}
`,
      errors: [{ messageId: 'missing', path: 'metadata.namespace' }],
    },
  ],
});

it('reports namespaces in name order, each once with its workload count, on the Namespace object or the first workload', () => {
  const named = (kind: string, name: string, ns?: string) =>
    kind === 'Pod'
      ? `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}\nspec: {containers: [{name: c, image: nginx:1.27}]}\n`
      : `---\napiVersion: apps/v1\nkind: ${kind}\nmetadata: {name: ${name}, namespace: ${ns}}\nspec: {template: {spec: {containers: [{name: c, image: nginx:1.27}]}}}\n`;
  const yaml = [
    named('Pod', 'b1', 'b'),
    named('Deployment', 'a1', 'a'),
    named('Pod', 'b2', 'b'),
    named('Pod', 'c1', 'c'),
    named('Pod', 'loose'),
    named('Pod', 'k1', 'kube-system'),
    named('StatefulSet', 'a2', 'a'),
    '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n',
    '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: c}\nspec: {podSelector: {}}\n',
    '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: empty}\nspec: {podSelector: {}}\n',
  ].join('');
  const found = runControlOn(control, yaml).map((f) => `${f.resource.kind} ${f.resource.name} ${f.path.join('.')}: ${f.message}`);
  assert.deepEqual(found, [
    'Deployment a1 metadata.namespace: Namespace a (2 workload(s)) has no default-deny ingress NetworkPolicy',
    'Namespace b metadata.name: Namespace b (2 workload(s)) has no default-deny ingress NetworkPolicy',
  ]);
});
