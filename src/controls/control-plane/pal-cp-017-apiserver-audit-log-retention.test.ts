import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-017-apiserver-audit-log-retention.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

const LOG = '--audit-log-path=/var/log/audit.log';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'no audit file: nothing to rotate', yaml: staticPod('kube-apiserver', []) },
    { name: 'audit to standard output', yaml: staticPod('kube-apiserver', ['--audit-log-path=-']) },
    { name: 'generous limits', yaml: staticPod('kube-apiserver', [LOG, '--audit-log-maxage=90', '--audit-log-maxbackup=20', '--audit-log-maxsize=200']) },
    {
      name: 'lower thresholds by option',
      yaml: staticPod('kube-apiserver', [LOG, '--audit-log-maxage=7', '--audit-log-maxbackup=5', '--audit-log-maxsize=50']),
      options: { minAgeDays: 7, minBackups: 5, minSizeMB: 50 },
    },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [
        { messageId: 'maxAgeLow', path: 'spec.containers[0].command[11]', line: lineOf(INSECURE_CONTROL_PLANE, '--audit-log-maxage=7') },
        { messageId: 'maxBackupNotSet', path: 'spec.containers[0].command', line: lineOf(INSECURE_CONTROL_PLANE, 'command:', 'kube-apiserver-legacy-1') },
        { messageId: 'maxSizeNotSet', path: 'spec.containers[0].command', line: lineOf(INSECURE_CONTROL_PLANE, 'command:', 'kube-apiserver-legacy-1') },
      ],
    },
    {
      name: 'each limit too low, one not a number',
      yaml: staticPod('kube-apiserver', [LOG, '--audit-log-maxage=29', '--audit-log-maxbackup=0', '--audit-log-maxsize=lots']),
      errors: [
        { messageId: 'maxAgeLow', path: 'spec.containers[0].command[2]', line: FIRST_FLAG_LINE + 1 },
        { messageId: 'maxBackupLow', path: 'spec.containers[0].command[3]', line: FIRST_FLAG_LINE + 2 },
        { messageId: 'maxSizeLow', path: 'spec.containers[0].command[4]', line: FIRST_FLAG_LINE + 3 },
      ],
    },
  ],
});
