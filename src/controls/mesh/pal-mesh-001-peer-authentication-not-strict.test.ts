import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-mesh-001-peer-authentication-not-strict.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}
`,
    {
      name: 'UNSET inherits; a STRICT workload with a STRICT port',
      yaml: `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: inherit, namespace: shop}
spec:
  mtls: {mode: UNSET}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  mtls: {mode: STRICT}
  portLevelMtls:
    5432: {mode: STRICT}
`,
    },
    {
      name: 'portLevelMtls without a selector has no effect',
      yaml: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ns-wide, namespace: shop}
spec:
  mtls: {mode: STRICT}
  portLevelMtls:
    8080: {mode: DISABLE}
`,
    },
    { name: 'another API group with the same kind', yaml: 'apiVersion: example.com/v1\nkind: PeerAuthentication\nmetadata: {name: x, namespace: a}\nspec: {mtls: {mode: DISABLE}}\n' },
  ],
  invalid: [
    {
      name: 'mesh-wide PERMISSIVE',
      yaml: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: PERMISSIVE
`,
      errors: [{ messageId: 'weak', path: 'spec.mtls.mode', line: 8 }],
    },
    {
      name: 'workload DISABLE with a permissive port',
      yaml: `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: legacy, namespace: shop}
spec:
  selector:
    matchLabels: {app: legacy}
  mtls:
    mode: DISABLE
  portLevelMtls:
    8080:
      mode: PERMISSIVE
    9090:
      mode: STRICT
`,
      errors: [
        { messageId: 'weak', path: 'spec.mtls.mode', line: 8 },
        { messageId: 'weakPort', path: 'spec.portLevelMtls["8080"].mode', line: 11 },
      ],
    },
  ],
});
