import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AuditDetector, loadAuditRules } from '../audit/detector.js';
import { toAuditEvent, type AuditEvent } from '../audit/event.js';
import { scenario } from '../audit/test-events.js';
import { auditRecordsFromValue, expandAuditValue, normalizeCloudRecord, objectRefFromResourceName } from './cloud.js';
import { RULES_FILE } from './test-support.js';

const detector = new AuditDetector(loadAuditRules([{ name: 'rules.yaml', text: readFileSync(RULES_FILE, 'utf8') }]).rules);
const events = scenario();

function only(value: unknown): AuditEvent {
  const items = expandAuditValue(value);
  assert.equal(items.length, 1);
  const c = items[0]!;
  assert.ok('event' in c, JSON.stringify(c));
  const ev = toAuditEvent(c.event);
  assert.notEqual(typeof ev, 'string', String(ev));
  return ev as AuditEvent;
}

// Shapes written from the providers' documentation of their export formats.
const gkeEntry = {
  insertId: '1a2b3c4d',
  logName: 'projects/shop-prod/logs/cloudaudit.googleapis.com%2Factivity',
  operation: { id: '5f1d0e2a-7c1b-4a52-9a3e-1234567890ab', producer: 'k8s.io', first: true, last: true },
  protoPayload: {
    '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
    authenticationInfo: { principalEmail: 'mallory@example.com' },
    authorizationInfo: [{ granted: true, permission: 'io.k8s.core.v1.pods.create', resource: 'core/v1/namespaces/shop/pods/miner' }],
    methodName: 'io.k8s.core.v1.pods.create',
    requestMetadata: { callerIp: '203.0.113.7', callerSuppliedUserAgent: 'kubectl/v1.30.1' },
    resourceName: 'core/v1/namespaces/shop/pods/miner',
    serviceName: 'k8s.io',
    status: { code: 0 },
    request: { '@type': 'core.k8s.io/v1.Pod', apiVersion: 'v1', kind: 'Pod', metadata: { name: 'miner' }, spec: { containers: [{ name: 'm', image: 'evil.example.net/miner:1.0' }] } },
    response: { '@type': 'core.k8s.io/v1.Pod', kind: 'Pod', metadata: { name: 'miner', namespace: 'shop' } },
  },
  receiveTimestamp: '2026-03-01T10:00:01.2Z',
  resource: { type: 'k8s_cluster', labels: { cluster_name: 'prod', location: 'europe-west1', project_id: 'shop-prod' } },
  labels: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  severity: 'NOTICE',
  timestamp: '2026-03-01T10:00:01.123456Z',
};

describe('managed-cloud audit records', () => {
  it('GKE: maps an AuditLog entry to an Event the rules alert on', () => {
    const ev = only(gkeEntry);
    assert.equal(ev.raw.verb, 'create');
    assert.deepEqual(ev.raw.objectRef, { apiVersion: 'v1', namespace: 'shop', resource: 'pods', name: 'miner' });
    assert.deepEqual(ev.raw.user, { username: 'mallory@example.com' });
    assert.deepEqual(ev.raw.sourceIPs, ['203.0.113.7']);
    assert.equal(ev.raw.requestURI, '/api/v1/namespaces/shop/pods/miner');
    assert.deepEqual(ev.raw.responseStatus, { metadata: {}, code: 200 });
    assert.equal(ev.time, '2026-03-01T10:00:01.123456000Z');
    assert.deepEqual(detector.matches(ev).map((r) => r.name), ['Pod With Unapproved Image']);
    const denied = only({ ...gkeEntry, protoPayload: { ...gkeEntry.protoPayload, status: { code: 7, message: 'forbidden' } } });
    assert.equal((denied.raw.responseStatus as { code: number }).code, 403);
  });

  it('GKE: reads resource names of groups, cluster-scoped objects and subresources', () => {
    assert.deepEqual(objectRefFromResourceName('rbac.authorization.k8s.io/v1/clusterrolebindings/oops'), { apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'clusterrolebindings', name: 'oops' });
    assert.deepEqual(objectRefFromResourceName('core/v1/namespaces/shop/pods/web-1/exec'), { apiVersion: 'v1', namespace: 'shop', resource: 'pods', name: 'web-1', subresource: 'exec' });
    assert.deepEqual(objectRefFromResourceName('core/v1/namespaces/shop'), { apiVersion: 'v1', resource: 'namespaces', name: 'shop' });
  });

  it('EKS: unwraps CloudWatch records and subscription payloads (message is the Event as JSON text)', () => {
    const record = { timestamp: 1772359212000, message: JSON.stringify(events.clusterAdminBinding), logStream: 'kube-apiserver-audit-0123456789abcdef', ingestionTime: 1772359213000 };
    const ev = only(record);
    assert.deepEqual(detector.matches(ev).map((r) => r.name), ['Binding To Cluster Admin']);
    const sub = { messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: '/aws/eks/prod/cluster', logStream: 'kube-apiserver-audit-0', logEvents: [{ id: '1', timestamp: 1, message: JSON.stringify(events.secretReadByUser) }, { id: '2', timestamp: 2, message: 'not json' }] };
    const items = normalizeCloudRecord(sub)!;
    assert.equal(items.provider, 'eks');
    assert.equal((items.items[0] as { event: { auditID: string } }).event.auditID, events.secretReadByUser!.auditID);
    assert.match((items.items[1] as { error: string }).error, /logEvents\[1\]\.message is not JSON/);
  });

  it('AKS: unwraps diagnostic records (properties.log), one or a records list', () => {
    const rec = (e: unknown) => ({ category: 'kube-audit', operationName: 'Microsoft.ContainerService/managedClusters/diagnosticLogs/Read', resourceId: '/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/PROD', time: '2026-03-01T10:00:13Z', properties: { log: JSON.stringify(e), pod: 'kube-apiserver-abc', stream: 'stdout' } });
    assert.deepEqual(detector.matches(only(rec(events.anonymousAllowed))).map((r) => r.name), ['Anonymous Request Allowed']);
    const list = expandAuditValue({ records: [rec(events.execStarted), rec(events.nodePort)] });
    assert.equal(list.length, 2);
    assert.ok(list.every((x) => 'event' in x && typeof toAuditEvent(x.event) !== 'string'));
  });

  it('leaves Events, EventLists and unknown objects to the caller', () => {
    assert.equal(normalizeCloudRecord(events.execStarted), undefined);
    assert.equal(expandAuditValue({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [events.execStarted, events.nodePort] }).length, 2);
    assert.deepEqual(expandAuditValue({ kind: 'EventList' }), [{ error: 'EventList without an items list' }]);
  });

  it('gives the reader\'s records (events and located diagnostics) for a JSON-lines export of mixed records', () => {
    const file = [
      JSON.stringify(gkeEntry),
      JSON.stringify({ timestamp: 1, message: JSON.stringify(events.clusterAdminBinding), logStream: 'kube-apiserver-audit-0' }),
      JSON.stringify({ category: 'kube-audit', properties: { log: JSON.stringify(events.anonymousAllowed) } }),
      JSON.stringify({ timestamp: 2, message: '{"truncated', logStream: 'kube-apiserver-audit-0' }),
      JSON.stringify(events.execStarted),
    ];
    const records = file.flatMap((text, i) => [...auditRecordsFromValue(JSON.parse(text), 'export.jsonl', i + 1)]);
    const rules = records.flatMap((r) => ('event' in r ? detector.matches(r.event).map((m) => m.name) : []));
    assert.deepEqual(rules, ['Pod With Unapproved Image', 'Binding To Cluster Admin', 'Anonymous Request Allowed', 'Exec Into Pod']);
    const diags = records.filter((r) => 'diagnostic' in r).map((r) => ('diagnostic' in r ? `${r.diagnostic.line}: ${r.diagnostic.message}` : ''));
    assert.equal(diags.length, 1);
    assert.match(diags[0]!, /^4: line 4: message is not JSON/);
  });
});
