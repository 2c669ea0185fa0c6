import { defineControl } from '../../core/control.js';
import type { JsonPath } from '../../core/path.js';
import { containerSecurityContext, containerSecurityContextPath, isObject, isSet, podSecurityContext, podSecurityContextPath } from './pod-fields.js';
import { atLeast, resolvePssVersion } from './version.js';
import { pathUnder } from '../finding-path.js';

const TYPES_V1_0: ReadonlySet<string> = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
/** v1.31 allows container_engine_t, the type of container engines run inside containers. */
const TYPES_V1_31: ReadonlySet<string> = new Set([...TYPES_V1_0, 'container_engine_t']);

export default defineControl({
  meta: {
    id: 'PSS-SE-LINUX-OPTIONS',
    slug: 'se-linux-options',
    title: 'SELinux options must not set a custom user, role or type',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "seLinuxOptions" (baseline). In spec.securityContext.seLinuxOptions and securityContext.seLinuxOptions of every container: user and role must be empty or unset, and type must be empty, unset or one of container_t, container_init_t, container_kvm_t; ' +
      'from policy v1.31 container_engine_t is allowed too. The level field is not restricted. One finding per offending field.',
    rationale: 'A custom SELinux user, role or an unconfined/privileged type (spc_t, unconfined_t) lifts the label-based confinement that keeps a container from touching host files and other containers.',
    remediation: 'Remove seLinuxOptions.user and .role, and leave .type unset or use one of the container types the policy allows.',
    messages: {
      type: '{{owner}} sets seLinuxOptions.type to {{value}}, which is not an allowed container type',
      user: '{{owner}} sets seLinuxOptions.user to {{value}}; a custom SELinux user is not allowed',
      role: '{{owner}} sets seLinuxOptions.role to {{value}}; a custom SELinux role is not allowed',
    },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
    mitre: ['T1611'],
    maturity: 'stable',
    pss: { level: 'baseline', check: 'seLinuxOptions' },
  },
  reusableVisitor: true,
  check(ctx) {
    const version = resolvePssVersion(ctx.settings.pssVersion);
    const allowedTypes = atLeast(version, 31) ? TYPES_V1_31 : TYPES_V1_0;
    // Called only for options that are set (most pods set none): paths and names are built then.
    const inspect = (opts: unknown, base: JsonPath, owner: string) => {
      const o = isObject(opts) ? opts : {};
      const type = o.type ?? '';
      if (typeof type !== 'string' || !allowedTypes.has(type)) {
        ctx.report({ messageId: 'type', data: { owner, value: JSON.stringify(type) }, path: pathUnder(base, 'type'), evidence: type });
      }
      for (const field of ['user', 'role'] as const) {
        const v = o[field];
        if (v === undefined || v === null || v === '') continue;
        ctx.report({ messageId: field, data: { owner, value: JSON.stringify(v) }, path: pathUnder(base, field), evidence: v });
      }
    };
    return {
      podSpec(ps) {
        const podOptions = podSecurityContext(ps)?.seLinuxOptions;
        if (isSet(podOptions)) inspect(podOptions, podSecurityContextPath(ps, 'seLinuxOptions'), 'Pod');
        for (const c of ps.containers) {
          const options = containerSecurityContext(c)?.seLinuxOptions;
          if (isSet(options)) inspect(options, containerSecurityContextPath(c, 'seLinuxOptions'), `Container "${c.name}"`);
        }
      },
    };
  },
});
