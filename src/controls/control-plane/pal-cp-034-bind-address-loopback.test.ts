import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-034-bind-address-loopback.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'IPv6 loopback', yaml: staticPod('kube-scheduler', ['--bind-address=::1']) },
    { name: 'the API server must listen on the network', yaml: staticPod('kube-apiserver', ['--bind-address=0.0.0.0']) },
  ],
  invalid: [
    {
      name: 'insecure control plane: controller manager and scheduler (value in its own item)',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [
        { messageId: 'notLoopback', path: 'spec.containers[0].command[1]', line: lineOf(INSECURE_CONTROL_PLANE, '--bind-address=0.0.0.0'), resource: 'kube-controller-manager-legacy-1' },
        { messageId: 'notLoopback', path: 'spec.containers[0].command[2]', line: lineOf(INSECURE_CONTROL_PLANE, '- 0.0.0.0'), resource: 'kube-scheduler-legacy-1' },
      ],
    },
    {
      name: 'absent: all interfaces',
      yaml: staticPod('kube-scheduler', ['--leader-elect=true']),
      errors: [{ messageId: 'allInterfaces', path: 'spec.containers[0].command', line: 10 }],
    },
    {
      name: 'node address',
      yaml: staticPod('kube-controller-manager', ['--bind-address=10.0.0.10']),
      errors: [{ messageId: 'notLoopback', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE }],
    },
  ],
});
