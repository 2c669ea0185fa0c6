import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ControlTester, runControlOn } from '../../engine/control-tester.js';
import control from './pal-data-003-plaintext-secret-manifest.js';

new ControlTester(control).run({
  valid: [
    `
apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: shop}
type: kubernetes.io/tls
data: {tls.crt: "", tls.key: ""}
`,
    {
      name: 'values filled in at deploy time',
      yaml: `
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData:
  password: \${DB_PASSWORD}
  url: "{{ .Values.db.url }}"
`,
    },
    {
      name: 'SOPS-encrypted',
      yaml: `
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData:
  password: ENC[AES256_GCM,data:Zm9vYmFy,iv:aXY=,tag:dGFn,type:str]
sops:
  version: 3.8.1
`,
    },
    {
      name: 'a service account token Secret is filled by the cluster',
      yaml: `
apiVersion: v1
kind: Secret
metadata:
  name: ci-token
  annotations: {kubernetes.io/service-account.name: ci}
type: kubernetes.io/service-account-token
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
type: Opaque
data:
  username: c2hvcA==
  password: bm90LXJlYWxseQ==
stringData:
  url: postgres://db.shop.svc/shop
`,
      errors: [
        { messageId: 'plaintext', path: 'data', line: 6 },
        { messageId: 'plaintext', path: 'stringData', line: 9 },
      ],
    },
  ],
});

it('PAL-DATA-003 names keys only and carries no evidence', () => {
  const fs = runControlOn(control, 'apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {password: bm90LXJlYWxseQ==}\n');
  assert.equal(fs[0]!.message, 'Secret db is committed with 1 plain value(s) in data ("password")');
  assert.equal(fs[0]!.evidence, undefined);
  assert.ok(!JSON.stringify(fs[0]).includes('bm90LXJlYWxseQ'));
});
