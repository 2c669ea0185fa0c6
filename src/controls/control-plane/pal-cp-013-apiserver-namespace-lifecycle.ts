import { defineControl } from '../../core/control.js';
import { requirePlugin } from './admission-plugins.js';
import { onComponent } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-013',
    slug: 'apiserver-namespace-lifecycle',
    title: 'API server must keep the NamespaceLifecycle admission plugin',
    severity: 'medium',
    category: 'control-plane',
    description:
      'Fails when --disable-admission-plugins names NamespaceLifecycle, or a legacy --admission-control list leaves it out. The plugin is on by default. (CIS 1.2.13)',
    rationale:
      'NamespaceLifecycle refuses objects in namespaces that do not exist or are being deleted, and protects default, kube-system and kube-public from deletion. ' +
      'Without it objects can be created in a namespace that no Namespace object, label or policy describes, outside every namespace-scoped control.',
    remediation: 'Remove NamespaceLifecycle from --disable-admission-plugins (or add it to the legacy --admission-control list).',
    messages: {
      notEnabled: 'kube-apiserver does not run the NamespaceLifecycle admission plugin',
      disabled: 'kube-apiserver disables the NamespaceLifecycle admission plugin',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.13',
      'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#namespacelifecycle',
    ],
    mitre: ['T1562.001'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => requirePlugin(ctx, f, 'NamespaceLifecycle'));
  },
});
