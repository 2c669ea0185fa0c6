import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ControlTester } from '../../engine/control-tester.js';
import control, { hostCovered } from './pal-net-007-ingress-without-tls.js';

const backend = '{service: {name: web, port: {number: 80}}}';

new ControlTester(control).run({
  valid: [
    `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  tls: [{hosts: [shop.example.com, "*.api.example.com"], secretName: web-tls}]
  rules:
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: ${backend}}]}
    - host: v1.api.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: ${backend}}]}
`,
    {
      name: 'a tls entry without hosts covers a rule without host',
      yaml: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{secretName: default-tls}]
  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: ${backend}}]}}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: ${backend}}]}
`,
      errors: [{ messageId: 'noTls', path: 'spec.tls', line: 5 }],
    },
    {
      name: 'a host missing from tls, and a wildcard covering one label only',
      yaml: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{hosts: [shop.example.com, "*.example.com"], secretName: t}]
  rules:
    - host: shop.example.com
    - host: admin.internal.example.com
    - host: checkout.example.com
`,
      errors: [{ messageId: 'hostNotCovered', path: 'spec.rules[1].host', line: 9 }],
    },
  ],
});

it('PAL-NET-007 wildcard TLS hosts cover exactly one DNS label', () => {
  assert.ok(hostCovered('a.example.com', ['*.example.com']));
  assert.ok(hostCovered('A.Example.com', ['*.example.com']));
  assert.ok(!hostCovered('example.com', ['*.example.com']));
  assert.ok(!hostCovered('a.b.example.com', ['*.example.com']));
  assert.ok(hostCovered('*.example.com', ['*.example.com']));
});
