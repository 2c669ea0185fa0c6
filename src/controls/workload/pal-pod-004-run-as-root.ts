import { defineControl } from '../../core/control.js';
import type { ContainerView } from '../../core/inventory.js';
import { containerSecurityContext, isWindowsPod, podSecurityContext } from './security-context.js';
import { pathUnder } from '../finding-path.js';

function isNonRootUid(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

export default defineControl({
  meta: {
    id: 'PAL-POD-004',
    slug: 'run-as-root',
    title: 'Containers must not run as root',
    severity: 'medium',
    category: 'workload',
    description:
      'Reads each container\'s effective runAsNonRoot and runAsUser (the container\'s securityContext overrides the pod\'s). Fails with runAsUserZero when the effective runAsUser is 0, and with mayRunAsRoot when runAsNonRoot is not true and no non-zero runAsUser is set, so the image\'s USER decides and may be root. Pods for Windows nodes (spec.os.name: windows) are out of scope.',
    rationale:
      'UID 0 in a container is UID 0 on the node unless user namespaces are in use: a root process that breaks out of its container, or reaches a host file through a mount, acts as root there. Root inside the container also owns every file of the image, so an intruder can rewrite binaries and configuration at will. runAsNonRoot: true makes the kubelet refuse to start a container whose user would be root, turning an assumption about the image into a guarantee.',
    remediation:
      'Build images that run as a non-root user, then set securityContext.runAsNonRoot: true (at pod level for all containers, or per container) and, where the image has no numeric USER, runAsUser with a non-zero UID. Remove runAsUser: 0.',
    messages: {
      mayRunAsRoot: 'Container "{{container}}" may run as root: runAsNonRoot is not true and no non-zero runAsUser is set',
      runAsUserZero: 'runAsUser: 0 in the {{level}} securityContext makes container {{containers}} run as root',
    },
    appliesTo: ['workloads'],
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
    ],
    mitre: ['T1611', 'T1068'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      podSpec(ps) {
        if (isWindowsPod(ps)) return;
        const pod = podSecurityContext(ps);
        // Containers that inherit runAsUser: 0 from the pod: reported once, at the pod field.
        let inheritingRoot: ContainerView[] | undefined;
        for (const c of ps.containers) {
          const sc = containerSecurityContext(c.container);
          const containerSetsUser = sc?.runAsUser !== undefined && sc.runAsUser !== null;
          const runAsUser = containerSetsUser ? sc!.runAsUser : pod?.runAsUser;
          if (runAsUser === 0) {
            if (containerSetsUser) {
              ctx.report({
                messageId: 'runAsUserZero',
                data: { containers: `"${c.name}"`, level: 'container' },
                path: pathUnder(c.path, 'securityContext', 'runAsUser'),
                evidence: 0,
              });
            } else (inheritingRoot ??= []).push(c);
            continue;
          }
          const runAsNonRoot = sc?.runAsNonRoot ?? pod?.runAsNonRoot;
          if (runAsNonRoot === true || isNonRootUid(runAsUser)) continue;
          ctx.report({
            messageId: 'mayRunAsRoot',
            data: { container: c.name },
            path: pathUnder(c.path, 'securityContext', 'runAsNonRoot'),
            evidence: runAsNonRoot ?? null,
            // No fix: with an image whose USER is a name rather than a UID, the kubelet cannot
            // verify it and refuses to start the container once runAsNonRoot is true, so the
            // patch could stop a workload that never ran as root.
          });
        }
        if (inheritingRoot) {
          ctx.report({
            messageId: 'runAsUserZero',
            data: { containers: inheritingRoot.map((c) => `"${c.name}"`).join(', '), level: 'pod' },
            path: pathUnder(ps.path, 'securityContext', 'runAsUser'),
            evidence: 0,
          });
        }
      },
    };
  },
});
