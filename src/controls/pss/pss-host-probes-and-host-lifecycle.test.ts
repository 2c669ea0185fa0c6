import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-host-probes-and-host-lifecycle.js';

const withHosts = `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - name: init
      image: x
      startupProbe: {tcpSocket: {port: 5432, host: db.internal}}
  containers:
    - name: app
      image: x
      livenessProbe: {httpGet: {path: /healthz, port: 8080, host: 169.254.169.254}}
      readinessProbe: {httpGet: {path: /ready, port: 8080, host: ""}, tcpSocket: {port: 8080, host: 10.0.0.1}}
      lifecycle:
        postStart: {httpGet: {path: /warm, port: 80, host: example.com}}
        preStop: {tcpSocket: {port: 80, host: localhost}}
`;

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: x
      livenessProbe: {httpGet: {path: /healthz, port: 8080}}
      readinessProbe: {tcpSocket: {port: 8080, host: ""}}
      lifecycle: {preStop: {exec: {command: [sleep, "5"]}}}
`,
    { name: 'the check does not exist before policy v1.34', settings: { pssVersion: 'v1.33' }, yaml: withHosts },
  ],
  invalid: [
    {
      name: 'hosts in probes and lifecycle handlers at v1.34',
      settings: { pssVersion: 'v1.34' },
      yaml: withHosts,
      errors: [
        { messageId: 'host', path: 'spec.initContainers[0].startupProbe.tcpSocket.host', line: 9 },
        { messageId: 'host', path: 'spec.containers[0].livenessProbe.httpGet.host', line: 13 },
        { messageId: 'host', path: 'spec.containers[0].readinessProbe.tcpSocket.host', line: 14 },
        { messageId: 'host', path: 'spec.containers[0].lifecycle.postStart.httpGet.host', line: 16 },
        { messageId: 'host', path: 'spec.containers[0].lifecycle.preStop.tcpSocket.host', line: 17 },
      ],
    },
  ],
});
