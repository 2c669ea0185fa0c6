import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-005-apiserver-kubelet-certificate-authority.js';
import { HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'controller manager is not checked', yaml: staticPod('kube-controller-manager', []) },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: lineOf(INSECURE_CONTROL_PLANE, 'command:', 'kube-apiserver-legacy-1') }],
    },
    {
      name: 'kubeadm defaults: client certificate but no CA',
      yaml: staticPod('kube-apiserver', ['--kubelet-client-certificate=/pki/c.crt', '--kubelet-client-key=/pki/c.key']),
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: 10 }],
    },
  ],
});
