import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-026-apiserver-tls-cipher-suites.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'absent, with requireExplicit off', yaml: staticPod('kube-apiserver', []), options: { requireExplicit: false } },
    { name: 'CBC-SHA ECDHE suites are in the CIS set', yaml: staticPod('kube-apiserver', ['--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384']) },
    {
      name: 'a custom allowed set',
      yaml: staticPod('kube-apiserver', ['--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384']),
      options: { allowed: ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'] },
    },
  ],
  invalid: [
    {
      name: 'insecure control plane: static RSA and 3DES',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'weak', path: 'spec.containers[0].command[13]', line: lineOf(INSECURE_CONTROL_PLANE, '--tls-cipher-suites=') }],
    },
    {
      name: 'absent: Go defaults',
      yaml: staticPod('kube-apiserver', []),
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].command', line: 10 }],
    },
    {
      name: 'one finding per occurrence',
      yaml: staticPod('kube-apiserver', ['--tls-cipher-suites=TLS_ECDHE_RSA_WITH_RC4_128_SHA', '--tls-cipher-suites', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256']),
      errors: [
        { messageId: 'weak', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE },
        { messageId: 'weak', path: 'spec.containers[0].command[3]', line: FIRST_FLAG_LINE + 2 },
      ],
    },
  ],
});
