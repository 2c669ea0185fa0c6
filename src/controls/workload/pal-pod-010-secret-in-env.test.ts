import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ControlTester, runControlOn } from '../../engine/control-tester.js';
import control from './pal-pod-010-secret-in-env.js';

new ControlTester(control).run({
  valid: [
    {
      name: 'plain values, ConfigMap references and field references',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.27
      env:
        - {name: MODE, value: production}
        - name: LEVEL
          valueFrom: {configMapKeyRef: {name: cfg, key: level}}
        - name: NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
      envFrom:
        - configMapRef: {name: cfg}
`,
    },
    {
      name: 'a Secret mounted as a volume',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.27
          env: [{name: DB_PASSWORD_FILE, value: /secrets/db/password}]
          volumeMounts: [{name: db, mountPath: /secrets/db, readOnly: true}]
      volumes: [{name: db, secret: {secretName: db}}]
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.27
      env:
        - {name: MODE, value: production}
        - name: DB_PASSWORD
          valueFrom:
            secretKeyRef: {name: db, key: password}
      envFrom:
        - configMapRef: {name: cfg}
        - secretRef:
            name: api-keys
`,
      errors: [
        { messageId: 'secretKeyRef', path: 'spec.containers[0].env[1].valueFrom.secretKeyRef', line: 13 },
        { messageId: 'secretRef', path: 'spec.containers[0].envFrom[1].secretRef', line: 16 },
      ],
    },
    {
      name: 'init containers of a CronJob',
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
          restartPolicy: Never
          initContainers:
            - name: fetch
              image: busybox:1.36
              env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: tok, key: t, optional: true}}}]
          containers: [{name: job, image: busybox:1.36}]
`,
      errors: [{ messageId: 'secretKeyRef', path: 'spec.jobTemplate.spec.template.spec.initContainers[0].env[0].valueFrom.secretKeyRef', line: 15 }],
    },
  ],
});

it('PAL-POD-010 never reports a value, only names', () => {
  const fs = runControlOn(
    control,
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: x:1
      env:
        - {name: PLAIN, value: s3cr3t-literal}
        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
`,
  );
  assert.equal(fs.length, 1);
  const text = JSON.stringify(fs);
  assert.ok(!text.includes('s3cr3t-literal'));
  assert.equal(fs[0]!.message, 'Container "app" sets environment variable DB_PASSWORD from key "password" of Secret "db"');
});
