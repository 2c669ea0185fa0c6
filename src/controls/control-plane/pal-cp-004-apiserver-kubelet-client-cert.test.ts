import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-004-apiserver-kubelet-client-cert.js';
import { HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'separate-value form', yaml: staticPod('kube-apiserver', ['--kubelet-client-certificate', '/pki/c.crt', '--kubelet-client-key', '/pki/c.key']) },
  ],
  invalid: [
    {
      name: 'insecure control plane: both missing',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [
        { messageId: 'missingCert', path: 'spec.containers[0].command', line: lineOf(INSECURE_CONTROL_PLANE, 'command:', 'kube-apiserver-legacy-1') },
        { messageId: 'missingKey', path: 'spec.containers[0].command', line: lineOf(INSECURE_CONTROL_PLANE, 'command:', 'kube-apiserver-legacy-1') },
      ],
    },
    {
      name: 'key without certificate',
      yaml: staticPod('kube-apiserver', ['--kubelet-client-key=/pki/c.key']),
      errors: [{ messageId: 'missingCert', path: 'spec.containers[0].command', line: 10 }],
    },
  ],
});
