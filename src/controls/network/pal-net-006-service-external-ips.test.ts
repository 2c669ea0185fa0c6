import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-net-006-service-external-ips.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Service
metadata: {name: api}
spec: {ports: [{port: 80}], externalIPs: []}
`,
  ],
  invalid: [
    {
      yaml: `
apiVersion: v1
kind: Service
metadata: {name: intercept, namespace: shop}
spec:
  ports: [{port: 443}]
  externalIPs:
    - 203.0.113.10
`,
      errors: [{ messageId: 'externalIPs', path: 'spec.externalIPs', line: 7 }],
    },
  ],
});
