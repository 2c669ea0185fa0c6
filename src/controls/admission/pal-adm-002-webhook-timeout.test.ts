import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-adm-002-webhook-timeout.js';

new ControlTester(control).run({
  valid: [
    {
      name: 'v1 default (10s) and short timeouts',
      yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: checks}
webhooks:
  - name: a.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig: {service: {name: a, namespace: a}}
  - name: b.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    timeoutSeconds: 10
    clientConfig: {service: {name: b, namespace: b}}
`,
    },
    {
      name: 'a longer limit by option',
      options: { maxSeconds: 15 },
      yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: slow}
webhooks:
  - {name: slow.example.com, admissionReviewVersions: [v1], sideEffects: None, timeoutSeconds: 15, clientConfig: {service: {name: s, namespace: s}}}
`,
    },
  ],
  invalid: [
    {
      name: 'the maximum the API allows',
      yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: checks}
webhooks:
  - name: a.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    timeoutSeconds: 5
    clientConfig: {service: {name: a, namespace: a}}
  - name: b.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    timeoutSeconds: 30
    clientConfig: {service: {name: b, namespace: b}}
`,
      errors: [{ messageId: 'tooLong', path: 'webhooks[1].timeoutSeconds', line: 13 }],
    },
    {
      name: 'v1beta1 default is 30 seconds',
      yaml: `apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingWebhookConfiguration
metadata: {name: old}
webhooks:
  - name: old.example.com
    clientConfig: {service: {name: o, namespace: o}}
`,
      errors: [{ messageId: 'defaultTooLong', path: 'webhooks[0]', line: 5 }],
    },
  ],
});
