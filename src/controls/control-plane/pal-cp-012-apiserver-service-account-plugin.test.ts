import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-012-apiserver-service-account-plugin.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'on by default', yaml: staticPod('kube-apiserver', []) },
    { name: 'other plugins disabled', yaml: staticPod('kube-apiserver', ['--disable-admission-plugins=DefaultStorageClass']) },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].command[6]', line: lineOf(INSECURE_CONTROL_PLANE, '--disable-admission-plugins=') }],
    },
    {
      name: 'left out of a legacy --admission-control list',
      yaml: staticPod('kube-apiserver', ['--admission-control=NamespaceLifecycle,NodeRestriction']),
      errors: [{ messageId: 'notEnabled', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE }],
    },
  ],
});
