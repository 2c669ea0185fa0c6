import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-038-etcd-peer-tls.js';
import { HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

const COMMAND_LINE = lineOf(INSECURE_CONTROL_PLANE, 'command:', 'etcd-legacy-1');

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'both set', yaml: staticPod('etcd', ['--peer-cert-file=/pki/a.crt', '--peer-key-file=/pki/a.key']) },
    { name: 'other components are not checked', yaml: staticPod('kube-apiserver', []) },
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
      yaml: staticPod('etcd', ['--peer-cert-file=/pki/a.crt']),
      errors: [{ messageId: 'missingKey', path: 'spec.containers[0].command', line: 10 }],
    },
    {
      name: 'key without certificate',
      yaml: staticPod('etcd', ['--peer-key-file=/pki/a.key']),
      errors: [{ messageId: 'missingCert', path: 'spec.containers[0].command', line: 10 }],
    },
  ],
});
