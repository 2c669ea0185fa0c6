import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allControls } from '../controls/registry.js';
import { runControls } from '../engine/engine.js';
import type { ScanResult } from '../engine/scan-result.js';
import { buildInventory } from '../inventory/inventory.js';
import { DEFAULT_LIMITS, parseManifestText, type LoadResult } from '../sources/manifests.js';
import { FORMATTERS } from './registry.js';

// Distinctive values that must never leave the process, in plain or base64 form.
const CANARIES = ['s3cr3t-Canary-Zx81', 'tok-Canary-Qp42-AAAAAAAAAAAAAAAA', 'envCanary-Hunter2-9911', 'AKIAZZCANARY7EXAMPLE', 'wJalrXUtnCANARYbPxRfiCYEXAMPLEKEY1234', 'lastApplied-Canary-77'];
const b64 = (s: string) => Buffer.from(s).toString('base64');

const MANIFESTS = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"x":"${CANARIES[5]}"}}'
type: Opaque
data:
  password: ${b64(CANARIES[0]!)}
stringData:
  token: ${CANARIES[1]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: registry.example.com/api:latest
          securityContext: {privileged: true}
          env:
            - {name: DB_PASSWORD, value: ${CANARIES[2]}}
            - {name: AWS_ACCESS_KEY_ID, value: ${CANARIES[3]}}
            - {name: AWS_SECRET_ACCESS_KEY, value: ${CANARIES[4]}}
            - name: FROM_SECRET
              valueFrom: {secretKeyRef: {name: db, key: password}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data:
  aws_secret_access_key: ${CANARIES[4]}
  api_token: ${CANARIES[1]}
`;

function scanResult(): ScanResult {
  const loaded: LoadResult = { resources: [], diagnostics: [], files: 1 };
  parseManifestText(MANIFESTS, 'app.yaml', false, DEFAULT_LIMITS, loaded);
  assert.equal(loaded.diagnostics.length, 0);
  const engine = runControls(buildInventory(loaded.resources), { controls: allControls(), settings: { allowedRegistries: ['ghcr.io/acme'], pssVersion: 'latest' } });
  return {
    tool: { name: 'palisade', version: '0.0.0' },
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
    root: '/tmp',
    inputs: ['app.yaml'],
    resources: { total: loaded.resources.length, byKind: {} },
    files: 1,
    controls: engine.controls,
    findings: engine.findings,
    diagnostics: [...loaded.diagnostics, ...engine.diagnostics],
    frameworks: [],
  };
}

describe('secret values never reach any output format', () => {
  const result = scanResult();
  it('the fixture produces findings about the secret-bearing objects', () => {
    assert.ok(result.findings.length > 0);
  });
  // Binary formats print another format (pdf prints the html report), which is checked here as text.
  for (const [name, f] of Object.entries(FORMATTERS).filter(([, f]) => !f.renderBinary)) {
    it(`${name} output contains no secret or environment value`, () => {
      const text = f.render(result, { color: false });
      for (const c of CANARIES) {
        assert.ok(!text.includes(c), `${name} leaks ${c}`);
        assert.ok(!text.includes(b64(c)), `${name} leaks base64 of ${c}`);
      }
    });
  }
});
