import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-029-controller-manager-terminated-pod-gc.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'CIS example value', yaml: staticPod('kube-controller-manager', ['--terminated-pod-gc-threshold=10']) },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: lineOf(INSECURE_CONTROL_PLANE, 'command:', 'kube-controller-manager-legacy-1') }],
    },
    {
      name: 'zero turns the collector off',
      yaml: staticPod('kube-controller-manager', ['--terminated-pod-gc-threshold=0']),
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE }],
    },
  ],
});
