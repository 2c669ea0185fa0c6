import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-net-005-load-balancer-service.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [10.0.0.0/8, 192.168.10.0/24]
  ports: [{port: 5432}]
`,
    {
      name: 'internal load balancer by annotation',
      yaml: `
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: shop
  annotations: {service.beta.kubernetes.io/azure-load-balancer-internal: "true"}
spec: {type: LoadBalancer, ports: [{port: 5432}]}
`,
    },
    {
      name: 'source ranges by annotation',
      yaml: `
apiVersion: v1
kind: Service
metadata:
  name: db
  annotations: {service.beta.kubernetes.io/load-balancer-source-ranges: "10.0.0.0/8, 172.16.0.0/12"}
spec: {type: LoadBalancer, ports: [{port: 5432}]}
`,
    },
    'apiVersion: v1\nkind: Service\nmetadata: {name: c}\nspec: {ports: [{port: 80}]}\n',
  ],
  invalid: [
    {
      yaml: `
apiVersion: v1
kind: Service
metadata: {name: admin, namespace: shop}
spec:
  type: LoadBalancer
  ports: [{port: 8080}]
`,
      errors: [{ messageId: 'public', path: 'spec.type', line: 6 }],
    },
    {
      name: 'a source range of 0.0.0.0/0 restricts nothing',
      yaml: `
apiVersion: v1
kind: Service
metadata:
  name: admin
  annotations: {service.beta.kubernetes.io/aws-load-balancer-internal: "false"}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges:
    - 10.0.0.0/8
    - 0.0.0.0/0
`,
      errors: [{ messageId: 'openRange', path: 'spec.loadBalancerSourceRanges[1]', line: 11 }],
    },
  ],
});
