import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-net-004-node-port-service.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{port: 80}]}
`,
    {
      name: 'LoadBalancer Services are PAL-NET-005\'s',
      yaml: `
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: shop}
spec: {type: LoadBalancer, selector: {app: api}, ports: [{port: 80}]}
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  type: NodePort
  selector: {app: api}
  ports: [{port: 80, nodePort: 30080}]
`,
      errors: [{ messageId: 'nodePort', path: 'spec.type', line: 6 }],
    },
  ],
});
