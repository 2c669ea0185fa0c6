import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-003-apiserver-deny-service-external-ips.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'enabled in a second occurrence of the flag', yaml: staticPod('kube-apiserver', ['--enable-admission-plugins=NodeRestriction', '--enable-admission-plugins=DenyServiceExternalIPs']) },
  ],
  invalid: [
    {
      name: 'insecure control plane: reported at the plugin list',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'notEnabled', path: 'spec.containers[0].command[5]', line: lineOf(INSECURE_CONTROL_PLANE, '--enable-admission-plugins=AlwaysAdmit') }],
    },
    {
      name: 'no plugin list: reported at the command',
      yaml: staticPod('kube-apiserver', []),
      errors: [{ messageId: 'notEnabled', path: 'spec.containers[0].command', line: 10 }],
    },
    {
      name: 'enabled and disabled: disabling wins',
      yaml: staticPod('kube-apiserver', ['--enable-admission-plugins=DenyServiceExternalIPs', '--disable-admission-plugins=DenyServiceExternalIPs']),
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].command[2]', line: FIRST_FLAG_LINE + 1 }],
    },
  ],
});
