import type { Control, ControlContext, ReportDescriptor } from '../../core/control.js';
import { formatMessage } from '../../core/control.js';
import { toDotted } from '../../core/path.js';
import { makeResource, type K8sObject } from '../../core/resource.js';
import { podSpecOf } from '../../inventory/inventory.js';
import { checksFor, type PssLevel } from './checks.js';
import allowPrivilegeEscalation from './pss-allow-privilege-escalation.js';
import appArmorProfile from './pss-app-armor-profile.js';
import capabilitiesBaseline from './pss-capabilities-baseline.js';
import capabilitiesRestricted from './pss-capabilities-restricted.js';
import hostNamespaces from './pss-host-namespaces.js';
import hostPathVolumes from './pss-host-path-volumes.js';
import hostPorts from './pss-host-ports.js';
import hostProbesAndHostLifecycle from './pss-host-probes-and-host-lifecycle.js';
import privileged from './pss-privileged.js';
import procMount from './pss-proc-mount.js';
import procMountRestricted from './pss-proc-mount-restricted.js';
import restrictedVolumes from './pss-restricted-volumes.js';
import runAsNonRoot from './pss-run-as-non-root.js';
import runAsUser from './pss-run-as-user.js';
import seLinuxOptions from './pss-se-linux-options.js';
import seccompProfileBaseline from './pss-seccomp-profile-baseline.js';
import seccompProfileRestricted from './pss-seccomp-profile-restricted.js';
import sysctls from './pss-sysctls.js';
import windowsHostProcess from './pss-windows-host-process.js';
import { resolvePssVersion } from './version.js';

export { PSS_CHECKS, checksFor, type PssCheck, type PssLevel } from './checks.js';
export { PSS_LATEST_MINOR, parsePssVersion, isPssVersion, resolvePssVersion, comparePssVersions, type PssVersion } from './version.js';

/** Controls of the pss area: one per Pod Security Admission check. */
export const pssControls: Control[] = [
  allowPrivilegeEscalation,
  appArmorProfile,
  capabilitiesBaseline,
  capabilitiesRestricted,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  hostProbesAndHostLifecycle,
  privileged,
  procMount,
  procMountRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seLinuxOptions,
  seccompProfileBaseline,
  seccompProfileRestricted,
  sysctls,
  windowsHostProcess,
];

const byId = new Map(pssControls.map((c) => [c.meta.id, c]));

/**
 * The controls that decide a level at a policy version, the way PSA composes it: baseline
 * checks, and for restricted the restricted checks plus the baseline checks none of them
 * overrides at that version. Checks not yet defined at the version are left out.
 */
export function pssControlsFor(level: PssLevel, version: string = 'latest'): Control[] {
  const v = resolvePssVersion(version);
  return checksFor(level, v.minor).map((c) => byId.get(c.controlId)!);
}

export interface PssViolation {
  /** Upstream PSA check id, e.g. "capabilities_restricted". */
  check: string;
  controlId: string;
  message: string;
  /** Dotted path of the offending field. */
  path: string;
}

export interface PssDecision {
  allowed: boolean;
  level: 'privileged' | PssLevel;
  /** The policy version evaluated ("v1.N"). */
  version: string;
  violations: PssViolation[];
}

/**
 * Decides a Pod (or the pod template of a workload: Deployment, Job, CronJob, …) the way Pod
 * Security Admission would at `level` and policy `version` ("latest", "v1.N" or "1.N"),
 * by running the PSS controls on it. One violation per offending field.
 */
export function pssDecision(podLikeObject: unknown, level: 'privileged' | PssLevel, version: string = 'latest'): PssDecision {
  if (level !== 'privileged' && level !== 'baseline' && level !== 'restricted') {
    throw new Error(`unknown Pod Security Standards level "${String(level)}": expected privileged, baseline or restricted`);
  }
  const v = resolvePssVersion(version);
  const obj = podLikeObject as K8sObject;
  if (!obj || typeof obj !== 'object' || typeof obj.kind !== 'string') throw new Error('pssDecision needs a Kubernetes object with a kind');
  const resource = makeResource({ ...obj, apiVersion: typeof obj.apiVersion === 'string' ? obj.apiVersion : 'v1' }, { type: 'admission', uid: '' });
  const ps = podSpecOf(resource);
  if (!ps) throw new Error(`pssDecision needs a Pod or a workload with a pod template; got ${obj.kind} without one`);
  const violations: PssViolation[] = [];
  if (level !== 'privileged') {
    for (const check of checksFor(level, v.minor)) {
      const control = byId.get(check.controlId)!;
      const ctx: ControlContext = {
        settings: { allowedRegistries: [], pssVersion: v.name },
        options: {},
        report(d: ReportDescriptor) {
          const template = control.meta.messages[d.messageId];
          if (template === undefined) throw new Error(`${control.meta.id}: unknown messageId "${d.messageId}"`);
          violations.push({ check: check.check, controlId: control.meta.id, message: formatMessage(template, d.data), path: toDotted(d.path) });
        },
      };
      control.check(ctx).podSpec?.(ps);
    }
  }
  return { allowed: violations.length === 0, level, version: v.name, violations };
}
