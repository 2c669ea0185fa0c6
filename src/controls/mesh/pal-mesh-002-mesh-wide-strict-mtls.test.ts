import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-mesh-002-mesh-wide-strict-mtls.js';

const ISTIO_NS = `apiVersion: v1
kind: Namespace
metadata:
  name: istio-system
`;

const SHOP = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
`;

new ControlTester(control).run({
  valid: [
    { name: 'no Istio at all', yaml: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n' },
    {
      name: 'mesh-wide STRICT',
      yaml: `${SHOP}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}
`,
    },
    {
      name: 'mesh-wide PERMISSIVE is left to PAL-MESH-001',
      yaml: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: PERMISSIVE}
`,
    },
    {
      name: 'custom root namespace',
      options: { rootNamespace: 'mesh-root' },
      yaml: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: mesh-root}
spec:
  mtls: {mode: STRICT}
`,
    },
  ],
  invalid: [
    {
      name: 'injection-labelled namespace, no policy: reported on the root Namespace',
      yaml: `${SHOP}---
${ISTIO_NS}`,
      errors: [{ messageId: 'missing', path: 'metadata.name', line: 10, resource: 'istio-system' }],
    },
    {
      name: 'STRICT only in one namespace or with a selector: reported on the first Istio object',
      yaml: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: shop-strict, namespace: shop}
spec:
  mtls: {mode: STRICT}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: gateway-only, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istio-ingressgateway}}
  mtls: {mode: STRICT}
`,
      errors: [{ messageId: 'missing', path: 'metadata.name', line: 12, resource: 'shop-strict' }],
    },
    {
      name: 'mesh-wide policy without a mode',
      yaml: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ["*"], tls: {mode: SIMPLE, credentialName: public-tls}}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {}
`,
      errors: [{ messageId: 'unset', path: 'spec.mtls.mode', line: 11, resource: 'default' }],
    },
  ],
});
