/** Audit events for tests, written for Palisade (not taken from any other project). */
import { toAuditEvent, type AuditEvent } from './event.js';

let seq = 0;

export function rawEvent(over: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/shop/pods',
    verb: 'create',
    user: { username: 'alice@example.com', groups: ['developers', 'system:authenticated'] },
    sourceIPs: ['10.0.0.7'],
    userAgent: 'kubectl/v1.30.1 (linux/amd64) kubernetes/abc1234',
    objectRef: { resource: 'pods', namespace: 'shop', name: 'web-1', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 201 },
    requestReceivedTimestamp: '2026-03-01T10:00:00.000000Z',
    stageTimestamp: '2026-03-01T10:00:00.123456Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by RoleBinding "dev/shop"' },
    ...over,
  };
}

export function podSpec(spec: Record<string, unknown>, name = 'web-1'): Record<string, unknown> {
  return { requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name }, spec }, responseObject: { kind: 'Pod', metadata: { name } } };
}

export function event(over: Record<string, unknown> = {}): AuditEvent {
  const e = toAuditEvent(rawEvent(over));
  if (typeof e === 'string') throw new Error(e);
  return e;
}

/** A small day in a cluster: each event is named for what the compatibility rules should do with it. */
export function scenario(): Record<string, Record<string, unknown>> {
  return {
    unapprovedImage: rawEvent({ stageTimestamp: '2026-03-01T10:00:01.000000001Z', ...podSpec({ containers: [{ name: 'app', image: 'evil.example.net/miner:1.0' }, { name: 'side', image: 'registry.example.com/platform/proxy:2' }] }, 'web-1') }),
    approvedImage: rawEvent({ stageTimestamp: '2026-03-01T10:00:02Z', ...podSpec({ containers: [{ name: 'app', image: 'registry.example.com/shop/web@sha256:' + 'a'.repeat(64) }, { name: 'n', image: 'docker.io/library/nginx:1.27' }] }, 'web-2') }),
    sandboxUnapproved: rawEvent({ stageTimestamp: '2026-03-01T10:00:03Z', objectRef: { resource: 'pods', namespace: 'sandbox', name: 'try' }, ...podSpec({ containers: [{ name: 'x', image: 'quay.io/someone/tool:latest' }] }, 'try') }),
    ciUnapproved: rawEvent({ stageTimestamp: '2026-03-01T10:00:04Z', objectRef: { resource: 'pods', namespace: 'ci', name: 'job' }, ...podSpec({ containers: [{ name: 'x', image: 'quay.io/someone/tool:latest' }] }, 'job') }),
    privilegedAgent: rawEvent({ stageTimestamp: '2026-03-01T10:00:05Z', user: { username: 'system:serviceaccount:kube-system:daemon-set-controller' }, objectRef: { resource: 'pods', namespace: 'kube-system', name: 'agent-x' }, ...podSpec({ containers: [{ name: 'a', image: 'registry.example.com/platform/agent:3', securityContext: { privileged: true } }] }, 'agent-x') }),
    privilegedHostPath: rawEvent({ stageTimestamp: '2026-03-01T10:00:06Z', user: { username: 'mallory' }, ...podSpec({ containers: [{ name: 'a', image: 'registry.example.com/shop/web:1', securityContext: { privileged: true } }], volumes: [{ name: 'root', hostPath: { path: '/' } }, { name: 'tmp', emptyDir: {} }] }, 'debug') }),
    secretReadByUser: rawEvent({ stageTimestamp: '2026-03-01T10:00:07Z', verb: 'get', requestURI: '/api/v1/namespaces/shop/secrets/db', objectRef: { resource: 'secrets', namespace: 'shop', name: 'db' }, responseStatus: { code: 200 } }),
    secretReadForbidden: rawEvent({ stageTimestamp: '2026-03-01T10:00:08Z', verb: 'get', objectRef: { resource: 'secrets', namespace: 'shop', name: 'db' }, responseStatus: { code: 403, reason: 'Forbidden' } }),
    secretReadByVelero: rawEvent({ stageTimestamp: '2026-03-01T10:00:09Z', verb: 'list', user: { username: 'system:serviceaccount:backup:velero' }, objectRef: { resource: 'secrets', namespace: 'shop' }, responseStatus: { code: 200 } }),
    execStarted: rawEvent({ stageTimestamp: '2026-03-01T10:00:10Z', stage: 'ResponseStarted', requestURI: '/api/v1/namespaces/shop/pods/web-1/exec?command=sh&command=-c&container=app&stdin=true', objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-1' }, responseStatus: { code: 101 } }),
    execCompleted: rawEvent({ stageTimestamp: '2026-03-01T10:00:11Z', requestURI: '/api/v1/namespaces/shop/pods/web-1/exec?command=sh', objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-1' }, responseStatus: { code: 101 } }),
    clusterAdminBinding: rawEvent({ stageTimestamp: '2026-03-01T10:00:12Z', requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', objectRef: { resource: 'clusterrolebindings', name: 'oops', apiGroup: 'rbac.authorization.k8s.io' }, requestObject: { kind: 'ClusterRoleBinding', roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'mallory' }] } }),
    anonymousAllowed: rawEvent({ stageTimestamp: '2026-03-01T10:00:13Z', verb: 'get', requestURI: '/api/v1/nodes', user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, sourceIPs: ['203.0.113.9', '10.0.0.1'], objectRef: { resource: 'nodes' }, responseStatus: { code: 200 }, annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "open"' } }),
    anonymousHealthz: rawEvent({ stageTimestamp: '2026-03-01T10:00:14Z', verb: 'get', requestURI: '/healthz', user: { username: 'system:anonymous' }, objectRef: undefined, responseStatus: { code: 200 } }),
    nodePort: rawEvent({ stageTimestamp: '2026-03-01T10:00:15Z', verb: 'update', objectRef: { resource: 'services', namespace: 'shop', name: 'web' }, requestObject: { kind: 'Service', spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] } } }),
    unapprovedImageAgain: rawEvent({ stageTimestamp: '2026-03-01T10:00:30Z', ...podSpec({ containers: [{ name: 'app', image: 'evil.example.net/miner:1.0' }, { name: 'side', image: 'registry.example.com/platform/proxy:2' }] }, 'web-1') }),
  };
}
