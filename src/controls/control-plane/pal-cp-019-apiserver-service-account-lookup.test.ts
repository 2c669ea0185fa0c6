import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-019-apiserver-service-account-lookup.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'default is true', yaml: staticPod('kube-apiserver', []) },
    { name: 'bare flag is true', yaml: staticPod('kube-apiserver', ['--service-account-lookup']) },
  ],
  invalid: [
    {
      name: 'insecure control plane (fix sets true)',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].command[9]', line: lineOf(INSECURE_CONTROL_PLANE, '--service-account-lookup=false') }],
    },
    {
      name: 'Go spelling of false',
      yaml: staticPod('kube-apiserver', ['--service-account-lookup=F']),
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE }],
    },
  ],
});
