import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-adm-001-webhook-fail-open.js';

/** Gatekeeper's validating webhook as its chart ships it: fail-open. */
const GATEKEEPER = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: gatekeeper-validating-webhook-configuration
webhooks:
  - name: validation.gatekeeper.sh
    admissionReviewVersions: [v1]
    sideEffects: None
    timeoutSeconds: 3
    failurePolicy: Ignore
    clientConfig:
      service: {name: gatekeeper-webhook-service, namespace: gatekeeper-system, path: /v1/admit}
    rules:
      - apiGroups: ['*']
        apiVersions: ['*']
        operations: [CREATE, UPDATE]
        resources: ['*']
  - name: check-ignore-label.gatekeeper.sh
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Fail
    clientConfig:
      service: {name: gatekeeper-webhook-service, namespace: gatekeeper-system, path: /v1/admitlabel}
    rules:
      - apiGroups: ['']
        apiVersions: ['*']
        operations: [CREATE, UPDATE]
        resources: [namespaces]
`;

new ControlTester(control).run({
  valid: [
    {
      name: 'v1 default failurePolicy is Fail',
      yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: kyverno-resource-validating-webhook-cfg}
webhooks:
  - name: validate.kyverno.svc-fail
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig: {service: {name: kyverno-svc, namespace: kyverno}}
    rules: [{apiGroups: ['*'], apiVersions: ['*'], operations: [CREATE, UPDATE], resources: ['*/*']}]
`,
    },
    {
      name: 'a convenience webhook may fail open',
      yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: vault-agent-injector-cfg}
webhooks:
  - name: vault.hashicorp.com
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Ignore
    clientConfig: {service: {name: vault-agent-injector-svc, namespace: vault, path: /mutate}}
    rules: [{apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
`,
    },
    {
      name: 'a validating webhook on ConfigMaps only',
      yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: app-config-checker}
webhooks:
  - name: configmaps.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Ignore
    clientConfig: {service: {name: checker, namespace: tools}}
    rules: [{apiGroups: [''], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [configmaps]}]
`,
    },
  ],
  invalid: [
    {
      name: 'Gatekeeper chart defaults: only the fail-open webhook',
      yaml: GATEKEEPER,
      errors: [{ messageId: 'ignore', path: 'webhooks[0].failurePolicy', line: 10 }],
    },
    {
      name: 'unnamed validating webhook that judges pods',
      yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: acme-checks}
webhooks:
  - name: pods.acme.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Ignore
    clientConfig: {service: {name: acme, namespace: acme}}
    rules: [{apiGroups: [''], apiVersions: [v1], operations: ['*'], resources: [pods]}]
`,
      errors: [{ messageId: 'ignore', path: 'webhooks[0].failurePolicy', line: 8 }],
    },
    {
      name: 'v1beta1 without failurePolicy defaults to Ignore',
      yaml: `apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingWebhookConfiguration
metadata: {name: legacy-pod-security-defaults}
webhooks:
  - name: defaults.podsecurity.example.com
    clientConfig: {service: {name: psd, namespace: security}}
    rules: [{apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
`,
      errors: [{ messageId: 'defaultIgnore', path: 'webhooks[0]', line: 5 }],
    },
    {
      name: 'extra names by option',
      options: { extraNames: ['acme-guard'] },
      yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: acme-guard}
webhooks:
  - name: inject.acme.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Ignore
    clientConfig: {service: {name: acme, namespace: acme}}
`,
      errors: [{ messageId: 'ignore', path: 'webhooks[0].failurePolicy', line: 8 }],
    },
  ],
});
