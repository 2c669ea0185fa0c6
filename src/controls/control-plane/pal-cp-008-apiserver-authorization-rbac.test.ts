import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-008-apiserver-authorization-rbac.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'modes given in two occurrences', yaml: staticPod('kube-apiserver', ['--authorization-mode=Node', '--authorization-mode=RBAC']) },
    { name: 'structured authorization configuration', yaml: staticPod('kube-apiserver', ['--authorization-config=/etc/kubernetes/authz.yaml']) },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'notIncluded', path: 'spec.containers[0].command[3]', line: lineOf(INSECURE_CONTROL_PLANE, '--authorization-mode=AlwaysAllow') }],
    },
    {
      name: 'Node only',
      yaml: staticPod('kube-apiserver', ['--secure-port=6443', '--authorization-mode=Node']),
      errors: [{ messageId: 'notIncluded', path: 'spec.containers[0].command[2]', line: FIRST_FLAG_LINE + 1 }],
    },
    {
      name: 'flag absent',
      yaml: staticPod('kube-apiserver', []),
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: 10 }],
    },
  ],
});
