import { defineControl } from '../../core/control.js';
import { onComponent, reportMissing } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-032',
    slug: 'controller-manager-root-ca-file',
    title: 'Controller manager must publish the cluster CA to pods',
    severity: 'medium',
    category: 'control-plane',
    description: 'Fails when kube-controller-manager lacks --root-ca-file. (CIS 1.3.5)',
    rationale:
      'The CA in --root-ca-file is what pods find in their kube-root-ca.crt ConfigMap and service account volume to verify the API server. ' +
      'Without it in-cluster clients cannot verify the API server and are pushed towards skipping verification.',
    remediation: 'Set --root-ca-file to the CA bundle that signs the API server\'s serving certificate.',
    messages: {
      notSet: 'kube-controller-manager does not set --root-ca-file',
    },
    appliesTo: ['kube-controller-manager static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.3.5',
      'https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/',
    ],
    mitre: ['T1557'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-controller-manager', (f) => {
      if (!f.has('root-ca-file')) reportMissing(ctx, f, 'root-ca-file', 'notSet');
    });
  },
});
