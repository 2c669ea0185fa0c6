import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-039-etcd-peer-client-cert-auth.js';
import { HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'configuration file: flags are ignored', yaml: staticPod('etcd', ['--config-file=/etc/etcd/etcd.conf.yml']) },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].command[8]', line: lineOf(INSECURE_CONTROL_PLANE, '--peer-client-cert-auth=false') }],
    },
    {
      name: 'absent: false by default',
      yaml: staticPod('etcd', ['--peer-cert-file=/pki/p.crt']),
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: 10 }],
    },
  ],
});
