import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-001-apiserver-anonymous-auth.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'anonymous access configured in an AuthenticationConfiguration file', yaml: staticPod('kube-apiserver', ['--authentication-config=/etc/kubernetes/authn.yaml']) },
    { name: 'Go spelling of false', yaml: staticPod('kube-apiserver', ['--anonymous-auth=0']) },
    { name: 'not an API server', yaml: staticPod('kube-scheduler', ['--anonymous-auth=true']) },
  ],
  invalid: [
    {
      name: 'insecure control plane: explicitly enabled',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'enabled', path: 'spec.containers[0].command[2]', line: lineOf(INSECURE_CONTROL_PLANE, '--anonymous-auth=true') }],
    },
    {
      name: 'flag absent: anonymous requests are accepted by default',
      yaml: staticPod('kube-apiserver', ['--secure-port=6443']),
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: 10 }],
    },
    {
      name: 'the last occurrence wins',
      yaml: staticPod('kube-apiserver', ['--anonymous-auth=false', '--anonymous-auth=true']),
      errors: [{ messageId: 'enabled', path: 'spec.containers[0].command[2]', line: FIRST_FLAG_LINE + 1 }],
    },
    {
      name: 'a boolean does not take the next item as its value',
      yaml: staticPod('kube-apiserver', ['--anonymous-auth', 'false']),
      errors: [{ messageId: 'enabled', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE }],
    },
    {
      name: 'flags in args of an image-only container',
      yaml: `apiVersion: apps/v1
kind: Deployment
metadata: {name: tenant-apiserver, namespace: tenant-a}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: kube-apiserver
          image: registry.k8s.io/kube-apiserver:v1.31.4
          args:
            - --anonymous-auth=true
`,
      errors: [{ messageId: 'enabled', path: 'spec.template.spec.containers[0].args[0]', line: 13 }],
    },
  ],
});
