import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-016-apiserver-audit-log-path.js';
import { HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'insecure control plane still writes a log', yaml: INSECURE_CONTROL_PLANE },
    { name: 'webhook backend', yaml: staticPod('kube-apiserver', ['--audit-webhook-config-file=/etc/kubernetes/audit-webhook.kubeconfig']) },
    { name: 'standard output', yaml: staticPod('kube-apiserver', ['--audit-log-path=-']) },
  ],
  invalid: [
    {
      name: 'no backend',
      yaml: staticPod('kube-apiserver', ['--audit-policy-file=/etc/kubernetes/audit.yaml']),
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: 10 }],
    },
    {
      name: 'empty path',
      yaml: staticPod('kube-apiserver', ['--audit-log-path=']),
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: 10 }],
    },
  ],
});
