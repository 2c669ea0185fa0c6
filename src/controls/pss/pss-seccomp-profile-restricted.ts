import { defineControl, type ControlContext } from '../../core/control.js';
import type { JsonPatchOp } from '../../core/finding.js';
import type { PodSpecView } from '../../core/inventory.js';
import { toPointer } from '../../core/path.js';
import { containerSecurityContext, containerSecurityContextPath, isObject, isSet, isWindowsPod, podSecurityContext, podSecurityContextPath, shown } from './pod-fields.js';
import { allowedSeccompType } from './pss-seccomp-profile-baseline.js';
import { atLeast, resolvePssVersion } from './version.js';

const RUNTIME_DEFAULT = { type: 'RuntimeDefault' };

/** Sets RuntimeDefault at pod level, which covers every container that sets nothing itself. */
function podLevelRuntimeDefault(ps: PodSpecView): JsonPatchOp[] {
  if (podSecurityContext(ps)) return [{ op: 'add', path: toPointer(podSecurityContextPath(ps, 'seccompProfile')), value: RUNTIME_DEFAULT }];
  return [{ op: 'add', path: toPointer(podSecurityContextPath(ps)), value: { seccompProfile: RUNTIME_DEFAULT } }];
}

/** The containers that set no profile, found again rather than listed on the way. */
function reportUnset(ctx: ControlContext, ps: PodSpecView): void {
  // One patch fixes them all, so the findings share it (built on first use).
  let patch: JsonPatchOp[] | undefined;
  const fix = () => (patch ??= podLevelRuntimeDefault(ps));
  for (const c of ps.containers) {
    if (isSet(containerSecurityContext(c)?.seccompProfile)) continue;
    ctx.report({ messageId: 'containerUnset', data: { container: c.name }, path: containerSecurityContextPath(c, 'seccompProfile'), fix });
  }
}

export default defineControl({
  meta: {
    id: 'PSS-SECCOMP-PROFILE-RESTRICTED',
    slug: 'seccomp-profile-restricted',
    title: 'Seccomp must be set to RuntimeDefault or Localhost',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "seccompProfile_restricted" (restricted, new in policy v1.19; does nothing at earlier versions, where PSA\'s restricted level runs the baseline annotation check instead). ' +
      'Every container, init container and ephemeral container must run with seccompProfile.type RuntimeDefault or Localhost: set on the container, or inherited from a valid spec.securityContext.seccompProfile. ' +
      'An explicit other value (Unconfined, or a profile without a type) at either level is forbidden. From v1.25 pods with spec.os.name: windows are exempt. ' +
      'At the restricted level it replaces seccompProfile_baseline from v1.19. Explicit bad values are reported first; containers without a profile are reported when nothing is explicitly bad.',
    rationale: 'RuntimeDefault blocks the system calls most kernel exploits need at almost no compatibility cost; without a profile the container gets every system call.',
    remediation: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault (or Localhost with a profile on the nodes) and remove Unconfined profiles.',
    messages: {
      podType: 'Pod sets securityContext.seccompProfile.type to {{value}}; only RuntimeDefault or Localhost are allowed',
      containerType: 'Container "{{container}}" sets securityContext.seccompProfile.type to {{value}}; only RuntimeDefault or Localhost are allowed',
      containerUnset: 'Container "{{container}}" has no seccomp profile: neither it nor the pod sets securityContext.seccompProfile.type to RuntimeDefault or Localhost',
    },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted', 'https://kubernetes.io/docs/tutorials/security/seccomp/'],
    mitre: ['T1611'],
    maturity: 'stable',
    pss: { level: 'restricted', check: 'seccompProfile_restricted' },
  },
  reusableVisitor: true,
  check(ctx) {
    const version = resolvePssVersion(ctx.settings.pssVersion);
    if (!atLeast(version, 19)) return {};
    const exemptWindows = atLeast(version, 25);
    return {
      podSpec(ps) {
        if (exemptWindows && isWindowsPod(ps)) return;
        let explicit = 0;
        let podValid = false;
        const podProfile = podSecurityContext(ps)?.seccompProfile;
        if (isSet(podProfile)) {
          const type = isObject(podProfile) ? podProfile.type : undefined;
          if (allowedSeccompType(type)) podValid = true;
          else {
            explicit++;
            ctx.report({ messageId: 'podType', data: { value: shown(type ?? '') }, path: podSecurityContextPath(ps, 'seccompProfile', 'type'), evidence: type });
          }
        }
        let unset = false;
        for (const c of ps.containers) {
          const profile = containerSecurityContext(c)?.seccompProfile;
          if (!isSet(profile)) {
            if (!podValid) unset = true;
            continue;
          }
          const type = isObject(profile) ? profile.type : undefined;
          if (allowedSeccompType(type)) continue;
          explicit++;
          ctx.report({
            messageId: 'containerType',
            data: { container: c.name, value: shown(type ?? '') },
            path: containerSecurityContextPath(c, 'seccompProfile', 'type'),
            evidence: type,
          });
        }
        if (explicit === 0 && unset) reportUnset(ctx, ps);
      },
    };
  },
});
