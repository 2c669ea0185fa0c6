import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPatch } from '../core/json-patch.js';
import { getAt } from '../core/path.js';
import type { K8sObject } from '../core/resource.js';
import { mergeSettings, MUTATIONS, type AdmissionSettings } from './config.js';
import { ContextCache } from './context-cache.js';
import { evaluate, reviewedResource } from './judge.js';
import { mutationsFor, type DigestSource } from './mutate.js';
import { parseReview } from './review.js';
import { admissionReview, judgeFromArgs, POD_SPEC_POINTER, SHA, workload, WORKLOAD_KINDS } from './test-support.js';

const ALL: Partial<AdmissionSettings> = {
  mutations: [...MUTATIONS],
  defaultResources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
};

async function mutate(object: K8sObject, settings: Partial<AdmissionSettings> = ALL, op: 'CREATE' | 'UPDATE' = 'CREATE', digests?: DigestSource) {
  const req = parseReview(admissionReview(op, object, { oldObject: op === 'UPDATE' ? object : undefined }));
  const result = await mutationsFor(req, reviewedResource(req, object), mergeSettings(settings), new ContextCache([], 0), digests);
  return { ...result, patched: applyPatch(object, result.ops) };
}

const at = (obj: unknown, pointer: string) => getAt(obj, pointer.split('/').slice(1));

describe('mutations', () => {
  const { judge } = judgeFromArgs(['--framework', 'pss-restricted']);

  for (const kind of WORKLOAD_KINDS) {
    it(`adds the safe defaults to a ${kind}, and the patch applies and passes more PSS checks`, async () => {
      const obj = workload(kind, { securityContext: { runAsUser: 1000 }, containers: [{ name: 'app', image: 'registry.example.com/app:1.0' }], initContainers: [{ name: 'init', image: 'busybox:1.36', resources: { limits: { memory: '64Mi' } } }] });
      const { ops, patched, applied } = await mutate(obj);
      assert.ok(ops.length > 0);
      assert.ok(ops.every((o) => o.op === 'add'), 'only additions');
      const ps = POD_SPEC_POINTER[kind];
      assert.deepEqual(at(patched, `${ps}/securityContext/seccompProfile`), { type: 'RuntimeDefault' });
      assert.equal(at(patched, `${ps}/securityContext/runAsUser`), 1000, 'what the user set stays');
      assert.equal(at(patched, `${ps}/securityContext/runAsNonRoot`), true);
      assert.equal(at(patched, `${ps}/containers/0/securityContext/allowPrivilegeEscalation`), false);
      assert.deepEqual(at(patched, `${ps}/containers/0/securityContext/capabilities/drop`), ['ALL']);
      assert.deepEqual(at(patched, `${ps}/containers/0/resources`), { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
      // The init container's own limit stays; no request is added beside it (the API copies the limit).
      assert.deepEqual(at(patched, `${ps}/initContainers/0/resources`), { limits: { memory: '64Mi' }, requests: { cpu: '100m' } });
      assert.equal(at(patched, `${ps}/automountServiceAccountToken`), kind === 'Pod' ? undefined : false);
      assert.ok(applied.includes('seccomp-runtime-default') && applied.includes('default-resources'));
      const before = evaluate(reviewedResource(parseReview(admissionReview('CREATE', obj)), obj), judge, undefined).findings.length;
      const after = evaluate(reviewedResource(parseReview(admissionReview('CREATE', patched)), patched), judge, undefined).findings;
      assert.ok(after.length < before, `${after.length} < ${before}`);
      assert.deepEqual(after.map((f) => f.controlId), [], 'restricted passes once the defaults are in');
    });
  }

  it('never overrides what the object sets', async () => {
    const obj = workload('Deployment', {
      securityContext: { seccompProfile: { type: 'Unconfined' } },
      automountServiceAccountToken: true,
      containers: [{ name: 'app', image: 'a:1', securityContext: { allowPrivilegeEscalation: true, runAsUser: 1000, capabilities: { drop: ['NET_RAW'] } }, resources: { requests: { memory: '1Gi' } } }],
    });
    const { ops, patched } = await mutate(obj);
    const ps = POD_SPEC_POINTER.Deployment;
    assert.deepEqual(at(patched, `${ps}/securityContext/seccompProfile`), { type: 'Unconfined' });
    assert.equal(at(patched, `${ps}/automountServiceAccountToken`), true);
    assert.equal(at(patched, `${ps}/containers/0/securityContext/allowPrivilegeEscalation`), true);
    assert.deepEqual(at(patched, `${ps}/containers/0/securityContext/capabilities/drop`), ['NET_RAW']);
    // A default limit under the container's own 1Gi request would make the object invalid.
    assert.equal(at(patched, `${ps}/containers/0/resources/limits`), undefined);
    assert.deepEqual(ops.map((o) => o.path), [`${ps}/securityContext/runAsNonRoot`, `${ps}/containers/0/resources/requests/cpu`]);
  });

  it('leaves alone what the API would reject or what could break the workload', async () => {
    const ps = POD_SPEC_POINTER.Pod;
    const privileged = await mutate(workload('Pod', { containers: [{ name: 'a', image: 'a:1', securityContext: { privileged: true } }, { name: 'b', image: 'b:1', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }] }));
    assert.equal(at(privileged.patched, `${ps}/containers/0/securityContext/allowPrivilegeEscalation`), undefined);
    assert.equal(at(privileged.patched, `${ps}/containers/1/securityContext/allowPrivilegeEscalation`), undefined);
    assert.equal(at(privileged.patched, `${ps}/containers/1/securityContext/capabilities/drop`), undefined, 'may run as root: keeps its capabilities');
    assert.equal(at(privileged.patched, `${ps}/securityContext/runAsNonRoot`), undefined, 'UID unknown');
    const windows = await mutate(workload('Pod', { os: { name: 'windows' }, containers: [{ name: 'a', image: 'a:1' }] }));
    assert.equal(at(windows.patched, `${ps}/securityContext`), undefined);
    assert.equal(at(windows.patched, `${ps}/containers/0/securityContext`), undefined);
  });

  it('mutates Pods and Jobs on CREATE only (their pod spec is immutable), other controllers on UPDATE too', async () => {
    const spec = { containers: [{ name: 'a', image: 'a:1' }] };
    assert.deepEqual((await mutate(workload('Pod', spec), ALL, 'UPDATE')).ops, []);
    assert.deepEqual((await mutate(workload('Job', spec), ALL, 'UPDATE')).ops, []);
    assert.ok((await mutate(workload('Deployment', spec), ALL, 'UPDATE')).ops.length > 0);
  });

  it('pins version tags to digests and leaves latest, untagged and pinned images alone', async () => {
    const asked: string[] = [];
    const digests: DigestSource = {
      resolve: async (ref) => {
        asked.push(`${ref.repository}:${ref.tag}`);
        if (ref.path === 'team/missing') throw new Error('tag 2.0 not found');
        return SHA;
      },
    };
    const obj = workload('Deployment', {
      containers: [
        { name: 'a', image: 'registry.example.com/team/app:1.4' },
        { name: 'b', image: 'nginx:latest' },
        { name: 'c', image: 'nginx' },
        { name: 'd', image: `nginx:1.27@${SHA}` },
        { name: 'e', image: 'registry.example.com/team/missing:2.0' },
      ],
    });
    const r = await mutate(obj, { registries: { ...mergeSettings({}).registries, resolveDigests: true } }, 'CREATE', digests);
    assert.deepEqual(asked.sort(), ['registry.example.com/team/app:1.4', 'registry.example.com/team/missing:2.0']);
    assert.deepEqual(r.ops, [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: `registry.example.com/team/app:1.4@${SHA}` }]);
    assert.deepEqual(r.applied, ['resolve-digests']);
    assert.match(r.warnings[0]!, /missing:2.0 of container "e" was not pinned: tag 2.0 not found/);
  });
});
