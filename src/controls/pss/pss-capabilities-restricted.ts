import { defineControl } from '../../core/control.js';
import type { JsonPatchOp } from '../../core/finding.js';
import type { ContainerView } from '../../core/inventory.js';
import { toPointer } from '../../core/path.js';
import { containerSecurityContext, containerSecurityContextPath, isObject, isSet, isWindowsPod, shown } from './pod-fields.js';
import { atLeast, resolvePssVersion } from './version.js';
import { fixOf } from '../lazy-fix.js';

/** Adds "ALL" to capabilities.drop, creating what is missing on the way. */
function dropAllFix(c: ContainerView): JsonPatchOp[] {
  const sc = containerSecurityContext(c);
  if (!sc) return [{ op: 'add', path: toPointer(containerSecurityContextPath(c)), value: { capabilities: { drop: ['ALL'] } } }];
  const caps = sc.capabilities;
  if (!isObject(caps)) return [{ op: 'add', path: toPointer(containerSecurityContextPath(c, 'capabilities')), value: { drop: ['ALL'] } }];
  if (!Array.isArray(caps.drop)) return [{ op: 'add', path: toPointer(containerSecurityContextPath(c, 'capabilities', 'drop')), value: ['ALL'] }];
  return [{ op: 'add', path: toPointer(containerSecurityContextPath(c, 'capabilities', 'drop', '-')), value: 'ALL' }];
}

export default defineControl({
  meta: {
    id: 'PSS-CAPABILITIES-RESTRICTED',
    slug: 'capabilities-restricted',
    title: 'Containers must drop ALL capabilities and add back only NET_BIND_SERVICE',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "capabilities_restricted" (restricted, new in policy v1.22; does nothing at earlier versions, where PSA\'s restricted level runs capabilities_baseline instead). ' +
      'Every container, init container and ephemeral container must list "ALL" in securityContext.capabilities.drop, and securityContext.capabilities.add may contain only "NET_BIND_SERVICE" (exact, case-sensitive names). ' +
      'From v1.25 pods with spec.os.name: windows are exempt. At the restricted level it replaces capabilities_baseline from v1.22. One finding per container missing drop ALL and one per forbidden added capability.',
    rationale: 'Even the runtime default set (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW on older runtimes, …) is more than most applications need; dropping everything removes what an attacker could use after a compromise.',
    remediation: 'Set securityContext.capabilities.drop: ["ALL"] on every container and add back NET_BIND_SERVICE only if it binds a port below 1024.',
    messages: {
      dropAll: 'Container "{{container}}" does not drop ALL capabilities (securityContext.capabilities.drop must include "ALL")',
      add: 'Container "{{container}}" adds capability {{capability}}; only NET_BIND_SERVICE may be added',
    },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted'],
    mitre: ['T1611'],
    maturity: 'stable',
    pss: { level: 'restricted', check: 'capabilities_restricted' },
  },
  reusableVisitor: true,
  check(ctx) {
    const version = resolvePssVersion(ctx.settings.pssVersion);
    if (!atLeast(version, 22)) return {};
    const exemptWindows = atLeast(version, 25);
    return {
      podSpec(ps) {
        if (exemptWindows && isWindowsPod(ps)) return;
        for (const c of ps.containers) {
          const caps = containerSecurityContext(c)?.capabilities;
          const capsObj = isObject(caps) ? caps : undefined;
          const drop = capsObj && Array.isArray(capsObj.drop) ? capsObj.drop : undefined;
          if (!drop || !drop.includes('ALL')) {
            ctx.report({
              messageId: 'dropAll',
              data: { container: c.name },
              path: containerSecurityContextPath(c, 'capabilities', 'drop'),
              evidence: isSet(capsObj?.drop) ? capsObj!.drop : undefined,
              fix: fixOf(dropAllFix, c),
            });
          }
          const add = capsObj && Array.isArray(capsObj.add) ? capsObj.add : undefined;
          if (!add) continue;
          for (let i = 0; i < add.length; i++) {
            const cap: unknown = add[i];
            if (cap === 'NET_BIND_SERVICE') continue;
            ctx.report({
              messageId: 'add',
              data: { container: c.name, capability: shown(cap) },
              path: containerSecurityContextPath(c, 'capabilities', 'add', i),
              evidence: cap,
            });
          }
        }
      },
    };
  },
});
