import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-pod-005-privilege-escalation.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: init, image: busybox:1.36, securityContext: {allowPrivilegeEscalation: false}}
  containers:
    - {name: app, image: nginx:1.27, securityContext: {allowPrivilegeEscalation: false}}
`,
    {
      name: 'Windows pods cannot set the field and are skipped',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  containers: [{name: app, image: mcr.microsoft.com/windows/servercore:ltsc2022}]
`,
    },
  ],
  invalid: [
    {
      name: 'no securityContext: the fix adds one',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.27
`,
      errors: [{ messageId: 'notSet', path: 'spec.containers[0].securityContext.allowPrivilegeEscalation', line: 7 }],
    },
    {
      name: 'securityContext without the field, and an explicit true, in a Deployment',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
        - name: a
          image: nginx:1.27
          securityContext:
            runAsNonRoot: true
        - name: b
          image: nginx:1.27
          securityContext:
            allowPrivilegeEscalation: true
`,
      errors: [
        { messageId: 'notSet', path: 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation', line: 11 },
        { messageId: 'allowed', path: 'spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation', line: 16 },
      ],
    },
    {
      name: 'privileged and SYS_ADMIN (either spelling) always allow escalation; no fix is offered',
      yaml: `
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          initContainers:
            - {name: init, image: busybox:1.36, securityContext: {privileged: true}}
          containers:
            - {name: a, image: busybox:1.36, securityContext: {capabilities: {add: [SYS_ADMIN]}}}
            - {name: b, image: busybox:1.36, securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [CAP_SYS_ADMIN]}}}
`,
      errors: [
        { messageId: 'alwaysAllowed', path: 'spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation', line: 13 },
        { messageId: 'alwaysAllowed', path: 'spec.jobTemplate.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation', line: 15 },
        { messageId: 'alwaysAllowed', path: 'spec.jobTemplate.spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation', line: 16 },
      ],
    },
    {
      name: 'a malformed securityContext is replaced by the fix',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  ephemeralContainers:
    - {name: debug, image: busybox:1.36, securityContext: "none"}
  containers:
    - {name: app, image: nginx:1.27, securityContext: {allowPrivilegeEscalation: false}}
`,
      errors: [{ messageId: 'notSet', path: 'spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation', line: 7 }],
    },
  ],
});
