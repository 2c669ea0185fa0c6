import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-022-apiserver-tls-cert.js';
import { HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

const COMMAND_LINE = lineOf(INSECURE_CONTROL_PLANE, 'command:', 'kube-apiserver-legacy-1');

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'both set', yaml: staticPod('kube-apiserver', ['--tls-cert-file=/pki/a.crt', '--tls-private-key-file=/pki/a.key']) },
    { name: 'other components are not checked', yaml: staticPod('kube-scheduler', []) },
  ],
  invalid: [
    {
      name: 'insecure control plane: both missing',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [
        { messageId: 'missingCert', path: 'spec.containers[0].command', line: COMMAND_LINE },
        { messageId: 'missingKey', path: 'spec.containers[0].command', line: COMMAND_LINE },
      ],
    },
    {
      name: 'certificate without key',
      yaml: staticPod('kube-apiserver', ['--tls-cert-file=/pki/a.crt']),
      errors: [{ messageId: 'missingKey', path: 'spec.containers[0].command', line: 10 }],
    },
    {
      name: 'key without certificate',
      yaml: staticPod('kube-apiserver', ['--tls-private-key-file=/pki/a.key']),
      errors: [{ messageId: 'missingCert', path: 'spec.containers[0].command', line: 10 }],
    },
  ],
});
