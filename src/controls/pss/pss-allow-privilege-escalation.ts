import { defineControl } from '../../core/control.js';
import type { JsonPatchOp } from '../../core/finding.js';
import type { ContainerView } from '../../core/inventory.js';
import { containerSecurityContext, containerSecurityContextPath, isObject, isWindowsPod, setInContainerSecurityContext } from './pod-fields.js';
import { atLeast, resolvePssVersion } from './version.js';
import { fixOf } from '../lazy-fix.js';

/**
 * The API rejects allowPrivilegeEscalation: false next to privileged: true or an added
 * SYS_ADMIN, so no fix is offered for such containers.
 */
function fixFor(c: ContainerView): JsonPatchOp[] | undefined {
  const sc = containerSecurityContext(c);
  if (sc?.privileged === true) return undefined;
  const add = isObject(sc?.capabilities) ? sc!.capabilities!.add : undefined;
  if (Array.isArray(add) && add.some((a) => a === 'SYS_ADMIN' || a === 'CAP_SYS_ADMIN')) return undefined;
  return setInContainerSecurityContext(c, 'allowPrivilegeEscalation', false);
}

export default defineControl({
  meta: {
    id: 'PSS-ALLOW-PRIVILEGE-ESCALATION',
    slug: 'allow-privilege-escalation',
    title: 'Containers must set allowPrivilegeEscalation to false',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "allowPrivilegeEscalation" (restricted, from policy v1.8 when the field appeared; does nothing at earlier versions): every container, init container and ephemeral container must explicitly set securityContext.allowPrivilegeEscalation to false (unset counts as true). ' +
      'From v1.25 pods with spec.os.name: windows are exempt. One finding per container.',
    rationale: 'Without no_new_privs a process can gain privileges through set-user-ID binaries or file capabilities inside the image, turning any local foothold into root in the container.',
    remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container.',
    messages: {
      unset: 'Container "{{container}}" does not set securityContext.allowPrivilegeEscalation to false',
      allowed: 'Container "{{container}}" sets securityContext.allowPrivilegeEscalation to true',
    },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted'],
    mitre: ['T1068'],
    maturity: 'stable',
    pss: { level: 'restricted', check: 'allowPrivilegeEscalation' },
  },
  reusableVisitor: true,
  check(ctx) {
    const version = resolvePssVersion(ctx.settings.pssVersion);
    if (!atLeast(version, 8)) return {};
    const exemptWindows = atLeast(version, 25);
    return {
      podSpec(ps) {
        if (exemptWindows && isWindowsPod(ps)) return;
        for (const c of ps.containers) {
          const value = containerSecurityContext(c)?.allowPrivilegeEscalation;
          if (value === false) continue;
          ctx.report({
            messageId: value === undefined || value === null ? 'unset' : 'allowed',
            data: { container: c.name },
            path: containerSecurityContextPath(c, 'allowPrivilegeEscalation'),
            evidence: value,
            fix: fixOf(fixFor, c),
          });
        }
      },
    };
  },
});
