/**
 * Version behaviour of every PSS control, table-driven: the same pod evaluated at every
 * policy version where some check changes, plus latest and a version past the newest one.
 * Each row gives a step function: from version 1.N on, the control reports `count` findings.
 * The fixtures are ours, derived from the upstream check semantics described in each control.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { Control } from '../../core/control.js';
import { runControlOn } from '../../engine/control-tester.js';
import { pssControls } from './index.js';
import { PSS_LATEST_MINOR } from './version.js';

const byId = new Map(pssControls.map((c) => [c.meta.id, c]));

type Obj = Record<string, unknown>;

function pod(spec: Obj, annotations?: Record<string, string>): Obj {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fixture', ...(annotations ? { annotations } : {}) }, spec };
}
const c = (securityContext?: Obj, extra: Obj = {}): Obj => ({ name: 'app', image: 'registry.example/app:1', ...(securityContext ? { securityContext } : {}), ...extra });

interface Row {
  control: string;
  name: string;
  object: Obj;
  /** [first minor, findings from there on], ascending. */
  steps: readonly (readonly [number, number])[];
}

const ROWS: Row[] = [
  { control: 'PSS-HOST-NAMESPACES', name: 'hostIPC', object: pod({ hostIPC: true, containers: [c()] }), steps: [[0, 1]] },
  { control: 'PSS-PRIVILEGED', name: 'privileged ephemeral container', object: pod({ containers: [c()], ephemeralContainers: [{ ...c({ privileged: true }), name: 'dbg' }] }), steps: [[0, 1]] },
  { control: 'PSS-CAPABILITIES-BASELINE', name: 'NET_RAW added', object: pod({ containers: [c({ capabilities: { add: ['NET_RAW'] } })] }), steps: [[0, 1]] },
  { control: 'PSS-HOST-PATH-VOLUMES', name: 'hostPath volume', object: pod({ containers: [c()], volumes: [{ name: 'h', hostPath: { path: '/var/log' } }] }), steps: [[0, 1]] },
  { control: 'PSS-HOST-PORTS', name: 'hostPort', object: pod({ containers: [c(undefined, { ports: [{ containerPort: 80, hostPort: 8080 }] })] }), steps: [[0, 1]] },
  {
    control: 'PSS-HOST-PROBES-AND-HOST-LIFECYCLE',
    name: 'readiness probe host',
    object: pod({ containers: [c(undefined, { readinessProbe: { httpGet: { port: 80, host: '10.1.2.3' } } })] }),
    steps: [[0, 0], [34, 1]],
  },
  { control: 'PSS-APP-ARMOR-PROFILE', name: 'Unconfined field', object: pod({ containers: [c({ appArmorProfile: { type: 'Unconfined' } })] }), steps: [[0, 1]] },
  {
    control: 'PSS-APP-ARMOR-PROFILE',
    name: 'unconfined annotation',
    object: pod({ containers: [c()] }, { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' }),
    steps: [[0, 1]],
  },
  { control: 'PSS-SE-LINUX-OPTIONS', name: 'container_engine_t', object: pod({ containers: [c({ seLinuxOptions: { type: 'container_engine_t' } })] }), steps: [[0, 1], [31, 0]] },
  { control: 'PSS-SE-LINUX-OPTIONS', name: 'custom role', object: pod({ securityContext: { seLinuxOptions: { role: 'sysadm_r' } }, containers: [c()] }), steps: [[0, 1]] },
  { control: 'PSS-PROC-MOUNT', name: 'Unmasked in a user namespace', object: pod({ hostUsers: false, containers: [c({ procMount: 'Unmasked' })] }), steps: [[0, 1], [35, 0]] },
  { control: 'PSS-PROC-MOUNT', name: 'Unmasked with host users', object: pod({ containers: [c({ procMount: 'Unmasked' })] }), steps: [[0, 1]] },
  { control: 'PSS-PROC-MOUNT-RESTRICTED', name: 'Unmasked in a user namespace', object: pod({ hostUsers: false, containers: [c({ procMount: 'Unmasked' })] }), steps: [[0, 0], [35, 1]] },
  {
    control: 'PSS-SECCOMP-PROFILE-BASELINE',
    name: 'unconfined pod annotation',
    object: pod({ containers: [c()] }, { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' }),
    steps: [[0, 1], [19, 0]],
  },
  { control: 'PSS-SECCOMP-PROFILE-BASELINE', name: 'Unconfined field', object: pod({ containers: [c({ seccompProfile: { type: 'Unconfined' } })] }), steps: [[0, 0], [19, 1]] },
  { control: 'PSS-SYSCTLS', name: 'ip_local_reserved_ports', object: pod({ securityContext: { sysctls: [{ name: 'net.ipv4.ip_local_reserved_ports', value: '30000' }] }, containers: [c()] }), steps: [[0, 1], [27, 0]] },
  { control: 'PSS-SYSCTLS', name: 'tcp_fin_timeout', object: pod({ securityContext: { sysctls: [{ name: 'net.ipv4.tcp_fin_timeout', value: '30' }] }, containers: [c()] }), steps: [[0, 1], [29, 0]] },
  { control: 'PSS-SYSCTLS', name: 'tcp_wmem', object: pod({ securityContext: { sysctls: [{ name: 'net.ipv4.tcp_wmem', value: '4096 65536 16777216' }] }, containers: [c()] }), steps: [[0, 1], [32, 0]] },
  { control: 'PSS-SYSCTLS', name: 'tcp_notsent_lowat', object: pod({ securityContext: { sysctls: [{ name: 'net.ipv4.tcp_notsent_lowat', value: '16384' }] }, containers: [c()] }), steps: [[0, 1], [37, 0]] },
  { control: 'PSS-SYSCTLS', name: 'node-wide sysctl', object: pod({ securityContext: { sysctls: [{ name: 'kernel.sem', value: '1' }] }, containers: [c()] }), steps: [[0, 1]] },
  { control: 'PSS-WINDOWS-HOST-PROCESS', name: 'pod hostProcess', object: pod({ securityContext: { windowsOptions: { hostProcess: true } }, containers: [c()] }), steps: [[0, 1]] },
  { control: 'PSS-RESTRICTED-VOLUMES', name: 'image volume (allowed at every version)', object: pod({ containers: [c()], volumes: [{ name: 'm', image: { reference: 'registry.example/model:1' } }] }), steps: [[0, 0]] },
  { control: 'PSS-RESTRICTED-VOLUMES', name: 'iscsi volume', object: pod({ containers: [c()], volumes: [{ name: 'disk', iscsi: { targetPortal: '10.0.0.9:3260', iqn: 'iqn.x', lun: 0 } }] }), steps: [[0, 1]] },
  { control: 'PSS-ALLOW-PRIVILEGE-ESCALATION', name: 'unset, linux', object: pod({ containers: [c()] }), steps: [[0, 0], [8, 1]] },
  { control: 'PSS-ALLOW-PRIVILEGE-ESCALATION', name: 'unset, windows', object: pod({ os: { name: 'windows' }, containers: [c()] }), steps: [[0, 0], [8, 1], [25, 0]] },
  { control: 'PSS-RUN-AS-NON-ROOT', name: 'unset', object: pod({ containers: [c()] }), steps: [[0, 1]] },
  { control: 'PSS-RUN-AS-NON-ROOT', name: 'unset in a user namespace', object: pod({ hostUsers: false, containers: [c()] }), steps: [[0, 1], [35, 0]] },
  { control: 'PSS-RUN-AS-NON-ROOT', name: 'unset, windows (no windows exemption)', object: pod({ os: { name: 'windows' }, containers: [c()] }), steps: [[0, 1]] },
  { control: 'PSS-RUN-AS-USER', name: 'pod runAsUser 0', object: pod({ securityContext: { runAsUser: 0 }, containers: [c()] }), steps: [[0, 0], [23, 1]] },
  { control: 'PSS-RUN-AS-USER', name: 'runAsUser 0 in a user namespace', object: pod({ hostUsers: false, containers: [c({ runAsUser: 0 })] }), steps: [[0, 0], [23, 1], [35, 0]] },
  { control: 'PSS-SECCOMP-PROFILE-RESTRICTED', name: 'unset, linux', object: pod({ containers: [c()] }), steps: [[0, 0], [19, 1]] },
  { control: 'PSS-SECCOMP-PROFILE-RESTRICTED', name: 'unset, windows', object: pod({ os: { name: 'windows' }, containers: [c()] }), steps: [[0, 0], [19, 1], [25, 0]] },
  { control: 'PSS-CAPABILITIES-RESTRICTED', name: 'no drop, linux', object: pod({ containers: [c()] }), steps: [[0, 0], [22, 1]] },
  { control: 'PSS-CAPABILITIES-RESTRICTED', name: 'no drop, windows', object: pod({ os: { name: 'windows' }, containers: [c()] }), steps: [[0, 0], [22, 1], [25, 0]] },
];

/** Every version where some check changes, the one before each, latest, and one past the newest. */
const VERSIONS: string[] = (() => {
  const minors = new Set<number>([0]);
  for (const b of [8, 19, 22, 23, 25, 27, 29, 31, 32, 34, 35, 37]) {
    minors.add(b - 1);
    minors.add(b);
  }
  return [...[...minors].sort((a, b) => a - b).map((m) => `v1.${m}`), 'latest', `v1.${PSS_LATEST_MINOR + 3}`, '1.25'];
})();

function expectedAt(steps: Row['steps'], version: string): number {
  const minor = version === 'latest' ? PSS_LATEST_MINOR : Math.min(Number(version.replace(/^v?1\./, '')), PSS_LATEST_MINOR);
  let n = 0;
  for (const [from, count] of steps) if (minor >= from) n = count;
  return n;
}

function findings(control: Control, object: Obj, version: string) {
  return runControlOn(control, stringify(object), { pssVersion: version });
}

describe('PSS controls across policy versions', () => {
  for (const row of ROWS) {
    const control = byId.get(row.control);
    it(`${row.control}: ${row.name}`, () => {
      assert.ok(control, `control ${row.control} is registered`);
      const got = VERSIONS.map((v) => `${v}=${findings(control, row.object, v).length}`);
      const want = VERSIONS.map((v) => `${v}=${expectedAt(row.steps, v)}`);
      assert.deepEqual(got, want);
    });
  }

  it('every control appears in the table', () => {
    const covered = new Set(ROWS.map((r) => r.control));
    assert.deepEqual(pssControls.map((c) => c.meta.id).filter((id) => !covered.has(id)), []);
  });

  it('the same findings come from a Pod and from the pod template of a CronJob', () => {
    const control = byId.get('PSS-SECCOMP-PROFILE-BASELINE')!;
    const template = { metadata: { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } }, spec: { containers: [c()] } };
    const cronJob = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj' }, spec: { schedule: '@daily', jobTemplate: { spec: { template } } } };
    const fs = findings(control, cronJob, 'v1.18');
    assert.deepEqual(fs.map((f) => f.path.join('.')), ['spec.jobTemplate.spec.template.metadata.annotations.seccomp.security.alpha.kubernetes.io/pod']);
    assert.equal(findings(control, cronJob, 'v1.19').length, 0);
  });
});
