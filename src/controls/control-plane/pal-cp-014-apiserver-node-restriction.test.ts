import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-014-apiserver-node-restriction.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'kubeadm default', yaml: staticPod('kube-apiserver', ['--enable-admission-plugins=NodeRestriction']) },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'notEnabled', path: 'spec.containers[0].command[5]', line: lineOf(INSECURE_CONTROL_PLANE, '--enable-admission-plugins=AlwaysAdmit') }],
    },
    {
      name: 'off by default',
      yaml: staticPod('kube-apiserver', []),
      errors: [{ messageId: 'notEnabled', path: 'spec.containers[0].command', line: 10 }],
    },
    {
      name: 'disabled in a later list',
      yaml: staticPod('kube-apiserver', ['--enable-admission-plugins=NodeRestriction', '--disable-admission-plugins=NodeRestriction']),
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].command[2]', line: FIRST_FLAG_LINE + 1 }],
    },
  ],
});
