import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-010-apiserver-always-admit.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'no plugin list at all', yaml: staticPod('kube-apiserver', []) },
    { name: 'disabling it is fine', yaml: staticPod('kube-apiserver', ['--disable-admission-plugins=AlwaysAdmit']) },
  ],
  invalid: [
    {
      name: 'insecure control plane: the only plugin listed (fix removes the flag)',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'enabled', path: 'spec.containers[0].command[5]', line: lineOf(INSECURE_CONTROL_PLANE, '--enable-admission-plugins=AlwaysAdmit') }],
    },
    {
      name: 'among other plugins (fix keeps the others)',
      yaml: staticPod('kube-apiserver', ['--enable-admission-plugins=NodeRestriction,AlwaysAdmit,EventRateLimit']),
      errors: [{ messageId: 'enabled', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE }],
    },
    {
      name: 'in a legacy --admission-control list (no fix)',
      yaml: staticPod('kube-apiserver', ['--admission-control=AlwaysAdmit']),
      errors: [{ messageId: 'enabled', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE }],
    },
    {
      name: 'separate-value form',
      yaml: staticPod('kube-apiserver', ['--enable-admission-plugins', 'AlwaysAdmit,NodeRestriction']),
      errors: [{ messageId: 'enabled', path: 'spec.containers[0].command[2]', line: FIRST_FLAG_LINE + 1 }],
    },
  ],
});
