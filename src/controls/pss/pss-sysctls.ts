import { defineControl } from '../../core/control.js';
import { isObject, podSecurityContext, podSecurityContextPath, shown } from './pod-fields.js';
import { resolvePssVersion } from './version.js';

/**
 * The safe (namespaced, pod-isolated) sysctls by the policy version that first allows
 * them; each version allows its own entries and every older one's.
 */
export const SAFE_SYSCTLS_BY_VERSION: readonly (readonly [number, readonly string[]])[] = [
  [0, ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [29, ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
  [37, ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']],
];

const safeByMinor = new Map<number, ReadonlySet<string>>();

/** The sysctl names allowed at a policy version (minor). */
export function safeSysctls(minor: number): ReadonlySet<string> {
  let out = safeByMinor.get(minor);
  if (!out) {
    const set = new Set<string>();
    for (const [since, names] of SAFE_SYSCTLS_BY_VERSION) if (minor >= since) for (const n of names) set.add(n);
    // Built once per version: check() asks on every scan and every admission review.
    if (safeByMinor.size < 64) safeByMinor.set(minor, set);
    out = set;
  }
  return out;
}

export default defineControl({
  meta: {
    id: 'PSS-SYSCTLS',
    slug: 'sysctls',
    title: 'Pods may set only safe sysctls',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "sysctls" (baseline): every entry of spec.securityContext.sysctls must name a safe sysctl. ' +
      'v1.0 allows kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range and net.ipv4.ip_unprivileged_port_start; ' +
      'v1.27 adds net.ipv4.ip_local_reserved_ports; v1.29 adds net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl and net.ipv4.tcp_keepalive_probes; ' +
      'v1.32 adds net.ipv4.tcp_rmem and net.ipv4.tcp_wmem; v1.37 adds net.ipv4.tcp_slow_start_after_idle and net.ipv4.tcp_notsent_lowat. Names are compared exactly. One finding per offending entry.',
    rationale: 'Sysctls outside the safe set are not isolated per pod: they change kernel behaviour for the whole node or disable protections other workloads rely on.',
    remediation: 'Remove the sysctl from the pod, or set it on the nodes (or through an allow-listed unsafe sysctl in a namespace with a less strict policy) when it is truly needed.',
    messages: { sysctl: 'Pod sets sysctl {{name}}, which is not in the safe set of policy {{version}}' },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline', 'https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/'],
    maturity: 'stable',
    pss: { level: 'baseline', check: 'sysctls' },
  },
  reusableVisitor: true,
  check(ctx) {
    const version = resolvePssVersion(ctx.settings.pssVersion);
    const allowed = safeSysctls(version.minor);
    return {
      podSpec(ps) {
        const sysctls = podSecurityContext(ps)?.sysctls;
        if (!Array.isArray(sysctls)) return;
        sysctls.forEach((s, i) => {
          const name = isObject(s) ? s.name : undefined;
          if (typeof name === 'string' && allowed.has(name)) return;
          ctx.report({
            messageId: 'sysctl',
            data: { name: shown(name ?? ''), version: version.name },
            path: isObject(s) ? podSecurityContextPath(ps, 'sysctls', i, 'name') : podSecurityContextPath(ps, 'sysctls', i),
            evidence: name,
          });
        });
      },
    };
  },
});
