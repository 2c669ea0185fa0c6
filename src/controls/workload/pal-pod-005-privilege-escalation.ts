import { defineControl } from '../../core/control.js';
import type { ContainerView } from '../../core/inventory.js';
import type { JsonPath } from '../../core/path.js';
import type { JsonPatchOp } from '../../core/finding.js';
import { fixOf } from '../lazy-fix.js';
import { addsCapability, containerSecurityContext, isWindowsPod, setFieldPatch } from './security-context.js';
import { pathUnder } from '../finding-path.js';

function noEscalationFix(c: ContainerView): JsonPatchOp[] {
  return setFieldPatch(c.container, c.path, ['securityContext', 'allowPrivilegeEscalation'], false);
}

function allowPrivilegeEscalationPath(c: ContainerView): JsonPath {
  return pathUnder(c.path, 'securityContext', 'allowPrivilegeEscalation');
}

export default defineControl({
  meta: {
    id: 'PAL-POD-005',
    slug: 'privilege-escalation',
    title: 'Containers must not allow privilege escalation',
    severity: 'medium',
    category: 'workload',
    description:
      'Fails for every container, init container and ephemeral container whose securityContext.allowPrivilegeEscalation is not false (unset defaults to allowed). Privileged containers and containers that add CAP_SYS_ADMIN get their own message: for them escalation is always allowed and the API rejects allowPrivilegeEscalation: false. Pods for Windows nodes are skipped, since the field cannot be set there.',
    rationale:
      'allowPrivilegeEscalation: false sets the kernel\'s no_new_privs flag on the container\'s processes: set-user-ID and set-group-ID binaries and file capabilities then cannot raise a process\'s privileges. Without it, a compromised process that is not root can become root through any setuid binary in the image, and root is the usual first step of an escape to the node.',
    remediation:
      'Set securityContext.allowPrivilegeEscalation: false on every container. For privileged containers or those adding CAP_SYS_ADMIN, first remove privileged and SYS_ADMIN; only then can escalation be turned off.',
    messages: {
      notSet: 'Container "{{container}}" allows privilege escalation: allowPrivilegeEscalation is not set to false',
      allowed: 'Container "{{container}}" allows privilege escalation (allowPrivilegeEscalation: true)',
      alwaysAllowed:
        'Container "{{container}}" always allows privilege escalation because it {{reason}}; remove that before setting allowPrivilegeEscalation: false',
    },
    appliesTo: ['workloads'],
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
    ],
    mitre: ['T1068', 'T1611'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      podSpec(ps) {
        if (isWindowsPod(ps)) return;
        for (const c of ps.containers) {
          const sc = containerSecurityContext(c.container);
          const value = sc?.allowPrivilegeEscalation;
          const reason = sc?.privileged === true ? 'runs privileged' : addsCapability(sc, 'SYS_ADMIN') ? 'adds CAP_SYS_ADMIN' : undefined;
          if (reason) {
            // No fix: the API rejects allowPrivilegeEscalation: false next to privileged or
            // CAP_SYS_ADMIN, and dropping those is a design decision for the owner.
            ctx.report({ messageId: 'alwaysAllowed', data: { container: c.name, reason }, path: allowPrivilegeEscalationPath(c), evidence: value ?? null });
            continue;
          }
          if (value === false) continue;
          ctx.report({
            messageId: value === true ? 'allowed' : 'notSet',
            data: { container: c.name },
            path: allowPrivilegeEscalationPath(c),
            evidence: value ?? null,
            fix: fixOf(noEscalationFix, c),
          });
        }
      },
    };
  },
});
