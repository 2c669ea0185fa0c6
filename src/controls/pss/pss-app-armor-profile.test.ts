import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-app-armor-profile.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    container.apparmor.security.beta.kubernetes.io/a: runtime/default
    container.apparmor.security.beta.kubernetes.io/b: localhost/my-profile
    container.apparmor.security.beta.kubernetes.io/c: ""
    unrelated: unconfined
spec:
  securityContext: {appArmorProfile: {type: RuntimeDefault}}
  containers:
    - {name: a, image: x, securityContext: {appArmorProfile: {type: Localhost, localhostProfile: my-profile}}}
    - {name: b, image: x, securityContext: {appArmorProfile: null}}
`,
  ],
  invalid: [
    {
      name: 'fields are checked even at policy v1.0 (upstream put them in the v1.0 check)',
      settings: { pssVersion: 'v1.0' },
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    appArmorProfile: {type: Unconfined}
  initContainers:
    - {name: init, image: x, securityContext: {appArmorProfile: {type: Unconfined}}}
  containers:
    - {name: app, image: x, securityContext: {appArmorProfile: {}}}
`,
      errors: [
        { messageId: 'podType', path: 'spec.securityContext.appArmorProfile.type', line: 7 },
        { messageId: 'containerType', path: 'spec.initContainers[0].securityContext.appArmorProfile.type', line: 9 },
        { messageId: 'containerType', path: 'spec.containers[0].securityContext.appArmorProfile.type', line: 11 },
      ],
    },
    {
      name: 'annotations on a Deployment template, including a container that does not exist',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: unconfined
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: unconfined
        container.apparmor.security.beta.kubernetes.io/ghost: bogus
        container.apparmor.security.beta.kubernetes.io/ok: runtime/default
    spec:
      containers: [{name: app, image: x}]
`,
      errors: [
        { messageId: 'annotation', path: 'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]', line: 12 },
        { messageId: 'annotation', path: 'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/ghost"]', line: 13 },
      ],
    },
  ],
});
