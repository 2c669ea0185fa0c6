import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-adm-006-namespace-pod-security-modes.js';

const ns = (labels: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n${labels}`;

new ControlTester(control).run({
  valid: [
    { name: 'restricted needs no warn or audit', yaml: ns('    pod-security.kubernetes.io/enforce: restricted\n') },
    {
      name: 'baseline with warn and audit at restricted, latest versions',
      yaml: ns(
        '    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: latest\n' +
          '    pod-security.kubernetes.io/warn: restricted\n    pod-security.kubernetes.io/audit: restricted\n',
      ),
    },
    { name: 'kube-system is exempt from warn and audit', yaml: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n  labels: {pod-security.kubernetes.io/enforce: privileged}\n' },
    { name: 'no enforce label: PAL-ADM-005 reports it', yaml: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n' },
    { name: 'a recent pin', yaml: ns('    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/enforce-version: v1.30\n') },
  ],
  invalid: [
    {
      name: 'baseline without warn and audit (fix adds restricted)',
      yaml: ns('    pod-security.kubernetes.io/enforce: baseline\n'),
      errors: [
        { messageId: 'warnMissing', path: 'metadata.labels', line: 5 },
        { messageId: 'auditMissing', path: 'metadata.labels', line: 5 },
      ],
    },
    {
      name: 'old and malformed pins',
      yaml: ns(
        '    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/enforce-version: v1.23\n    pod-security.kubernetes.io/warn-version: "1.30"\n',
      ),
      errors: [
        { messageId: 'versionOld', path: 'metadata.labels["pod-security.kubernetes.io/enforce-version"]', line: 7 },
        { messageId: 'versionInvalid', path: 'metadata.labels["pod-security.kubernetes.io/warn-version"]', line: 8 },
      ],
    },
    {
      name: 'the scan\'s PSS version sets the bar',
      settings: { pssVersion: 'v1.31' },
      yaml: ns('    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/enforce-version: v1.30\n'),
      errors: [{ messageId: 'versionOld', path: 'metadata.labels["pod-security.kubernetes.io/enforce-version"]', line: 7 }],
    },
  ],
});
