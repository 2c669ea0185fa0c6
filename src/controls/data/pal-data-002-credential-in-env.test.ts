import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ControlTester, runControlOn } from '../../engine/control-tester.js';
import control from './pal-data-002-credential-in-env.js';

const GH_TOKEN = ['gh', 'p_', 'x7Kq2Lm9Tz4Rb8Wc1Nd5Vf3Hj6Gp0Ys2Ae4U'].join('');

new ControlTester(control).run({
  valid: [
    `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1.0
          env:
            - {name: LOG_LEVEL, value: info}
            - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
            - {name: DB_PASSWORD_FILE, value: /run/secrets/db/password}
            - {name: API_TOKEN, value: "$(TOKEN_FROM_SECRET)"}
            - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
`,
    {
      name: 'ignoreVariables option',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: c, image: busybox:1.36, env: [{name: DEMO_PASSWORD, value: demo-only-value}]}]}
`,
      options: { ignoreVariables: ['DEMO_PASSWORD'] },
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: migrate:1.0
          env:
            - name: DB_PASSWORD
              value: hunter2-hunter2
      containers:
        - name: api
          image: api:1.0
          env:
            - {name: LOG_LEVEL, value: info}
            - {name: GH, value: "${GH_TOKEN}"}
`,
      errors: [
        { messageId: 'name', path: 'spec.template.spec.initContainers[0].env[0].value', line: 13 },
        { messageId: 'pattern', path: 'spec.template.spec.containers[0].env[1].value', line: 19 },
      ],
    },
  ],
});

it('PAL-DATA-002 names the variable and the format, never the value', () => {
  const fs = runControlOn(control, `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: busybox:1.36, env: [{name: GH, value: "${GH_TOKEN}"}]}]}\n`);
  assert.equal(fs.length, 1);
  assert.equal(fs[0]!.message, 'Container "c" sets GH to what looks like a GitHub token');
  assert.ok(!JSON.stringify(fs[0]).includes(GH_TOKEN.slice(4)));
  assert.match(String(fs[0]!.evidence), /^<redacted len=\d+ sha256:[0-9a-f]{12}>$/);
});
