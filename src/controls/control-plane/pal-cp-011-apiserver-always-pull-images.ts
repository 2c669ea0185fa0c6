import { defineControl } from '../../core/control.js';
import { requirePlugin } from './admission-plugins.js';
import { onComponent } from './flags.js';

export default defineControl({
  meta: {
    id: 'PAL-CP-011',
    slug: 'apiserver-always-pull-images',
    title: 'API server should force image pulls on multi-tenant clusters',
    severity: 'low',
    category: 'control-plane',
    description: 'Fails when kube-apiserver does not enable the AlwaysPullImages admission plugin (off by default). (CIS 1.2.11)',
    rationale:
      'Once a private image is on a node, any pod scheduled there can run it by name with imagePullPolicy IfNotPresent or Never, without the pull secret that guards it. ' +
      'AlwaysPullImages sets every pod to Always, so the registry checks credentials each time. It costs registry traffic and makes image pulls a start-up dependency, ' +
      'which is why single-tenant clusters often leave it off.',
    remediation:
      'On clusters shared by teams that must not see each other\'s images, add AlwaysPullImages to --enable-admission-plugins and make sure the registry can take the load.',
    messages: {
      notEnabled: 'kube-apiserver does not enable the AlwaysPullImages admission plugin',
      disabled: 'kube-apiserver disables the AlwaysPullImages admission plugin',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.11',
      'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#alwayspullimages',
    ],
    mitre: ['T1610'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return onComponent('kube-apiserver', (f) => requirePlugin(ctx, f, 'AlwaysPullImages'));
  },
});
