import assert from 'node:assert/strict';
import { it } from 'node:test';
import { redact } from '../../core/redact.js';
import { ControlTester, runControlOn } from '../../engine/control-tester.js';
import control from './pal-data-001-credential-in-configmap.js';

// Credential-shaped values are assembled at run time so repository secret scanners do
// not mistake these fixtures for leaks.
const AWS_KEY = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
const DB_URL = ['postgres://shop:', 'W1nter-is-c0ming', '@db.shop.svc:5432/shop'].join('');

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: shop}
data:
  LOG_LEVEL: info
  DB_HOST: db.shop.svc
  DB_PASSWORD_FILE: /etc/secrets/db-password
  DB_SECRET_NAME: db-credentials
  build.sha: 4b825dc642cb6eb9a060e54bf8d69288fbee4904
  request-id: 3f2504e0-4f89-11d3-9a0c-0305e82c3301
`,
    {
      name: 'templated values are references, not credentials',
      yaml: `
apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data:
  application.properties: |
    spring.datasource.url=jdbc:postgresql://db/shop
    spring.datasource.password=\${DB_PASSWORD}
`,
    },
    {
      name: 'ignoreKeys option',
      yaml: `
apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data: {api_token: not-really-secret-demo}
`,
      options: { ignoreKeys: ['api_token'] },
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: shop}
data:
  LOG_LEVEL: info
  aws: ${AWS_KEY}
  DATABASE_URL: "${DB_URL}"
  ADMIN_PASSWORD: changeme
`,
      errors: [
        { messageId: 'pattern', path: 'data.aws', line: 7 },
        { messageId: 'pattern', path: 'data.DATABASE_URL', line: 8 },
        { messageId: 'name', path: 'data.ADMIN_PASSWORD', line: 9 },
      ],
    },
    {
      name: 'a credential inside an embedded configuration file',
      yaml: `
apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data:
  application.properties: |
    server.port=8080
    spring.datasource.password=Sup3rS3cret!
`,
      errors: [{ messageId: 'embedded', path: 'data["application.properties"]', line: 6 }],
    },
  ],
});

it('PAL-DATA-001 never puts the value in the message or evidence', () => {
  const fs = runControlOn(control, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata:\n  DATABASE_URL: "${DB_URL}"\n  apiKey: Zq9-vX2k-Lm44-Tt7e\n`);
  assert.equal(fs.length, 2);
  for (const f of fs) {
    const text = JSON.stringify(f);
    assert.ok(!text.includes('W1nter-is-c0ming') && !text.includes('Zq9-vX2k'), text);
  }
  assert.equal(fs[0]!.evidence, redact(DB_URL));
  assert.equal(fs[0]!.message, 'ConfigMap app key "DATABASE_URL" holds what looks like a URL with an embedded password');
});

it('PAL-DATA-001 entropy option switches off the random-value test only', () => {
  const token = 'q8Zt3Kp0Xv7Lm2Nb5Rw9Cy4Hd6Fg1Js';
  const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata:\n  session: ${token}\n  DB_PASSWORD: hunter2-hunter2\n`;
  assert.deepEqual(runControlOn(control, yaml).map((f) => f.messageId).sort(), ['entropy', 'name']);
  assert.deepEqual(runControlOn(control, yaml, undefined, { entropy: false }).map((f) => f.messageId), ['name']);
});
