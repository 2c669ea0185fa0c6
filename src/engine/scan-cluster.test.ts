import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allControls } from '../controls/registry.js';
import { builtinFrameworks } from '../frameworks/loader.js';
import { frameworkStatus } from '../frameworks/scoring.js';
import type { K8sObject } from '../core/resource.js';
import { clusterResource } from '../sources/cluster/objects.js';
import { coveragePlan, kindsReadBy } from '../sources/cluster/kinds.js';
import type { CoverageGap } from '../sources/cluster/list.js';
import { judgeClusterResources, withoutControlled } from './scan-cluster.js';

const SETTINGS = { allowedRegistries: [], pssVersion: 'latest' };
const controls = allControls();
const control = (id: string) => controls.find((c) => c.meta.id === id)!;

const res = (o: K8sObject) => clusterResource(o, 'unit');
const rolesForbidden: CoverageGap = { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', resource: 'roles', reason: 'forbidden', status: 403, message: 'forbidden' };

/** A cluster whose readable RBAC objects are harmless: only the unreadable Roles could hold a problem. */
const harmless = [
  res({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'viewer', uid: 'u1' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] }),
  res({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'ops', namespace: 'shop', uid: 'u2' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ops' },
    subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }],
  }),
  res({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: 'u3' } }),
];

test('what a control reads: kind handlers, workloads for pod-spec controls, RBAC kinds and extra cross-resource reads', () => {
  assert.deepEqual(kindsReadBy(control('PAL-NET-004')), ['Service']);
  const pod = kindsReadBy(control('PAL-POD-001'));
  for (const k of ['Pod', 'Deployment', 'CronJob', 'PodTemplate']) assert.ok(pod.includes(k), k);
  assert.ok(!pod.includes('Role'));
  assert.deepEqual(kindsReadBy(control('PAL-RBAC-006')), ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
  assert.ok(kindsReadBy(control('PAL-RBAC-010')).includes('Secret'), 'legacy token Secrets');
  assert.ok(kindsReadBy(control('PAL-NET-001')).includes('Namespace'));
  const plan = coveragePlan([control('PAL-NET-004'), control('PAL-RBAC-002')]);
  assert.deepEqual(plan.kinds.map((k) => k.kind).sort(), ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service']);
});

test('an RBAC control that finds nothing on what it could read is not evaluated when Roles were forbidden', () => {
  const frameworks = builtinFrameworks();
  const cis = frameworks.get('cis-kubernetes')!;
  const gapped = judgeClusterResources('unit', harmless, [rolesForbidden], { controls, settings: SETTINGS, frameworks: [cis] });
  const full = judgeClusterResources('unit', harmless, [], { controls, settings: SETTINGS, frameworks: [cis] });
  const req = (r: typeof gapped, control: string) => r.frameworks[0]!.requirements.filter((q) => q.controls.includes(control));
  // Same findings either way: the gap changes what may be concluded, not what was seen.
  assert.deepEqual(gapped.findings, full.findings);
  const rbac004 = req(gapped, 'PAL-RBAC-004');
  assert.ok(rbac004.length > 0);
  assert.ok(req(full, 'PAL-RBAC-004').every((q) => q.status === 'pass' || q.status === 'partial'), 'passes when every kind was read');
  assert.ok(rbac004.every((q) => q.status === 'not-evaluated'), 'never passes on a partial view');
  assert.equal(gapped.diagnostics.filter((d) => d.code === 'PALISADE_CLUSTER_FORBIDDEN').length, 1);
  assert.equal(gapped.diagnostics[0]!.level, 'warning');
  assert.ok(gapped.gaps![0]!.controls.includes('PAL-RBAC-004'));
  assert.ok(!gapped.gaps![0]!.controls.includes('PAL-NET-004'));
  assert.ok(gapped.frameworks[0]!.counts['not-evaluated'] > full.frameworks[0]!.counts['not-evaluated']);
});

test('scoring: an incomplete control still fails its requirement on a finding, and only blocks a pass', () => {
  const fw = { id: 'x', title: 'X', version: '1', requirements: [{ id: 'r1', title: 'r1', assessment: 'automated' as const, controls: ['A'] }, { id: 'r2', title: 'r2', assessment: 'automated' as const, controls: ['B'] }] };
  const meta = (id: string) => ({ ...control('PAL-NET-004').meta, id });
  const runs = [
    { meta: meta('A'), severity: 'low' as const, evaluated: 3, failed: 1, excepted: 0 },
    { meta: meta('B'), severity: 'low' as const, evaluated: 3, failed: 0, excepted: 0 },
  ];
  assert.deepEqual(frameworkStatus(fw as never, runs).requirements.map((r) => r.status), ['fail', 'pass']);
  assert.deepEqual(frameworkStatus(fw as never, runs, new Set(['A', 'B'])).requirements.map((r) => r.status), ['fail', 'not-evaluated']);
});

test('owned workloads are left to their controller; pods of unread controllers and mirror pods stay', () => {
  const deploy = res({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'a', uid: 'd1' } });
  const rs = res({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'a', uid: 'r1', ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'd1', controller: true }] } });
  const pod = res({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1-x', namespace: 'a', uid: 'p1', ownerReferences: [{ kind: 'ReplicaSet', name: 'web-1', uid: 'r1', controller: true }] } });
  const orphan = res({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'job-x', namespace: 'a', uid: 'p2', ownerReferences: [{ kind: 'Job', name: 'gone', uid: 'j-unread', controller: true }] } });
  const mirror = res({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'etcd-cp1', namespace: 'kube-system', uid: 'p3', ownerReferences: [{ kind: 'Node', name: 'cp1', uid: 'n1', controller: true }] } });
  const cm = res({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a', uid: 'c1', ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'd1', controller: true }] } });
  assert.deepEqual(withoutControlled([deploy, rs, pod, orphan, mirror, cm]).map((r) => r.name), ['web', 'job-x', 'etcd-cp1', 'c']);
});
