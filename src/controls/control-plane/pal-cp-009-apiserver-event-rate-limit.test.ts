import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-009-apiserver-event-rate-limit.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'spaces around list items', yaml: staticPod('kube-apiserver', ['--enable-admission-plugins=NodeRestriction, EventRateLimit']) },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'notEnabled', path: 'spec.containers[0].command[5]', line: lineOf(INSECURE_CONTROL_PLANE, '--enable-admission-plugins=AlwaysAdmit') }],
    },
    {
      name: 'disabled explicitly',
      yaml: staticPod('kube-apiserver', ['--disable-admission-plugins=EventRateLimit']),
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE }],
    },
    {
      name: 'legacy --admission-control list without it',
      yaml: staticPod('kube-apiserver', ['--admission-control', 'NamespaceLifecycle,ServiceAccount']),
      errors: [{ messageId: 'notEnabled', path: 'spec.containers[0].command[2]', line: FIRST_FLAG_LINE + 1 }],
    },
  ],
});
