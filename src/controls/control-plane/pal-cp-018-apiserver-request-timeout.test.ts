import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-018-apiserver-request-timeout.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'default (one minute)', yaml: staticPod('kube-apiserver', []) },
    { name: 'exactly the limit', yaml: staticPod('kube-apiserver', ['--request-timeout=5m0s']) },
    { name: 'higher limit by option', yaml: staticPod('kube-apiserver', ['--request-timeout=10m']), options: { maxSeconds: 600 } },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'tooLong', path: 'spec.containers[0].command[14]', line: lineOf(INSECURE_CONTROL_PLANE, '--request-timeout=30m') }],
    },
    {
      name: 'one hour, value in its own item',
      yaml: staticPod('kube-apiserver', ['--request-timeout', '1h']),
      errors: [{ messageId: 'tooLong', path: 'spec.containers[0].command[2]', line: FIRST_FLAG_LINE + 1 }],
    },
    {
      name: 'a number without unit is not a Go duration',
      yaml: staticPod('kube-apiserver', ['--request-timeout=300']),
      errors: [{ messageId: 'invalid', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE }],
    },
  ],
});
