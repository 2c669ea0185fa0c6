import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-027-tls-min-version.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'absent (TLS 1.2 default of current builds)', yaml: staticPod('kube-scheduler', []) },
    { name: 'TLS 1.3', yaml: staticPod('kube-apiserver', ['--tls-min-version=VersionTLS13']), options: { requireExplicit: true } },
    { name: 'etcd is not checked', yaml: staticPod('etcd', ['--tls-min-version=TLS1.2']) },
  ],
  invalid: [
    {
      name: 'insecure control plane: API server and controller manager (fix raises to TLS 1.2)',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [
        { messageId: 'tooLow', path: 'spec.containers[0].command[12]', line: lineOf(INSECURE_CONTROL_PLANE, '--tls-min-version=VersionTLS10'), resource: 'kube-apiserver-legacy-1' },
        { messageId: 'tooLow', path: 'spec.containers[0].command[5]', line: lineOf(INSECURE_CONTROL_PLANE, '--tls-min-version=VersionTLS11'), resource: 'kube-controller-manager-legacy-1' },
      ],
    },
    {
      name: 'absent with requireExplicit',
      yaml: staticPod('kube-controller-manager', []),
      options: { requireExplicit: true },
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: 10 }],
    },
    {
      name: 'separate-value form',
      yaml: staticPod('kube-scheduler', ['--tls-min-version', 'VersionTLS11']),
      errors: [{ messageId: 'tooLow', path: 'spec.containers[0].command[2]', line: FIRST_FLAG_LINE + 1 }],
    },
  ],
});
