import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditDetector, loadAuditRules } from '../audit/detector.js';
import { event, podSpec } from '../audit/test-events.js';
import type { AuditEvent } from '../audit/event.js';
import { parseCondition } from './condition.js';

/** Compiles `condition` as the only rule (with optional extra items) and tests it on `ev`. */
function holds(condition: string, ev: AuditEvent, items = ''): boolean {
  const text = `${items}\n- rule: R\n  desc: d\n  condition: ${JSON.stringify(condition)}\n  output: o\n  priority: info\n  source: k8s_audit\n`;
  const loaded = loadAuditRules([{ name: 't.yaml', text }]);
  const errors = loaded.diagnostics.filter((d) => d.level === 'error');
  assert.deepEqual(errors, [], condition);
  return new AuditDetector(loaded.rules, { hostname: 'h' }).matches(ev).length === 1;
}

const pod = event({
  requestURI: '/api/v1/namespaces/shop/pods?dryRun=All&fieldManager=kubectl',
  ...podSpec({
    containers: [
      { name: 'a', image: 'registry.example.com/shop/web:1.2', securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] } } },
      { name: 'b', image: 'docker.io/library/nginx', securityContext: { runAsUser: 1000 } },
    ],
    volumes: [{ name: 'logs', hostPath: { path: '/var/log/pods' } }],
  }),
});

describe('condition operators', () => {
  const cases: [string, boolean][] = [
    ['ka.verb = create', true],
    ['ka.verb == create', true],
    ['ka.verb=create', true],
    ['ka.verb != create', false],
    ['ka.verb != delete', true],
    ['ka.target.namespace < t', true],
    ['ka.target.namespace <= shop', true],
    ['ka.target.namespace > shop', false],
    ['ka.target.namespace >= sho', true],
    ['ka.response.code >= 200', true],
    ['jevt.rawtime > 1000', true],
    ['jevt.rawtime < 1000', false],
    ['ka.user.name contains example', true],
    ['ka.user.name icontains EXAMPLE', true],
    ['ka.user.name contains EXAMPLE', false],
    ['ka.user.name bcontains 40', true],
    ['ka.user.name bstartswith 616c', true],
    ['ka.user.name startswith alice', true],
    ['ka.user.name endswith .com', true],
    ['ka.verb in (get, create)', true],
    ['ka.verb in (get, list)', false],
    ['ka.verb in ("create")', true],
    ['ka.verb intersects (create)', true],
    ['ka.req.pod.containers.image.repository in (registry.example.com/shop/web, docker.io/library/nginx)', true],
    ['ka.req.pod.containers.image.repository in (registry.example.com/shop/web)', false],
    ['ka.req.pod.containers.image.repository intersects (registry.example.com/shop/web)', true],
    ['jevt.value[/requestObject/spec/volumes/0/hostPath/path] pmatch (/var/log)', true],
    ['jevt.value[/requestObject/spec/volumes/0/hostPath/path] pmatch (/var/lo)', false],
    ['jevt.value[/requestObject/spec/volumes/0/hostPath/path] pmatch (/etc, /var/log/pods)', true],
    ['ka.uri pmatch (/api/v1)', true],
    ['ka.uri pmatch (/api/v)', false],
    ['ka.uri glob "/api/v1/namespaces/*/pods*"', true],
    ['ka.uri glob "/api/v1/namespaces/?/pods*"', false],
    ['ka.user.name iglob "ALICE@*"', true],
    ['ka.user.name regex "[a-z]+@example\\.com"', true],
    ['ka.user.name regex "example"', false],
    ['ka.impuser.name exists', false],
    ['ka.user.name exists', true],
    ['not ka.impuser.name = bob', true],
    ['ka.impuser.name != bob', false],
    ['ka.req.pod.containers.privileged intersects (true)', true],
    ['ka.req.pod.containers.add_capabilities intersects (SYS_TIME)', true],
    ['ka.req.pod.containers.image intersects (docker.io/library/nginx)', true],
    ['ka.req.pod.containers.image[1] in (docker.io/library/nginx)', true],
    ['ka.req.pod.containers.image[0] in (docker.io/library/nginx)', false],
    ['ka.req.pod.containers.image exists', true],
    ['len(ka.req.pod.containers.image) = 2', true],
    ['ka.uri.param[dryRun] = All', true],
    ['ka.uri.param[missing] exists', false],
    ['jevt.value[/objectRef/namespace] = shop', true],
    ['jevt.value[/user/groups/0] = developers', true],
    ['jevt.value[/responseStatus/code] = 201', true],
  ];
  for (const [cond, want] of cases) it(`${cond} → ${want}`, () => assert.equal(holds(cond, pod), want));
});

describe('transformers and field comparisons', () => {
  const ev = event({ user: { username: 'Alice', groups: ['a', 'b'] }, impersonatedUser: { username: 'alice' }, requestURI: '/api/v1/namespaces/shop/configmaps/app', objectRef: { resource: 'configmaps', namespace: 'shop', name: 'YWxpY2U=' } });
  const cases: [string, boolean][] = [
    ['tolower(ka.user.name) = alice', true],
    ['toupper(ka.user.name) = ALICE', true],
    ['b64(ka.target.name) = alice', true],
    ['basename(ka.uri) = app', true],
    ['len(ka.user.name) = 5', true],
    ['len(ka.user.groups) = 2', true],
    ['len(ka.user.name) > 9', false],
    ['len(ka.impuser.name) exists', true],
    ['tolower(b64(ka.target.name)) = alice', true],
    ['ka.impuser.name = val(ka.user.name)', false],
    ['ka.impuser.name = val(tolower(ka.user.name))', true],
    ['tolower(ka.user.name) = val(ka.impuser.name)', true],
  ];
  for (const [cond, want] of cases) it(`${cond} → ${want}`, () => assert.equal(holds(cond, ev), want));
});

describe('logic, macros and lists', () => {
  const items = `
- list: readers
  items: [get, list]
- list: all_verbs
  items: [readers, create, "watch"]
- macro: is_pod
  condition: ka.target.resource = pods
- macro: is_create
  condition: ka.verb in (all_verbs) and not ka.verb in (readers)
- macro: created_pod
  condition: is_pod and is_create
`;
  it('not binds tighter than and, and tighter than or', () => {
    assert.equal(holds('ka.verb = get or ka.verb = create and ka.target.resource = pods', pod), true);
    assert.equal(holds('(ka.verb = get or ka.verb = create) and ka.target.resource = secrets', pod), false);
    assert.equal(holds('not ka.verb = get and ka.verb = create', pod), true);
    assert.equal(holds('not (ka.verb = create and ka.target.resource = pods)', pod), false);
    assert.equal(holds('not not ka.verb = create', pod), true);
  });
  it('macros nest and lists include lists', () => {
    assert.equal(holds('created_pod', pod, items), true);
    assert.equal(holds('is_pod and ka.verb in (readers)', pod, items), false);
    assert.equal(holds('ka.verb in (all_verbs)', pod, items), true);
    assert.equal(holds('ka.verb in ("readers", create)', pod, items), true);
  });
  it('a later definition of a macro or list replaces the earlier one', () => {
    const later = `${items}\n- macro: is_pod\n  condition: ka.target.resource = secrets\n- list: readers\n  items: [create]\n`;
    assert.equal(holds('is_pod', pod, later), false);
    assert.equal(holds('ka.verb in (readers)', pod, later), true);
  });
  it('parses into the documented shape', () => {
    assert.deepEqual(parseCondition('a and not (b or c)'), {
      kind: 'and',
      pos: 0,
      children: [
        { kind: 'macro', name: 'a', pos: 0 },
        { kind: 'not', pos: 6, child: { kind: 'or', pos: 11, children: [{ kind: 'macro', name: 'b', pos: 11 }, { kind: 'macro', name: 'c', pos: 16 }] } },
      ],
    });
  });
});
