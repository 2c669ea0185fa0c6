import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ControlTester, runControlOn } from '../../engine/control-tester.js';
import control from './pal-pod-008-service-account-token-automount.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  automountServiceAccountToken: false
  containers: [{name: app, image: nginx:1.27}]
`,
    {
      name: 'the ServiceAccount in the scan opts out and the pod does not override',
      yaml: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: web
      containers: [{name: app, image: nginx:1.27}]
`,
    },
    {
      name: 'the default ServiceAccount opts out for pods naming none',
      yaml: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers: [{name: app, image: nginx:1.27}]
`,
    },
    {
      name: 'the deprecated serviceAccount field names the account too',
      yaml: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: legacy}
automountServiceAccountToken: false
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  serviceAccount: legacy
  containers: [{name: app, image: nginx:1.27}]
`,
    },
  ],
  invalid: [
    {
      name: 'the pod asks for the token explicitly, which overrides the ServiceAccount; no fix',
      yaml: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: api-client, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  serviceAccountName: api-client
  automountServiceAccountToken: true
  containers: [{name: app, image: nginx:1.27}]
`,
      errors: [{ messageId: 'podEnables', path: 'spec.automountServiceAccountToken', line: 12, resource: 'p' }],
    },
    {
      name: 'the ServiceAccount enables it and the pod is silent',
      yaml: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
automountServiceAccountToken: true
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: web
      containers: [{name: app, image: nginx:1.27}]
`,
      errors: [{ messageId: 'serviceAccountEnables', path: 'spec.template.spec.automountServiceAccountToken', line: 12, resource: 'web' }],
    },
    {
      name: 'nothing set and the ServiceAccount is not in the scan: the fix sets false on the pod',
      yaml: `
apiVersion: batch/v1
kind: CronJob
metadata: {name: c, namespace: jobs}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: job, image: busybox:1.36}]
`,
      errors: [{ messageId: 'defaultAutomount', path: 'spec.jobTemplate.spec.template.spec.automountServiceAccountToken', line: 10 }],
    },
    {
      name: 'a ServiceAccount of the same name in another namespace does not apply',
      yaml: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: other}
automountServiceAccountToken: false
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  serviceAccountName: web
  containers: [{name: app, image: nginx:1.27}]
`,
      errors: [{ messageId: 'defaultAutomount', path: 'spec.automountServiceAccountToken', line: 10, resource: 'p' }],
    },
  ],
});

it('PAL-POD-008 says whether the ServiceAccount was in the scan', () => {
  const [notInScan] = runControlOn(control, 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: x:1}]\n');
  assert.match(notInScan!.message, /service account "default" by default: neither the pod nor the ServiceAccount \(not in this scan\)/);
  const [inScan] = runControlOn(
    control,
    'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: x:1}]\n',
  );
  assert.match(inScan!.message, /neither the pod nor the ServiceAccount sets/);
  assert.ok(inScan!.fix, 'a fix is offered when nobody asked for the token');
});
