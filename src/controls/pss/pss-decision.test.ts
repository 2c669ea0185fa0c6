/**
 * pssDecision against pods whose allow/deny we derive from the upstream semantics, per
 * level and policy version. Each case gives, per level, a step function: from version 1.N on,
 * these checks deny the pod (empty: allowed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pssControlsFor, pssDecision } from './index.js';
import { PSS_LATEST_MINOR } from './version.js';

type Obj = Record<string, unknown>;
type Steps = readonly (readonly [number, readonly string[]])[];

const IMAGE = 'registry.example/app:1';
const HARDENED_CONTAINER = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
const HARDENED_POD = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

function pod(spec: Obj, annotations?: Record<string, string>): Obj {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fixture', namespace: 'team', ...(annotations ? { annotations } : {}) }, spec };
}
/** A pod that meets restricted at every version, with changes. */
function hardened(opts: { pod?: Obj; container?: Obj; spec?: Obj; annotations?: Record<string, string> } = {}): Obj {
  return pod(
    {
      securityContext: { ...HARDENED_POD, ...opts.pod },
      containers: [{ name: 'app', image: IMAGE, securityContext: { ...HARDENED_CONTAINER, ...opts.container } }],
      ...opts.spec,
    },
    opts.annotations,
  );
}

interface Case {
  name: string;
  object: Obj;
  baseline: Steps;
  restricted: Steps;
}

const apE = 'allowPrivilegeEscalation';
const CASES: Case[] = [
  {
    name: 'a minimal pod',
    object: pod({ containers: [{ name: 'app', image: IMAGE }] }),
    baseline: [[0, []]],
    restricted: [
      [0, ['runAsNonRoot']],
      [8, [apE, 'runAsNonRoot']],
      [19, [apE, 'runAsNonRoot', 'seccompProfile_restricted']],
      [22, [apE, 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted']],
    ],
  },
  { name: 'a hardened pod', object: hardened(), baseline: [[0, []]], restricted: [[0, []]] },
  {
    name: 'a hardened pod adding SYS_ADMIN: capabilities_restricted replaces capabilities_baseline at v1.22',
    object: hardened({ container: { capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } } }),
    baseline: [[0, ['capabilities_baseline']]],
    restricted: [[0, ['capabilities_baseline']], [22, ['capabilities_restricted']]],
  },
  {
    name: 'a windows pod that only sets runAsNonRoot',
    object: pod({ os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'app', image: IMAGE }] }),
    baseline: [[0, []]],
    restricted: [
      [0, []],
      [8, [apE]],
      [19, [apE, 'seccompProfile_restricted']],
      [22, [apE, 'capabilities_restricted', 'seccompProfile_restricted']],
      [25, []],
    ],
  },
  {
    name: 'a windows pod adding SYS_ADMIN: baseline denies it, restricted from v1.25 does not (override + windows exemption)',
    object: pod({ os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'app', image: IMAGE, securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }] }),
    baseline: [[0, ['capabilities_baseline']]],
    restricted: [
      [0, ['capabilities_baseline']],
      [8, [apE, 'capabilities_baseline']],
      [19, [apE, 'capabilities_baseline', 'seccompProfile_restricted']],
      [22, [apE, 'capabilities_restricted', 'seccompProfile_restricted']],
      [25, []],
    ],
  },
  {
    name: 'a windows pod with an Unconfined seccomp profile',
    object: pod({ os: { name: 'windows' }, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'app', image: IMAGE }] }),
    baseline: [[0, []], [19, ['seccompProfile_baseline']]],
    restricted: [
      [0, []],
      [8, [apE]],
      [19, [apE, 'seccompProfile_restricted']],
      [22, [apE, 'capabilities_restricted', 'seccompProfile_restricted']],
      [25, []],
    ],
  },
  {
    name: 'a user-namespace pod running as root with unmasked /proc',
    object: pod({
      hostUsers: false,
      securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'app', image: IMAGE, securityContext: { ...HARDENED_CONTAINER, procMount: 'Unmasked' } }],
    }),
    baseline: [[0, ['procMount']], [35, []]],
    restricted: [
      [0, ['procMount', 'runAsNonRoot']],
      [23, ['procMount', 'runAsNonRoot', 'runAsUser']],
      [35, ['procMount_restricted']],
    ],
  },
  {
    name: 'a user-namespace pod running as root',
    object: pod({
      hostUsers: false,
      securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'app', image: IMAGE, securityContext: HARDENED_CONTAINER }],
    }),
    baseline: [[0, []]],
    restricted: [[0, ['runAsNonRoot']], [23, ['runAsNonRoot', 'runAsUser']], [35, []]],
  },
  {
    name: 'a hardened pod with unmasked /proc and host users',
    object: hardened({ container: { procMount: 'Unmasked' } }),
    baseline: [[0, ['procMount']]],
    restricted: [[0, ['procMount']], [35, ['procMount_restricted']]],
  },
  {
    name: 'a hardened pod with a hostPath volume: restrictedVolumes replaces hostPathVolumes',
    object: hardened({ spec: { volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] } }),
    baseline: [[0, ['hostPathVolumes']]],
    restricted: [[0, ['restrictedVolumes']]],
  },
  {
    name: 'a hardened pod with an image volume',
    object: hardened({ spec: { volumes: [{ name: 'model', image: { reference: 'registry.example/model:7' } }] } }),
    baseline: [[0, []]],
    restricted: [[0, []]],
  },
  {
    name: 'a hardened pod with an unconfined seccomp annotation',
    object: hardened({ annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } }),
    baseline: [[0, ['seccompProfile_baseline']], [19, []]],
    restricted: [[0, ['seccompProfile_baseline']], [19, []]],
  },
  {
    name: 'a hardened pod with a container that disables seccomp',
    object: hardened({ container: { seccompProfile: { type: 'Unconfined' } } }),
    baseline: [[0, []], [19, ['seccompProfile_baseline']]],
    restricted: [[0, []], [19, ['seccompProfile_restricted']]],
  },
  {
    name: 'a hardened pod setting net.ipv4.tcp_notsent_lowat',
    object: hardened({ pod: { sysctls: [{ name: 'net.ipv4.tcp_notsent_lowat', value: '16384' }] } }),
    baseline: [[0, ['sysctls']], [37, []]],
    restricted: [[0, ['sysctls']], [37, []]],
  },
  {
    name: 'a hardened Deployment whose liveness probe targets another host',
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        template: {
          spec: {
            securityContext: HARDENED_POD,
            containers: [{ name: 'app', image: IMAGE, securityContext: HARDENED_CONTAINER, livenessProbe: { tcpSocket: { port: 80, host: 'metadata.internal' } } }],
          },
        },
      },
    },
    baseline: [[0, []], [34, ['hostProbesAndHostLifecycle']]],
    restricted: [[0, []], [34, ['hostProbesAndHostLifecycle']]],
  },
  {
    name: 'a node agent: privileged, host network and PID, hostPath',
    object: pod({
      hostNetwork: true,
      hostPID: true,
      containers: [{ name: 'agent', image: IMAGE, securityContext: { privileged: true } }],
      volumes: [{ name: 'root', hostPath: { path: '/' } }],
    }),
    baseline: [[0, ['hostNamespaces', 'hostPathVolumes', 'privileged']]],
    restricted: [
      [0, ['hostNamespaces', 'privileged', 'restrictedVolumes', 'runAsNonRoot']],
      [8, [apE, 'hostNamespaces', 'privileged', 'restrictedVolumes', 'runAsNonRoot']],
      [19, [apE, 'hostNamespaces', 'privileged', 'restrictedVolumes', 'runAsNonRoot', 'seccompProfile_restricted']],
      [22, [apE, 'capabilities_restricted', 'hostNamespaces', 'privileged', 'restrictedVolumes', 'runAsNonRoot', 'seccompProfile_restricted']],
    ],
  },
];

const VERSIONS: string[] = (() => {
  const minors = new Set<number>([0]);
  for (const b of [8, 19, 22, 23, 25, 34, 35, 37]) {
    minors.add(b - 1);
    minors.add(b);
  }
  return [...[...minors].sort((a, b) => a - b).map((m) => `v1.${m}`), 'latest', `v1.${PSS_LATEST_MINOR + 1}`];
})();

function expected(steps: Steps, version: string): string[] {
  const minor = version === 'latest' ? PSS_LATEST_MINOR : Math.min(Number(version.slice(3)), PSS_LATEST_MINOR);
  let out: readonly string[] = [];
  for (const [from, checks] of steps) if (minor >= from) out = checks;
  return [...out].sort();
}

function deniedBy(object: Obj, level: 'baseline' | 'restricted', version: string): string[] {
  const d = pssDecision(object, level, version);
  const checks = [...new Set(d.violations.map((v) => v.check))].sort();
  assert.equal(d.allowed, checks.length === 0, 'allowed iff there is no violation');
  return checks;
}

describe('pssDecision', () => {
  for (const c of CASES) {
    for (const level of ['baseline', 'restricted'] as const) {
      it(`${level}: ${c.name}`, () => {
        const got = VERSIONS.map((v) => `${v}: ${deniedBy(c.object, level, v).join(', ') || 'allowed'}`);
        const want = VERSIONS.map((v) => `${v}: ${expected(c[level], v).join(', ') || 'allowed'}`);
        assert.deepEqual(got, want);
      });
    }
  }

  it('privileged allows everything', () => {
    for (const c of CASES) assert.deepEqual(pssDecision(c.object, 'privileged', 'v1.0'), { allowed: true, level: 'privileged', version: 'v1.0', violations: [] });
  });

  it('reports one violation per offending field, with control id, path and message', () => {
    const d = pssDecision(pod({ containers: [{ name: 'a', image: IMAGE, securityContext: { capabilities: { add: ['SYS_ADMIN', 'NET_RAW'] } } }] }), 'baseline', '1.25');
    assert.equal(d.version, 'v1.25');
    assert.deepEqual(
      d.violations.map((v) => [v.check, v.controlId, v.path]),
      [
        ['capabilities_baseline', 'PSS-CAPABILITIES-BASELINE', 'spec.containers[0].securityContext.capabilities.add[0]'],
        ['capabilities_baseline', 'PSS-CAPABILITIES-BASELINE', 'spec.containers[0].securityContext.capabilities.add[1]'],
      ],
    );
    assert.match(d.violations[0]!.message, /"a".*"SYS_ADMIN"/);
  });

  it('resolves latest to the newest policy version and clamps newer ones', () => {
    assert.equal(pssDecision(hardened(), 'baseline').version, `v1.${PSS_LATEST_MINOR}`);
    assert.equal(pssDecision(hardened(), 'baseline', 'v1.99').version, `v1.${PSS_LATEST_MINOR}`);
  });

  it('rejects unknown levels, bad versions and objects without a pod spec', () => {
    assert.throws(() => pssDecision(hardened(), 'strict' as 'baseline'), /unknown Pod Security Standards level/);
    assert.throws(() => pssDecision(hardened(), 'baseline', 'v2.0'), /invalid Pod Security Standards version/);
    assert.throws(() => pssDecision({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, 'baseline'), /needs a Pod or a workload/);
    assert.throws(() => pssDecision(null, 'baseline'), /needs a Kubernetes object/);
  });

  it('composes restricted from restricted checks plus the baseline checks they do not override', () => {
    const ids = (v: string) => pssControlsFor('restricted', v).map((c) => c.meta.id);
    assert.ok(ids('v1.21').includes('PSS-CAPABILITIES-BASELINE'));
    assert.ok(!ids('v1.22').includes('PSS-CAPABILITIES-BASELINE'));
    assert.ok(ids('v1.18').includes('PSS-SECCOMP-PROFILE-BASELINE'));
    assert.ok(!ids('v1.19').includes('PSS-SECCOMP-PROFILE-BASELINE'));
    assert.ok(ids('v1.34').includes('PSS-PROC-MOUNT') && !ids('v1.34').includes('PSS-PROC-MOUNT-RESTRICTED'));
    assert.ok(!ids('v1.35').includes('PSS-PROC-MOUNT') && ids('v1.35').includes('PSS-PROC-MOUNT-RESTRICTED'));
    assert.ok(!ids('v1.0').includes('PSS-HOST-PATH-VOLUMES'));
    assert.ok(!ids('v1.7').includes('PSS-ALLOW-PRIVILEGE-ESCALATION'));
    assert.equal(pssControlsFor('baseline', 'latest').length, 12);
    assert.equal(pssControlsFor('restricted', 'latest').length, 15);
  });
});
