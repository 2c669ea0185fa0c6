import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { ControlTester, DEFAULT_TEST_SETTINGS, runControlOn } from '../../engine/control-tester.js';
import { runControls } from '../../engine/engine.js';
import { buildInventory } from '../../inventory/inventory.js';
import { clusterResource, objectsOf } from '../../sources/cluster/objects.js';
import { RECORDED_DIR } from '../../sources/cluster/test-server.js';
import { DEFAULT_LIMITS, parseManifestText, type LoadResult } from '../../sources/manifests.js';
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

it('PAL-DATA-003 leaves live Secrets (read as metadata-only Tables) out of scope: not evaluated, not passed', () => {
  const table = JSON.parse(readFileSync(join(RECORDED_DIR, 'api_v1_secrets.table.json'), 'utf8'));
  const api = { group: '', version: 'v1', apiVersion: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true, verbs: ['list', 'watch'] };
  const live = objectsOf(table, api, true).map((o) => clusterResource(o, 'prod'));
  assert.ok(live.length > 0 && live.every((r) => r.kind === 'Secret' && r.object.data === undefined), 'the recorded Secrets arrive without values');
  const [run] = runControls(buildInventory(live), { controls: [control], settings: DEFAULT_TEST_SETTINGS }).controls;
  assert.deepEqual([run!.evaluated, run!.failed], [0, 0]);
  // A manifest beside them is judged and counted as before.
  const loaded: LoadResult = { resources: [], diagnostics: [], files: 0 };
  parseManifestText('apiVersion: v1\nkind: Secret\nmetadata: {name: tls}\ndata: {tls.key: ""}\n', 'secret.yaml', false, DEFAULT_LIMITS, loaded);
  const [mixed] = runControls(buildInventory([...live, ...loaded.resources]), { controls: [control], settings: DEFAULT_TEST_SETTINGS }).controls;
  assert.deepEqual([mixed!.evaluated, mixed!.failed], [1, 0]);
});
