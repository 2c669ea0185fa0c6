import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-035-etcd-client-tls.js';
import { HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

const COMMAND_LINE = lineOf(INSECURE_CONTROL_PLANE, 'command:', 'etcd-legacy-1');

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'both set', yaml: staticPod('etcd', ['--cert-file=/pki/a.crt', '--key-file=/pki/a.key']) },
    { name: 'other components are not checked', yaml: staticPod('kube-apiserver', []) },
    { name: 'configuration file: flags are ignored', yaml: staticPod('etcd', ['--config-file=/etc/etcd/etcd.conf.yml']) },
    {
      name: 'from ETCD_CERT_FILE and ETCD_KEY_FILE',
      yaml: `apiVersion: v1
kind: Pod
metadata: {name: etcd-0, namespace: kube-system}
spec:
  containers:
    - name: etcd
      image: registry.k8s.io/etcd:3.5.16-0
      env:
        - {name: ETCD_CERT_FILE, value: /pki/server.crt}
        - {name: ETCD_KEY_FILE, value: /pki/server.key}
`,
    },
  ],
  invalid: [
    {
      name: 'insecure control plane: both missing',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [
        { messageId: 'missingCert', path: 'spec.containers[0].command', line: COMMAND_LINE },
        { messageId: 'missingKey', path: 'spec.containers[0].command', line: COMMAND_LINE },
      ],
    },
    {
      name: 'certificate without key',
      yaml: staticPod('etcd', ['--cert-file=/pki/a.crt']),
      errors: [{ messageId: 'missingKey', path: 'spec.containers[0].command', line: 10 }],
    },
    {
      name: 'key without certificate',
      yaml: staticPod('etcd', ['--key-file=/pki/a.key']),
      errors: [{ messageId: 'missingCert', path: 'spec.containers[0].command', line: 10 }],
    },
  ],
});
