import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-036-etcd-client-cert-auth.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'configuration file: flags are ignored', yaml: staticPod('etcd', ['--config-file=/etc/etcd/etcd.conf.yml']) },
    { name: 'bare flag', yaml: staticPod('etcd', ['-client-cert-auth']) },
    {
      name: 'from ETCD_CLIENT_CERT_AUTH',
      yaml: `apiVersion: v1
kind: Pod
metadata: {name: etcd-0, namespace: kube-system}
spec:
  containers:
    - name: etcd
      image: quay.io/coreos/etcd:v3.5.16
      command: [etcd]
      env:
        - {name: ETCD_CLIENT_CERT_AUTH, value: "true"}
`,
    },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: lineOf(INSECURE_CONTROL_PLANE, 'command:', 'etcd-legacy-1') }],
    },
    {
      name: 'explicitly false',
      yaml: staticPod('etcd', ['--client-cert-auth=false']),
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE }],
    },
    {
      name: 'false in ETCD_CLIENT_CERT_AUTH',
      yaml: `apiVersion: v1
kind: Pod
metadata: {name: etcd-0, namespace: kube-system}
spec:
  containers:
    - name: etcd
      image: quay.io/coreos/etcd:v3.5.16
      command: [etcd]
      env:
        - {name: ETCD_NAME, value: etcd-0}
        - {name: ETCD_CLIENT_CERT_AUTH, value: "false"}
`,
      errors: [{ messageId: 'disabled', path: 'spec.containers[0].env[1].value', line: 11 }],
    },
  ],
});
