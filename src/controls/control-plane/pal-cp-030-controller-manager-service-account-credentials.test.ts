import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-030-controller-manager-service-account-credentials.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'bare flag is true', yaml: staticPod('kube-controller-manager', ['--use-service-account-credentials']) },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].command[6]', line: lineOf(INSECURE_CONTROL_PLANE, '--use-service-account-credentials=false') }],
    },
    {
      name: 'absent: false by default',
      yaml: staticPod('kube-controller-manager', ['--leader-elect=true']),
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: 10 }],
    },
    {
      name: 'not a Go boolean',
      yaml: staticPod('kube-controller-manager', ['--use-service-account-credentials=yes']),
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE }],
    },
  ],
});
