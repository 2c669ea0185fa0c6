/**
 * Kyverno's `validate.podSecurity` subrule: the Pod Security Standards at a level and
 * version, decided by Palisade's own PSS controls (pssDecision), minus the exclusions:
 *
 *   exclude:
 *   - controlName: Capabilities          # Kyverno's name of a PSS control
 *     images: ["ghcr.io/acme/agent*"]    # container-level controls: which containers
 *     restrictedField: spec.containers[*].securityContext.capabilities.add
 *     values: ["NET_ADMIN"]              # which offending values are allowed
 *
 * A violation is excluded when an entry names its control, its container's image matches
 * one of `images` (when given), its field lies at or under `restrictedField` (when given)
 * and its offending value is one of `values` (when given).
 */
import { pssDecision, type PssViolation } from '../../controls/pss/index.js';
import { getAt, type JsonPath } from '../../core/path.js';
import { wildcardMatch } from './wildcard.js';

/** PSA check id → the control name Kyverno's exclusions use. */
export const PSS_CONTROL_NAMES: Readonly<Record<string, string>> = {
  hostNamespaces: 'Host Namespaces',
  privileged: 'Privileged Containers',
  capabilities_baseline: 'Capabilities',
  capabilities_restricted: 'Capabilities',
  hostPathVolumes: 'HostPath Volumes',
  hostPorts: 'Host Ports',
  hostProbesAndHostLifecycle: 'Host Probes / Lifecycle Hooks',
  appArmorProfile: 'AppArmor',
  seLinuxOptions: 'SELinux',
  procMount: '/proc Mount Type',
  procMount_restricted: '/proc Mount Type',
  seccompProfile_baseline: 'Seccomp',
  seccompProfile_restricted: 'Seccomp',
  sysctls: 'Sysctls',
  windowsHostProcess: 'HostProcess',
  restrictedVolumes: 'Volume Types',
  allowPrivilegeEscalation: 'Privilege Escalation',
  runAsNonRoot: 'Running as Non-root',
  runAsUser: 'Running as Non-root user',
};

export const KYVERNO_CONTROL_NAMES: ReadonlySet<string> = new Set(Object.values(PSS_CONTROL_NAMES));

export interface PodSecurityExclude {
  controlName?: string;
  images?: string[];
  restrictedField?: string;
  values?: string[];
}

export interface PodSecurityCheck {
  id: string;
  controlName: string;
  allowed: boolean;
  forbiddenReason: string;
  forbiddenDetail: string;
  path: JsonPath;
}

export interface PodSecurityOutcome {
  allowed: boolean;
  level: string;
  version: string;
  /** Violations that remain after exclusions. */
  violations: PodSecurityCheck[];
  /** Violations removed by an exclusion. */
  excluded: PodSecurityCheck[];
}

/** "spec.containers[0].securityContext" → ["spec", "containers", 0, "securityContext"]. */
export function parseDotted(path: string): JsonPath {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  for (const m of path.matchAll(re)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(`"${m[3]}"`) as string);
    else out.push(m[1]!);
  }
  return out;
}

const POD_PREFIXES: JsonPath[] = [
  ['spec', 'jobTemplate', 'spec', 'template'],
  ['spec', 'template'],
  ['template'],
];

/** The path as seen from a Pod: "spec.template.spec.containers[0]…" → spec.containers[0]…. */
function podRelative(path: JsonPath): JsonPath {
  for (const prefix of POD_PREFIXES) {
    if (prefix.every((s, i) => path[i] === s) && (path[prefix.length] === 'spec' || path[prefix.length] === 'metadata')) return path.slice(prefix.length);
  }
  return path;
}

function normalize(path: JsonPath): string {
  return path.map((s) => (typeof s === 'number' ? '[*]' : `.${s}`)).join('').replace(/^\./, '');
}

function normalizeField(field: string): string {
  return field.replace(/\[\d+\]/g, '[*]').replace(/\s+/g, '');
}

function containerOf(object: unknown, path: JsonPath): { image: string } | undefined {
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i];
    if ((seg === 'containers' || seg === 'initContainers' || seg === 'ephemeralContainers') && typeof path[i + 1] === 'number') {
      const c = getAt(object, path.slice(0, i + 2)) as { image?: unknown } | undefined;
      return { image: typeof c?.image === 'string' ? c.image : '' };
    }
  }
  return undefined;
}

function excludes(ex: PodSecurityExclude, control: string, v: PssViolation, path: JsonPath, object: unknown): boolean {
  if (ex.controlName !== control) return false;
  const container = containerOf(object, path);
  if (ex.images && ex.images.length) {
    if (!container || !ex.images.some((img) => wildcardMatch(img, container.image))) return false;
  }
  if (ex.restrictedField) {
    const field = normalizeField(ex.restrictedField);
    const here = normalize(podRelative(path));
    if (here !== field && !here.startsWith(field + '.') && !here.startsWith(field + '[')) return false;
    if (ex.values && ex.values.length) {
      const value = getAt(object, path);
      const shown = (x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x));
      if (value === undefined) return false;
      const offending = Array.isArray(value) ? value : [value];
      if (!offending.every((x) => ex.values!.includes(shown(x)))) return false;
    }
  }
  void v;
  return true;
}

export function evaluatePodSecurity(object: unknown, level: string, version: string, exclude: readonly PodSecurityExclude[]): PodSecurityOutcome {
  const decision = pssDecision(object, level as 'privileged' | 'baseline' | 'restricted', version);
  const violations: PodSecurityCheck[] = [];
  const excluded: PodSecurityCheck[] = [];
  for (const v of decision.violations) {
    const controlName = PSS_CONTROL_NAMES[v.check] ?? v.check;
    const path = parseDotted(v.path);
    const check: PodSecurityCheck = { id: v.check, controlName, allowed: false, forbiddenReason: controlName, forbiddenDetail: v.message, path };
    if (exclude.some((ex) => excludes(ex, controlName, v, path, object))) excluded.push({ ...check, allowed: true });
    else violations.push(check);
  }
  return { allowed: violations.length === 0, level, version: decision.version === 'latest' ? 'latest' : version === 'latest' ? 'latest' : decision.version, violations, excluded };
}
