import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-adm-003-webhook-selector-escape.js';

const header = (selectors: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: policy-engine}
webhooks:
  - name: validate.policy.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Fail
    clientConfig: {service: {name: policy-engine, namespace: policy-system}}
    rules: [{apiGroups: ['*'], apiVersions: ['*'], operations: [CREATE, UPDATE], resources: ['*']}]
${selectors}`;

new ControlTester(control).run({
  valid: [
    { name: 'no selectors', yaml: header('') },
    {
      name: 'exempting system namespaces and its own by immutable name',
      yaml: header(`    namespaceSelector:
      matchExpressions:
        - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, kube-node-lease, policy-system]}
`),
    },
    {
      name: 'extra exemptions by option',
      options: { allowedExemptions: ['monitoring'] },
      yaml: header(`    namespaceSelector:
      matchExpressions:
        - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, monitoring]}
`),
    },
    {
      name: 'selectors on a webhook that is not security-relevant',
      yaml: `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: sidecar-injector}
webhooks:
  - name: inject.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig: {service: {name: injector, namespace: mesh}}
    objectSelector: {matchLabels: {inject: "true"}}
    rules: [{apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
`,
    },
  ],
  invalid: [
    {
      name: 'Gatekeeper-style opt-out label and objectSelector',
      yaml: header(`    namespaceSelector:
      matchExpressions:
        - {key: admission.gatekeeper.sh/ignore, operator: DoesNotExist}
    objectSelector:
      matchExpressions:
        - {key: policy.example.com/skip, operator: NotIn, values: ["true"]}
`),
      errors: [
        { messageId: 'labelOptOut', path: 'webhooks[0].namespaceSelector.matchExpressions[0]', line: 13 },
        { messageId: 'objectSelector', path: 'webhooks[0].objectSelector', line: 14 },
      ],
    },
    {
      name: 'exempting application namespaces by name',
      yaml: header(`    namespaceSelector:
      matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: [kube-system, default, payments]
`),
      errors: [{ messageId: 'exemptsNamespaces', path: 'webhooks[0].namespaceSelector.matchExpressions[0]', line: 13 }],
    },
    {
      name: 'opt-in by label and an allow-list by name',
      yaml: header(`    namespaceSelector:
      matchLabels:
        policy: enforced
      matchExpressions:
        - {key: kubernetes.io/metadata.name, operator: In, values: [prod]}
`),
      errors: [
        { messageId: 'labelOptIn', path: 'webhooks[0].namespaceSelector.matchLabels.policy', line: 13 },
        { messageId: 'namespaceAllowList', path: 'webhooks[0].namespaceSelector.matchExpressions[0]', line: 15 },
      ],
    },
  ],
});
