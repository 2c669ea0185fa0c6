import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-037-etcd-auto-tls.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'explicitly false', yaml: staticPod('etcd', ['--auto-tls=false', '--peer-auto-tls=false']) },
  ],
  invalid: [
    {
      name: 'insecure control plane: explicit and bare',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [
        { messageId: 'autoTls', path: 'spec.containers[0].command[2]', line: lineOf(INSECURE_CONTROL_PLANE, '--auto-tls=true') },
        { messageId: 'peerAutoTls', path: 'spec.containers[0].command[7]', line: lineOf(INSECURE_CONTROL_PLANE, '- --peer-auto-tls') },
      ],
    },
    {
      name: 'peer only',
      yaml: staticPod('etcd', ['--cert-file=/pki/s.crt', '--peer-auto-tls=true']),
      errors: [{ messageId: 'peerAutoTls', path: 'spec.containers[0].command[2]', line: FIRST_FLAG_LINE + 1 }],
    },
  ],
});
