import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-033-controller-manager-rotate-kubelet-server-cert.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'on by default', yaml: staticPod('kube-controller-manager', []) },
    { name: 'other gates only', yaml: staticPod('kube-controller-manager', ['--feature-gates=SomeGate=false']) },
    { name: 'switched back on later', yaml: staticPod('kube-controller-manager', ['--feature-gates=RotateKubeletServerCertificate=false', '--feature-gates=RotateKubeletServerCertificate=true']) },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].command[2]', line: lineOf(INSECURE_CONTROL_PLANE, 'RotateKubeletServerCertificate=false') }],
    },
    {
      name: 'among other gates',
      yaml: staticPod('kube-controller-manager', ['--feature-gates=A=true,RotateKubeletServerCertificate=false,B=true']),
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE }],
    },
  ],
});
