import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FieldValue } from '../rules-lang/fields.js';
import { parseTimestamp, toAuditEvent } from './event.js';
import { K8S_AUDIT_FIELDS } from './fields.js';
import { event, podSpec } from './test-events.js';
import type { AuditEvent } from './event.js';

function f(name: string, ev: AuditEvent, arg?: string): FieldValue {
  const def = K8S_AUDIT_FIELDS.get(name);
  assert.ok(def, `field ${name} is defined`);
  return def.bind(arg)(ev);
}

const pod = event({
  impersonatedUser: { username: 'bob' },
  requestURI: '/api/v1/namespaces/shop/pods?fieldManager=kubectl-client-side-apply&dryRun=All',
  responseStatus: { code: 201 },
  ...podSpec({
    hostIPC: true,
    hostNetwork: false,
    hostPID: true,
    securityContext: { runAsUser: 2000, runAsGroup: 3000, fsGroup: 4000, supplementalGroups: [5, 6] },
    containers: [
      { name: 'a', image: 'registry.example.com:5000/shop/web:1.2', ports: [{ containerPort: 8080 }, { containerPort: 53, hostPort: 5353 }], securityContext: { privileged: true, allowPrivilegeEscalation: true, readOnlyRootFilesystem: false, runAsUser: 0, procMount: 'Unmasked', capabilities: { add: ['NET_ADMIN'] } } },
      { name: 'b', image: 'nginx@sha256:abcd', securityContext: { runAsGroup: 7 } },
    ],
    volumes: [{ name: 'h', hostPath: { path: '/var/run/docker.sock', type: 'Socket' } }, { name: 'c', configMap: { name: 'cfg' } }, { name: 'f', flexVolume: { driver: 'vendor/driver' } }],
  }),
});

describe('ka.* fields', () => {
  it('reads the request metadata', () => {
    assert.equal(f('ka.auditid', pod), pod.raw.auditID);
    assert.equal(f('ka.stage', pod), 'ResponseComplete');
    assert.equal(f('ka.auth.decision', pod), 'allow');
    assert.equal(f('ka.auth.reason', pod), 'RBAC: allowed by RoleBinding "dev/shop"');
    assert.equal(f('ka.user.name', pod), 'alice@example.com');
    assert.deepEqual(f('ka.user.groups', pod), ['developers', 'system:authenticated']);
    assert.equal(f('ka.impuser.name', pod), 'bob');
    assert.equal(f('ka.verb', pod), 'create');
    assert.equal(f('ka.uri', pod), '/api/v1/namespaces/shop/pods?fieldManager=kubectl-client-side-apply&dryRun=All');
    assert.equal(f('ka.uri.param', pod, 'dryRun'), 'All');
    assert.equal(f('ka.uri.param', pod, 'nope'), undefined);
    const q = (uri: string, key: string) => f('ka.uri.param', event({ requestURI: uri }), key);
    assert.equal(q('/api/v1/namespaces/shop/pods/web-1/exec?command=%2Fbin%2Fsh&command=-c&container=app', 'command'), '/bin/sh');
    assert.equal(q('/x?label=a+b&empty=&flag', 'label'), 'a b');
    assert.equal(q('/x?label=a+b&empty=&flag', 'empty'), '');
    assert.equal(q('/x?label=a+b&empty=&flag', 'flag'), '');
    assert.equal(q('/x?a=1#b=2', 'b'), undefined);
    // Go's parser rejects ';' and bad escapes, which leaves the plugin without a value.
    assert.equal(q('/x?a=1;b=2', 'a'), undefined);
    assert.equal(q('/x?a=1&b=%zz', 'a'), undefined);
    assert.equal(f('ka.target.name', pod), 'web-1');
    assert.equal(f('ka.target.namespace', pod), 'shop');
    assert.equal(f('ka.target.resource', pod), 'pods');
    assert.equal(f('ka.target.subresource', pod), undefined);
    assert.equal(f('ka.resp.name', pod), 'web-1');
    assert.equal(f('ka.response.code', pod), '201');
    assert.equal(f('ka.response.reason', pod), undefined);
    assert.equal(f('ka.useragent', pod), 'kubectl/v1.30.1 (linux/amd64) kubernetes/abc1234');
    assert.deepEqual(f('ka.sourceips', pod), ['10.0.0.7']);
    assert.deepEqual(f('ka.sourceips', pod, '0'), ['10.0.0.7']);
    assert.equal(f('ka.sourceips', pod, '3'), undefined);
  });

  it('reads pod specs as the k8saudit plugin does', () => {
    assert.deepEqual(f('ka.req.pod.containers.image', pod), ['registry.example.com:5000/shop/web:1.2', 'nginx@sha256:abcd']);
    assert.deepEqual(f('ka.req.pod.containers.image', pod, '1'), ['nginx@sha256:abcd']);
    assert.equal(f('ka.req.pod.containers.image', pod, '2'), undefined);
    // The repository is cut at the first ':' — as the plugin does, so a registry port is lost.
    assert.deepEqual(f('ka.req.pod.containers.image.repository', pod), ['registry.example.com', 'nginx']);
    assert.equal(f('ka.req.container.image', pod), 'registry.example.com:5000/shop/web:1.2');
    assert.equal(f('ka.req.container.image.repository', pod), 'registry.example.com');
    assert.equal(f('ka.req.pod.host_ipc', pod), 'true');
    assert.equal(f('ka.req.pod.host_network', pod), 'false');
    assert.equal(f('ka.req.container.host_network', pod), 'false');
    assert.equal(f('ka.req.pod.host_pid', pod), 'true');
    assert.deepEqual(f('ka.req.pod.containers.host_port', pod), ['8080', '5353']);
    assert.deepEqual(f('ka.req.pod.containers.privileged', pod), ['true']);
    assert.equal(f('ka.req.container.privileged', pod), 'true');
    assert.deepEqual(f('ka.req.pod.containers.allow_privilege_escalation', pod), ['true']);
    assert.deepEqual(f('ka.req.pod.containers.read_only_fs', pod), ['false']);
    assert.equal(f('ka.req.pod.run_as_user', pod), '2000');
    assert.deepEqual(f('ka.req.pod.containers.run_as_user', pod), ['0']);
    assert.deepEqual(f('ka.req.pod.containers.eff_run_as_user', pod), ['0', '2000']);
    assert.equal(f('ka.req.pod.run_as_group', pod), '3000');
    assert.deepEqual(f('ka.req.pod.containers.run_as_group', pod), ['7']);
    assert.deepEqual(f('ka.req.pod.containers.eff_run_as_group', pod), ['3000', '7']);
    assert.deepEqual(f('ka.req.pod.containers.proc_mount', pod), ['Unmasked']);
    assert.deepEqual(f('ka.req.pod.containers.add_capabilities', pod), ['NET_ADMIN']);
    assert.equal(f('ka.req.pod.fs_group', pod), '4000');
    assert.deepEqual(f('ka.req.pod.supplemental_groups', pod), ['5', '6']);
    assert.deepEqual(f('ka.req.pod.volumes.hostpath', pod), ['/var/run/docker.sock']);
    assert.equal(f('ka.req.volume.hostpath', pod, '/var/run/docker.sock'), 'true');
    assert.equal(f('ka.req.volume.hostpath', pod, '/var/run*'), 'true');
    assert.equal(f('ka.req.volume.hostpath', pod, '/etc'), 'false');
    assert.deepEqual(f('ka.req.pod.volumes.flexvolume_driver', pod), ['vendor/driver']);
    assert.deepEqual(f('ka.req.pod.volumes.volume_type', pod), ['hostPath', 'configMap', 'flexVolume']);
  });

  it('reads RBAC, configmap and service requests', () => {
    const binding = event({ objectRef: { resource: 'clusterrolebindings', name: 'b' }, requestObject: { roleRef: { name: 'admin' }, subjects: [{ kind: 'Group', name: 'devs' }] } });
    assert.equal(f('ka.req.binding.role', binding), 'admin');
    assert.deepEqual(f('ka.req.binding.subjects', binding), ['{"kind":"Group","name":"devs"}']);
    assert.equal(f('ka.req.binding.subject.has_name', binding, 'anyone'), 'true');
    const role = event({ requestObject: { rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }, { nonResourceURLs: ['/metrics'], verbs: ['get'] }] } });
    assert.deepEqual(f('ka.req.role.rules.verbs', role), ['get', 'list', 'get']);
    assert.deepEqual(f('ka.req.role.rules.verbs', role, '1'), ['get']);
    assert.deepEqual(f('ka.req.role.rules.resources', role), ['secrets']);
    assert.deepEqual(f('ka.req.role.rules.apiGroups', role), ['']);
    assert.deepEqual(f('ka.req.role.rules.nonResourceURLs', role), ['/metrics']);
    assert.equal((f('ka.req.role.rules', role) as string[]).length, 2);
    const cm = event({ objectRef: { resource: 'configmaps', name: 'cfg' }, requestObject: { data: { password: 'x' } } });
    assert.equal(f('ka.req.configmap.name', cm), 'cfg');
    assert.equal(f('ka.req.configmap.obj', cm), '{"password":"x"}');
    const svc = event({ requestObject: { spec: { type: 'LoadBalancer', ports: [{ port: 443 }, { port: 80 }] } } });
    assert.equal(f('ka.req.service.type', svc), 'LoadBalancer');
    // One value, the whole ports array, as the plugin's recursive extraction gives it.
    assert.deepEqual(f('ka.req.service.ports', svc), ['[{"port":443},{"port":80}]']);
    assert.deepEqual(f('ka.req.service.ports', svc, '1'), ['[{"port":443},{"port":80}]']);
    assert.equal(f('ka.req.service.ports', event({ requestObject: { spec: { type: 'ClusterIP' } } })), undefined);
  });

  it('reads the binding subjects by kind', () => {
    const b = event({ objectRef: { resource: 'rolebindings', name: 'b' }, requestObject: { subjects: [
      { kind: 'User', name: 'ann' }, { kind: 'ServiceAccount', name: 'ci', namespace: 'build' }, { kind: 'Group', name: 'devs' }, { kind: 'User', name: 'ben' }, { kind: 'ServiceAccount', name: 'bot' },
    ] } });
    assert.deepEqual(f('ka.req.binding.subjects.user_names', b), ['ann', 'ben']);
    assert.deepEqual(f('ka.req.binding.subjects.serviceaccount_names', b), ['ci', 'bot']);
    assert.deepEqual(f('ka.req.binding.subjects.serviceaccount_ns_names', b), ['build:ci', ':bot']);
    assert.deepEqual(f('ka.req.binding.subjects.group_names', b), ['devs']);
    assert.equal(f('ka.req.binding.subjects.group_names', event({ requestObject: { subjects: [{ kind: 'User', name: 'x' }] } })), undefined);
  });

  it('reads init and ephemeral containers apart from containers, and container names, commands and args', () => {
    const p = event(podSpec({
      containers: [{ name: 'app', image: 'registry.example.com/app:1', command: ['/app'], args: ['--port', '80'], securityContext: { privileged: false } }, { name: 'side', image: 'proxy:2' }],
      initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'true'], ports: [{ containerPort: 9000 }], securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] } } }],
      ephemeralContainers: [{ name: 'dbg', image: 'alpine@sha256:ef', securityContext: { allowPrivilegeEscalation: true } }],
      securityContext: { runAsUser: 1000 },
    }));
    assert.deepEqual(f('ka.req.pod.containers.name', p), ['app', 'side']);
    assert.deepEqual(f('ka.req.pod.containers.privileged', p), ['false']);
    assert.deepEqual(f('ka.req.pod.containers.command', p), ['["/app"]']);
    assert.deepEqual(f('ka.req.pod.containers.args', p, '0'), ['["--port","80"]']);
    assert.equal(f('ka.req.pod.containers.args', p, '1'), undefined);
    assert.deepEqual(f('ka.req.pod.initContainers.name', p), ['init']);
    assert.deepEqual(f('ka.req.pod.initContainers.image', p), ['busybox:1.36']);
    assert.deepEqual(f('ka.req.pod.initContainers.image.repository', p), ['busybox']);
    assert.deepEqual(f('ka.req.pod.initContainers.command', p), ['["sh","-c","true"]']);
    assert.deepEqual(f('ka.req.pod.initContainers.privileged', p), ['true']);
    assert.deepEqual(f('ka.req.pod.initContainers.add_capabilities', p), ['SYS_ADMIN']);
    assert.deepEqual(f('ka.req.pod.initContainers.host_port', p), ['9000']);
    assert.deepEqual(f('ka.req.pod.initContainers.eff_run_as_user', p), ['0']);
    assert.deepEqual(f('ka.req.pod.containers.eff_run_as_user', p), ['1000', '1000']);
    assert.deepEqual(f('ka.req.pod.ephemeralContainers.image.repository', p), ['alpine']);
    assert.deepEqual(f('ka.req.pod.ephemeralContainers.allow_privilege_escalation', p), ['true']);
    assert.equal(f('ka.req.pod.ephemeralContainers.privileged', p), undefined);
    assert.equal(f('ka.req.pod.initContainers.image', pod), undefined);
  });

  it('reads the target pod, admission annotations and (never) the cluster name', () => {
    const exec = event({ objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-1' }, annotations: {
      'pod-security.kubernetes.io/audit-violations': 'would violate PodSecurity "restricted:latest"',
      'validation.policy.admission.k8s.io/validation_failure': '[{"message":"no"}]',
      'authentication.openshift.io/decision': 'deny',
      'authentication.openshift.io/username': 'kube:admin',
    } });
    assert.equal(f('ka.target.pod.name', exec), 'web-1');
    assert.equal(f('ka.target.pod.name', event({ objectRef: { resource: 'secrets', name: 's' } })), undefined);
    assert.equal(f('ka.security.pod.violations', exec), 'would violate PodSecurity "restricted:latest"');
    assert.equal(f('ka.validations.admission.policy.failure', exec), '[{"message":"no"}]');
    assert.equal(f('ka.auth.openshift.decision', exec), 'deny');
    assert.equal(f('ka.auth.openshift.username', exec), 'kube:admin');
    assert.equal(f('ka.cluster.name', exec), undefined);
  });

  it('reads jevt.* fields', () => {
    assert.equal(f('jevt.time', pod), '2026-03-01T10:00:00.123456000Z');
    assert.equal(f('jevt.rawtime', pod), '1772359200123456000');
    assert.equal(f('jevt.value', pod, '/user/username'), 'alice@example.com');
    assert.equal(f('jevt.value', pod, '/requestObject/spec/containers/1/name'), 'b');
    assert.equal(f('jevt.value', pod, '/annotations/authorization.k8s.io~1decision'), 'allow');
    assert.equal(f('jevt.value', pod, '/requestObject/spec/hostPID'), 'true');
    assert.equal(f('jevt.value', pod, '/nope'), undefined);
    assert.equal(JSON.parse(f('jevt.obj', pod) as string).auditID, pod.raw.auditID);
  });

  it('reads the generic evt.* time and source fields', () => {
    assert.equal(f('evt.rawtime', pod), '1772359200123456000');
    assert.equal(f('evt.time', pod), '10:00:00.123456000');
    assert.equal(f('evt.time.iso8601', pod), '2026-03-01T10:00:00.123456000Z');
    assert.equal(f('evt.datetime', pod), '2026-03-01 10:00:00.123456000');
    assert.equal(f('evt.source', pod), 'k8s_audit');
  });
});

describe('audit events', () => {
  it('keeps nanosecond precision and normalizes offsets to UTC', () => {
    const t = parseTimestamp('2026-03-01T12:00:00.5+02:00');
    assert.deepEqual({ time: t?.time, rawtime: t?.rawtime }, { time: '2026-03-01T10:00:00.500000000Z', rawtime: '1772359200500000000' });
    assert.equal(parseTimestamp('yesterday'), undefined);
  });
  it('accepts v1beta1 events, using timestamp when no stageTimestamp', () => {
    const e = toAuditEvent({ apiVersion: 'audit.k8s.io/v1beta1', kind: 'Event', auditID: 'x', timestamp: '2026-01-01T00:00:00Z', verb: 'get' });
    assert.equal(typeof e === 'object' && e.time, '2026-01-01T00:00:00.000000000Z');
  });
  it('rejects what is not an audit event', () => {
    assert.equal(toAuditEvent({ kind: 'Pod', apiVersion: 'v1' }), 'apiVersion v1 is not audit.k8s.io/v1 or audit.k8s.io/v1beta1');
    assert.equal(toAuditEvent({ verb: 'get', stageTimestamp: '2026-01-01T00:00:00Z' }), 'no auditID: not an audit Event');
    assert.equal(toAuditEvent([1]), 'not a JSON object');
  });
});
