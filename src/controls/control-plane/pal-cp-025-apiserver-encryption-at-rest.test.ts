import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-025-apiserver-encryption-at-rest.js';
import { HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'set in separate-value form', yaml: staticPod('kube-apiserver', ['--encryption-provider-config', '/etc/kubernetes/pki/x']) },
    { name: 'other components are not checked', yaml: staticPod('etcd', []) },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: lineOf(INSECURE_CONTROL_PLANE, 'command:', 'kube-apiserver-legacy-1') }],
    },
    {
      name: 'minimal static pod',
      yaml: staticPod('kube-apiserver', ['--v=2']),
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: 10 }],
    },
  ],
});
