import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-011-apiserver-always-pull-images.js';
import { HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'listed in the legacy flag', yaml: staticPod('kube-apiserver', ['--admission-control=NamespaceLifecycle,AlwaysPullImages']) },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'notEnabled', path: 'spec.containers[0].command[5]', line: lineOf(INSECURE_CONTROL_PLANE, '--enable-admission-plugins=AlwaysAdmit') }],
    },
    {
      name: 'not enabled, nothing listed',
      yaml: staticPod('kube-apiserver', ['--profiling=false']),
      errors: [{ messageId: 'notEnabled', path: 'spec.containers[0].command', line: 10 }],
    },
  ],
});
