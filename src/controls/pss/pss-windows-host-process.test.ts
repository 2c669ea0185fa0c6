import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-windows-host-process.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  os: {name: windows}
  securityContext: {windowsOptions: {hostProcess: false, runAsUserName: ContainerUser}}
  containers: [{name: a, image: x, securityContext: {windowsOptions: {}}}]
`,
  ],
  invalid: [
    {
      settings: { pssVersion: 'v1.0' },
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  os: {name: windows}
  hostNetwork: true
  securityContext:
    windowsOptions: {hostProcess: true, runAsUserName: "NT AUTHORITY\\\\SYSTEM"}
  containers:
    - {name: a, image: x, securityContext: {windowsOptions: {hostProcess: true}}}
`,
      errors: [
        { messageId: 'pod', path: 'spec.securityContext.windowsOptions.hostProcess', line: 9 },
        { messageId: 'container', path: 'spec.containers[0].securityContext.windowsOptions.hostProcess', line: 11 },
      ],
    },
  ],
});
