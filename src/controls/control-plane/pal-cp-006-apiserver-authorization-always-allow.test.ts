import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-006-apiserver-authorization-always-allow.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'structured authorization configuration', yaml: staticPod('kube-apiserver', ['--authorization-config=/etc/kubernetes/authz.yaml']) },
    { name: 'Node,RBAC,Webhook', yaml: staticPod('kube-apiserver', ['--authorization-mode=Node,RBAC,Webhook']) },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'alwaysAllow', path: 'spec.containers[0].command[3]', line: lineOf(INSECURE_CONTROL_PLANE, '--authorization-mode=AlwaysAllow') }],
    },
    {
      name: 'flag absent: the default is AlwaysAllow',
      yaml: staticPod('kube-apiserver', ['--secure-port=6443']),
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: 10 }],
    },
    {
      name: 'AlwaysAllow after RBAC, value in its own item',
      yaml: staticPod('kube-apiserver', ['--authorization-mode', 'RBAC,AlwaysAllow']),
      errors: [{ messageId: 'alwaysAllow', path: 'spec.containers[0].command[2]', line: FIRST_FLAG_LINE + 1 }],
    },
  ],
});
