import { defineControl } from '../../core/control.js';
import { containerSecurityContext, containerSecurityContextPath, inUserNamespace, isSet, podSecurityContext, podSecurityContextPath } from './pod-fields.js';
import { atLeast, resolvePssVersion } from './version.js';

export default defineControl({
  meta: {
    id: 'PSS-RUN-AS-NON-ROOT',
    slug: 'run-as-non-root',
    title: 'Containers must be required to run as a non-root user',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "runAsNonRoot" (restricted). runAsNonRoot must be true for every container, init container and ephemeral container: either set on the container or inherited from spec.securityContext.runAsNonRoot: true. ' +
      'An explicit false at pod or container level is forbidden even when the other level says true. ' +
      'From policy v1.35 pods in their own user namespace (spec.hostUsers: false) are exempt; before v1.35 that relaxation existed only behind the alpha UserNamespacesPodSecurityStandards feature gate, off by default and since removed, so it does not apply. ' +
      'Explicit false values are reported first; containers that merely lack the setting are reported when nothing is explicitly false.',
    rationale: "Root in a container is root on the node's kernel: one container escape or mount mistake away from owning the node. runAsNonRoot makes the kubelet refuse to start an image that would run as UID 0.",
    remediation: 'Set spec.securityContext.runAsNonRoot: true (and a non-zero runAsUser, or a USER in the image), and remove any runAsNonRoot: false.',
    messages: {
      podFalse: 'Pod sets securityContext.runAsNonRoot to false',
      containerFalse: 'Container "{{container}}" sets securityContext.runAsNonRoot to false',
      containerUnset: 'Container "{{container}}" may run as root: neither it nor the pod sets securityContext.runAsNonRoot to true',
    },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted', 'https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/'],
    mitre: ['T1611'],
    maturity: 'stable',
    pss: { level: 'restricted', check: 'runAsNonRoot' },
  },
  reusableVisitor: true,
  check(ctx) {
    const version = resolvePssVersion(ctx.settings.pssVersion);
    const relaxForUserNamespaces = atLeast(version, 35);
    return {
      podSpec(ps) {
        if (relaxForUserNamespaces && inUserNamespace(ps)) return;
        const podValue = podSecurityContext(ps)?.runAsNonRoot;
        let explicit = 0;
        if (podValue === false) {
          explicit++;
          ctx.report({ messageId: 'podFalse', path: podSecurityContextPath(ps, 'runAsNonRoot'), evidence: false });
        }
        let unset = false;
        for (const c of ps.containers) {
          const v = containerSecurityContext(c)?.runAsNonRoot;
          if (v === undefined || v === null) {
            if (podValue !== true) unset = true;
          } else if (v !== true) {
            explicit++;
            ctx.report({ messageId: 'containerFalse', data: { container: c.name }, path: containerSecurityContextPath(c, 'runAsNonRoot'), evidence: v });
          }
        }
        if (explicit > 0 || !unset) return;
        // A second pass finds the containers that set nothing, rather than a list made on the first.
        for (const c of ps.containers) {
          if (isSet(containerSecurityContext(c)?.runAsNonRoot)) continue;
          ctx.report({ messageId: 'containerUnset', data: { container: c.name }, path: containerSecurityContextPath(c, 'runAsNonRoot') });
        }
      },
    };
  },
});
