import { defineControl } from '../../core/control.js';
import { containerSecurityContext, containerSecurityContextPath, inUserNamespace, podSecurityContext, podSecurityContextPath } from './pod-fields.js';
import { atLeast, resolvePssVersion } from './version.js';

export default defineControl({
  meta: {
    id: 'PSS-RUN-AS-USER',
    slug: 'run-as-user',
    title: 'Pods and containers must not set runAsUser to 0',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "runAsUser" (restricted, new in policy v1.23; does nothing at earlier versions): spec.securityContext.runAsUser and securityContext.runAsUser of every container, init container and ephemeral container must not be 0 (unset or any other value is allowed). ' +
      'From policy v1.35 pods in their own user namespace (spec.hostUsers: false) are exempt; before v1.35 that relaxation existed only behind the alpha UserNamespacesPodSecurityStandards feature gate, off by default and since removed. One finding per field set to 0.',
    rationale: 'runAsUser: 0 asks for root explicitly; with runAsNonRoot it fails only at container start, so PSA rejects it at admission.',
    remediation: 'Set runAsUser to a non-zero UID (or remove it and set a non-root USER in the image).',
    messages: {
      pod: 'Pod sets securityContext.runAsUser to 0 (root)',
      container: 'Container "{{container}}" sets securityContext.runAsUser to 0 (root)',
    },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted', 'https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/'],
    mitre: ['T1611'],
    maturity: 'stable',
    pss: { level: 'restricted', check: 'runAsUser' },
  },
  reusableVisitor: true,
  check(ctx) {
    const version = resolvePssVersion(ctx.settings.pssVersion);
    if (!atLeast(version, 23)) return {};
    const relaxForUserNamespaces = atLeast(version, 35);
    return {
      podSpec(ps) {
        if (relaxForUserNamespaces && inUserNamespace(ps)) return;
        if (podSecurityContext(ps)?.runAsUser === 0) {
          ctx.report({ messageId: 'pod', path: podSecurityContextPath(ps, 'runAsUser'), evidence: 0 });
        }
        for (const c of ps.containers) {
          if (containerSecurityContext(c)?.runAsUser === 0) {
            ctx.report({ messageId: 'container', data: { container: c.name }, path: containerSecurityContextPath(c, 'runAsUser'), evidence: 0 });
          }
        }
      },
    };
  },
});
