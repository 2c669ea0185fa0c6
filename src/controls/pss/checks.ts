/**
 * The Pod Security Admission checks, as data: which control implements each, its level,
 * the policy versions at which its behaviour is defined or changes, and the baseline check
 * a restricted check replaces at the restricted level.
 *
 * PSA evaluates a level as: baseline = every baseline check; restricted = every restricted
 * check plus every baseline check not overridden by one of them at that version. Overrides
 * are per version: capabilities_baseline still runs at restricted v1.21, because
 * capabilities_restricted only starts (and overrides it) at v1.22.
 */
export type PssLevel = 'baseline' | 'restricted';

export interface PssCheck {
  /** Upstream check id. */
  check: string;
  controlId: string;
  level: PssLevel;
  /** Minor versions (of 1.x) where the check's behaviour is defined or changes; the first is where it starts. */
  versions: readonly number[];
  /** Baseline check this restricted check replaces, from its first version on. */
  overrides?: string;
}

export const PSS_CHECKS: readonly PssCheck[] = [
  { check: 'hostNamespaces', controlId: 'PSS-HOST-NAMESPACES', level: 'baseline', versions: [0] },
  { check: 'privileged', controlId: 'PSS-PRIVILEGED', level: 'baseline', versions: [0] },
  { check: 'capabilities_baseline', controlId: 'PSS-CAPABILITIES-BASELINE', level: 'baseline', versions: [0] },
  { check: 'hostPathVolumes', controlId: 'PSS-HOST-PATH-VOLUMES', level: 'baseline', versions: [0] },
  { check: 'hostPorts', controlId: 'PSS-HOST-PORTS', level: 'baseline', versions: [0] },
  { check: 'hostProbesAndHostLifecycle', controlId: 'PSS-HOST-PROBES-AND-HOST-LIFECYCLE', level: 'baseline', versions: [34] },
  { check: 'appArmorProfile', controlId: 'PSS-APP-ARMOR-PROFILE', level: 'baseline', versions: [0] },
  { check: 'seLinuxOptions', controlId: 'PSS-SE-LINUX-OPTIONS', level: 'baseline', versions: [0, 31] },
  { check: 'procMount', controlId: 'PSS-PROC-MOUNT', level: 'baseline', versions: [0, 35] },
  { check: 'seccompProfile_baseline', controlId: 'PSS-SECCOMP-PROFILE-BASELINE', level: 'baseline', versions: [0, 19] },
  { check: 'sysctls', controlId: 'PSS-SYSCTLS', level: 'baseline', versions: [0, 27, 29, 32, 37] },
  { check: 'windowsHostProcess', controlId: 'PSS-WINDOWS-HOST-PROCESS', level: 'baseline', versions: [0] },
  { check: 'restrictedVolumes', controlId: 'PSS-RESTRICTED-VOLUMES', level: 'restricted', versions: [0], overrides: 'hostPathVolumes' },
  { check: 'allowPrivilegeEscalation', controlId: 'PSS-ALLOW-PRIVILEGE-ESCALATION', level: 'restricted', versions: [8, 25] },
  { check: 'runAsNonRoot', controlId: 'PSS-RUN-AS-NON-ROOT', level: 'restricted', versions: [0, 35] },
  { check: 'runAsUser', controlId: 'PSS-RUN-AS-USER', level: 'restricted', versions: [23, 35] },
  { check: 'seccompProfile_restricted', controlId: 'PSS-SECCOMP-PROFILE-RESTRICTED', level: 'restricted', versions: [19, 25], overrides: 'seccompProfile_baseline' },
  { check: 'capabilities_restricted', controlId: 'PSS-CAPABILITIES-RESTRICTED', level: 'restricted', versions: [22, 25], overrides: 'capabilities_baseline' },
  { check: 'procMount_restricted', controlId: 'PSS-PROC-MOUNT-RESTRICTED', level: 'restricted', versions: [35], overrides: 'procMount' },
];

/** The checks PSA runs for a level at a policy version (minor), in catalogue order. */
export function checksFor(level: PssLevel, minor: number): PssCheck[] {
  const active = PSS_CHECKS.filter((c) => c.versions[0]! <= minor);
  if (level === 'baseline') return active.filter((c) => c.level === 'baseline');
  const overridden = new Set(active.filter((c) => c.level === 'restricted' && c.overrides).map((c) => c.overrides!));
  return active.filter((c) => !overridden.has(c.check));
}
