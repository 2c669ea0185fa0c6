import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { K8sObject } from '../../core/resource.js';
import { makeResource } from '../../core/resource.js';
import { podSpecOf } from '../../inventory/inventory.js';
import { controlPlaneContainers, isLoopback, parseGoBool, parseGoDuration } from './flags.js';
import { admissionPlugin } from './admission-plugins.js';
import { staticPod } from './__fixtures__/static-pods.js';

function components(yaml: string) {
  const r = makeResource(parse(yaml) as K8sObject, { type: 'cluster', cluster: 'test' });
  const ps = podSpecOf(r);
  assert.ok(ps, 'a pod spec');
  return controlPlaneContainers(ps);
}

function pod(container: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: kube-system}\nspec:\n  containers:\n${container}`;
}

describe('control-plane flag parsing', () => {
  it('recognises each component by command[0], also by absolute path', () => {
    assert.equal(components(staticPod('kube-apiserver', []))[0]?.component, 'kube-apiserver');
    assert.equal(components(staticPod('etcd', []))[0]?.component, 'etcd');
    const f = components(pod('    - {name: cm, image: example/cm:1, command: [/usr/local/bin/kube-controller-manager, --profiling=false]}\n'));
    assert.equal(f[0]?.component, 'kube-controller-manager');
    assert.equal(f[0]?.bool('profiling'), false);
  });

  it('leaves ordinary containers alone, including lookalike images and binaries', () => {
    assert.equal(components(pod('    - {name: web, image: nginx:1.27, command: [nginx, -g, "daemon off;"]}\n')).length, 0);
    assert.equal(components(pod('    - {name: backup, image: registry.k8s.io/etcd:3.5.16-0, command: [etcdctl, snapshot, save, /b/s.db]}\n')).length, 0);
    assert.equal(components(pod('    - {name: op, image: quay.io/coreos/etcd-operator:v0.9.4}\n')).length, 0);
    assert.equal(components(pod('    - {name: sh, image: busybox:1.36, command: [sh, -c, "echo kube-apiserver-ish"]}\n')).length, 0);
  });

  it('recognises a component by image (or container name) when there is no command, reading flags from args', () => {
    const f = components(pod('    - name: api\n      image: registry.k8s.io/kube-apiserver-amd64:v1.31.0@sha256:0123\n      args: [--profiling=false]\n'))[0];
    assert.equal(f?.component, 'kube-apiserver');
    assert.deepEqual(f?.get('profiling')?.path, ['spec', 'containers', 0, 'args', 0]);
    assert.equal(components(pod('    - {name: etcd, image: example.com/mirror/kv:3.5}\n'))[0]?.component, 'etcd');
  });

  it('reads --name=value, --name value, bare booleans and single-dash flags with the path of each item', () => {
    const f = components(staticPod('etcd', ['--name', 'cp-1', '--client-cert-auth', 'stray', '-peer-auto-tls=false', '--auto-tls']))[0]!;
    assert.equal(f.get('name')?.value, 'cp-1');
    assert.deepEqual(f.get('name')?.path, ['spec', 'containers', 0, 'command', 1]);
    assert.deepEqual(f.get('name')?.valuePath, ['spec', 'containers', 0, 'command', 2]);
    // A boolean never takes the next item as its value.
    assert.equal(f.bool('client-cert-auth'), true);
    assert.equal(f.get('client-cert-auth')?.form, 'bare');
    assert.equal(f.bool('peer-auto-tls'), false);
    assert.equal(f.bool('auto-tls'), true);
  });

  it('lets the last occurrence of a scalar win and appends repeated list flags', () => {
    const f = components(staticPod('kube-apiserver', ['--profiling=true', '--enable-admission-plugins=NodeRestriction', '--profiling=false', '--enable-admission-plugins=EventRateLimit,AlwaysPullImages']))[0]!;
    assert.equal(f.bool('profiling'), false);
    assert.deepEqual(f.list('enable-admission-plugins').map((i) => [i.value, i.path[4]]), [['NodeRestriction', 2], ['EventRateLimit', 4], ['AlwaysPullImages', 4]]);
  });

  it('reads feature gates', () => {
    const f = components(staticPod('kube-controller-manager', ['--feature-gates=A=true,RotateKubeletServerCertificate=false', '--feature-gates=B=true']))[0]!;
    assert.equal(f.featureGate('RotateKubeletServerCertificate')?.value, false);
    assert.equal(f.featureGate('B')?.value, true);
    assert.equal(f.featureGate('Missing'), undefined);
  });

  it('reads hyperkube and sh -c command lines', () => {
    const h = components(pod('    - {name: api, image: k8s.gcr.io/hyperkube:v1.16.15, command: [/hyperkube, kube-apiserver, --anonymous-auth=false]}\n'))[0]!;
    assert.equal(h.component, 'kube-apiserver');
    assert.equal(h.bool('anonymous-auth'), false);
    const s = components(pod('    - name: api\n      image: example/api:1\n      command: [/bin/sh, -c]\n      args:\n        - exec /usr/local/bin/kube-apiserver --profiling=false \\\n          --authorization-mode=Node,RBAC && echo done\n'))[0]!;
    assert.equal(s.component, 'kube-apiserver');
    assert.equal(s.bool('profiling'), false);
    assert.deepEqual(s.list('authorization-mode').map((i) => i.value), ['Node', 'RBAC']);
    assert.deepEqual(s.get('profiling')?.path, ['spec', 'containers', 0, 'args', 0]);
    // A script cannot be patched piecewise.
    assert.equal(s.appendFix('profiling', 'false'), undefined);
    assert.equal(s.replaceFix(s.get('profiling')!, 'true'), undefined);
  });

  it('falls back to ETCD_* variables for etcd only', () => {
    const e = components(pod('    - name: etcd\n      image: registry.k8s.io/etcd:3.5.16-0\n      command: [etcd]\n      env:\n        - {name: ETCD_CLIENT_CERT_AUTH, value: "true"}\n'))[0]!;
    assert.equal(e.bool('client-cert-auth'), true);
    assert.deepEqual(e.get('client-cert-auth')?.path, ['spec', 'containers', 0, 'env', 0, 'value']);
    const a = components(pod('    - name: api\n      image: registry.k8s.io/kube-apiserver:v1.31.0\n      command: [kube-apiserver]\n      env:\n        - {name: ETCD_PROFILING, value: "false"}\n'))[0]!;
    assert.equal(a.get('profiling'), undefined);
  });

  it('works out whether an admission plugin runs', () => {
    const f = components(staticPod('kube-apiserver', ['--enable-admission-plugins=NodeRestriction', '--disable-admission-plugins=ServiceAccount']))[0]!;
    assert.equal(admissionPlugin(f, 'NodeRestriction').how, 'listed');
    assert.equal(admissionPlugin(f, 'NamespaceLifecycle').how, 'default');
    assert.equal(admissionPlugin(f, 'ServiceAccount').how, 'disabled');
    assert.equal(admissionPlugin(f, 'EventRateLimit').how, 'absent');
    const legacy = components(staticPod('kube-apiserver', ['--admission-control=NamespaceLifecycle,AlwaysAdmit']))[0]!;
    assert.equal(admissionPlugin(legacy, 'ServiceAccount').how, 'absent');
    assert.equal(admissionPlugin(legacy, 'AlwaysAdmit').how, 'listed');
  });

  it('parses Go booleans, durations and loopback addresses', () => {
    assert.equal(parseGoBool('True'), true);
    assert.equal(parseGoBool('0'), false);
    assert.equal(parseGoBool('yes'), undefined);
    assert.equal(parseGoDuration('1m30s'), 90);
    assert.equal(parseGoDuration('300ms'), 0.3);
    assert.equal(parseGoDuration('2h'), 7200);
    assert.equal(parseGoDuration('60'), undefined);
    assert.ok(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('[::1]') && !isLoopback('0.0.0.0') && !isLoopback('10.0.0.1'));
  });

  it('caches the result per pod spec', () => {
    const r = makeResource(parse(staticPod('kube-scheduler', [])) as K8sObject, { type: 'cluster', cluster: 'test' });
    const ps = podSpecOf(r)!;
    assert.equal(controlPlaneContainers(ps), controlPlaneContainers(ps));
  });

  it('answers for each pod spec when several are asked about in turns', () => {
    const spec = (yaml: string) => podSpecOf(makeResource(parse(yaml) as K8sObject, { type: 'cluster', cluster: 'test' }))!;
    const scheduler = spec(staticPod('kube-scheduler', []));
    const web = spec(pod('    - {name: web, image: nginx:1.27}\n'));
    const etcd = spec(staticPod('etcd', []));
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(controlPlaneContainers(scheduler).map((f) => f.component), ['kube-scheduler']);
      assert.equal(controlPlaneContainers(web).length, 0);
      assert.deepEqual(controlPlaneContainers(etcd).map((f) => f.component), ['etcd']);
      assert.equal(controlPlaneContainers(web).length, 0);
    }
  });
});
