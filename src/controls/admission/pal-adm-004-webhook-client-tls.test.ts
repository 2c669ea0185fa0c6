import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parse } from 'yaml';
import type { K8sObject } from '../../core/resource.js';
import { makeResource } from '../../core/resource.js';
import { ControlTester, DEFAULT_TEST_SETTINGS, runControlOn } from '../../engine/control-tester.js';
import { runControls } from '../../engine/engine.js';
import { buildInventory } from '../../inventory/inventory.js';
import control from './pal-adm-004-webhook-client-tls.js';

const SERVICE_WEBHOOK_WITHOUT_CA = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: kyverno-policy-validating-webhook-cfg}
webhooks:
  - name: validate-policy.kyverno.svc
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig:
      service: {name: kyverno-svc, namespace: kyverno, path: /policyvalidate}
`;

new ControlTester(control).run({
  valid: [
    { name: 'service webhook in a manifest: the CA is injected at run time', yaml: SERVICE_WEBHOOK_WITHOUT_CA },
    {
      name: 'HTTPS URL with a CA bundle',
      yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: external}
webhooks:
  - name: external.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig: {url: "https://policy.example.com:8443/validate", caBundle: LS0tLS1CRUdJTi0tLS0t}
`,
    },
    {
      name: 'URL webhook whose CA cert-manager injects',
      yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: external
  annotations: {cert-manager.io/inject-ca-from: security/policy-ca}
webhooks:
  - {name: external.example.com, admissionReviewVersions: [v1], sideEffects: None, clientConfig: {url: "https://policy.example.com/m"}}
`,
    },
    {
      name: 'APIService with a CA bundle',
      yaml: `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: {name: metrics-server, namespace: kube-system}
  caBundle: LS0tLS1CRUdJTi0tLS0t
  groupPriorityMinimum: 100
  versionPriority: 100
`,
    },
  ],
  invalid: [
    {
      name: 'plain HTTP, and an HTTPS URL trusting any public CA',
      yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: external}
webhooks:
  - name: insecure.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig:
      url: "http://policy.example.com/validate?token=abc"
  - name: public-ca.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig:
      url: "https://policy.example.com/validate"
`,
      errors: [
        { messageId: 'plainHttp', path: 'webhooks[0].clientConfig.url', line: 9 },
        { messageId: 'urlWithoutCaBundle', path: 'webhooks[1].clientConfig', line: 13 },
      ],
    },
    {
      name: 'metrics-server style APIService',
      yaml: `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: {name: metrics-server, namespace: kube-system}
  insecureSkipTLSVerify: true
  groupPriorityMinimum: 100
  versionPriority: 100
`,
      errors: [{ messageId: 'apiServiceSkipsVerify', path: 'spec.insecureSkipTLSVerify', line: 8 }],
    },
  ],
});

it('PAL-ADM-004 reports a live service webhook without caBundle, and never prints URL credentials', () => {
  const r = makeResource(parse(SERVICE_WEBHOOK_WITHOUT_CA) as K8sObject, { type: 'cluster', cluster: 'prod' });
  const result = runControls(buildInventory([r]), { controls: [control], settings: DEFAULT_TEST_SETTINGS });
  assert.deepEqual(result.findings.map((f) => [f.messageId, f.path.join('.')]), [['serviceWithoutCaBundle', 'webhooks.0.clientConfig']]);

  const [http] = runControlOn(control, `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: external}
webhooks:
  - {name: w.example.com, admissionReviewVersions: [v1], sideEffects: None, clientConfig: {url: "http://admin:hunter2@policy.example.com/v?key=s3cret"}}
`);
  assert.ok(http);
  assert.doesNotMatch(http.message + JSON.stringify(http.evidence ?? ''), /hunter2|s3cret|admin/);
  assert.match(http.message, /policy\.example\.com/);
});
