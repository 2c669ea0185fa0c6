import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Inventory } from '../core/inventory.js';
import { DEFAULT_LIMITS, parseManifestText, type LoadResult } from '../sources/manifests.js';
import { buildInventory } from './inventory.js';
import { ANY_NAMESPACE, normaliseRule, rbacGraph, resourceMatches, nonResourceURLMatches, ruleAllows, type Subject } from './rbac-graph.js';

function inventory(yaml: string): Inventory {
  const out: LoadResult = { resources: [], diagnostics: [], files: 0 };
  parseManifestText(yaml, 'test.yaml', false, DEFAULT_LIMITS, out);
  assert.deepEqual(out.diagnostics.filter((d) => d.level === 'error'), []);
  return buildInventory(out.resources);
}

const sa = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', namespace, name });
const user = (name: string): Subject => ({ kind: 'User', name });
const group = (name: string): Subject => ({ kind: 'Group', name });

describe('rule matching', () => {
  const rule = (r: object) => normaliseRule(r);

  it('"*" resource covers subresources, "*/sub" covers one subresource of any resource, "pods/*" is literal', () => {
    assert.ok(resourceMatches(rule({ resources: ['*'] }), 'pods/exec'));
    assert.ok(resourceMatches(rule({ resources: ['*/exec'] }), 'pods/exec'));
    assert.ok(!resourceMatches(rule({ resources: ['*/exec'] }), 'pods'));
    assert.ok(!resourceMatches(rule({ resources: ['pods/*'] }), 'pods/exec'));
    assert.ok(!resourceMatches(rule({ resources: ['pods'] }), 'pods/exec'));
  });

  it('resourceNames allow only requests that name one of them', () => {
    const r = rule({ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'], resourceNames: ['tls'] });
    assert.ok(ruleAllows(r, { verb: 'get', group: '', resource: 'secrets', name: 'tls' }));
    assert.ok(!ruleAllows(r, { verb: 'get', group: '', resource: 'secrets', name: 'other' }));
    assert.ok(!ruleAllows(r, { verb: 'list', group: '', resource: 'secrets' }));
  });

  it('non-resource URLs match exactly, by "*", or by a prefix ending in "*"', () => {
    assert.ok(nonResourceURLMatches(rule({ nonResourceURLs: ['/apis/*'] }), '/apis/apps/v1'));
    assert.ok(nonResourceURLMatches(rule({ nonResourceURLs: ['*'] }), '/metrics'));
    assert.ok(!nonResourceURLMatches(rule({ nonResourceURLs: ['/version'] }), '/version/x'));
  });

  it('a missing field matches nothing', () => {
    assert.ok(!ruleAllows(rule({ resources: ['pods'], verbs: ['get'] }), { verb: 'get', group: '', resource: 'pods' }));
  });
});

describe('rbacGraph', () => {
  it('is built once per inventory', () => {
    const inv = inventory('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    assert.equal(rbacGraph(inv), rbacGraph(inv));
  });

  it('a ClusterRoleBinding to the built-in cluster-admin grants everything everywhere', () => {
    const g = rbacGraph(
      inventory(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
`),
    );
    const s = sa('ci', 'deployer');
    assert.ok(g.can(s, 'delete', '', 'nodes'));
    assert.ok(g.can(s, 'create', '', 'pods/exec', 'kube-system', 'etcd-0'));
    assert.ok(g.canNonResource(s, 'get', '/metrics'));
    assert.equal(g.role('ClusterRole', undefined, 'cluster-admin')?.builtin, true);
    assert.equal(g.bindingsFor(s).length, 1);
    assert.ok(!g.can(sa('ci', 'other'), 'get', '', 'pods', 'ci'));
  });

  it('a RoleBinding to a ClusterRole grants only namespaced resources of its namespace', () => {
    const g = rbacGraph(
      inventory(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
  - {apiGroups: [""], resources: [pods, nodes], verbs: [get]}
  - {nonResourceURLs: ["/metrics"], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
`),
    );
    const alice = user('alice');
    assert.ok(g.can(alice, 'get', '', 'pods', 'shop'));
    assert.ok(g.can(alice, 'get', '', 'pods', ANY_NAMESPACE));
    assert.ok(!g.can(alice, 'get', '', 'pods', 'billing'));
    assert.ok(!g.can(alice, 'get', '', 'pods'), 'not across all namespaces');
    assert.ok(!g.can(alice, 'get', '', 'nodes'), 'nodes are cluster-scoped');
    assert.ok(!g.canNonResource(alice, 'get', '/metrics'));
    assert.equal(g.rulesFor(alice)[0]!.namespace, 'shop');
  });

  it('resolves a Role in the binding\'s own namespace only, and a ClusterRoleBinding never to a Role', () => {
    const g = rbacGraph(
      inventory(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: a}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: same, namespace: a}
roleRef: {kind: Role, name: r}
subjects: [{kind: ServiceAccount, name: app}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: other, namespace: b}
roleRef: {kind: Role, name: r}
subjects: [{kind: ServiceAccount, name: app}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {kind: Role, name: r}
subjects: [{kind: Group, name: everyone}]
`),
    );
    assert.ok(g.can(sa('a', 'app'), 'get', '', 'configmaps', 'a'), 'SA subject without namespace is in the binding\'s namespace');
    assert.equal(g.bindings.find((b) => b.name === 'other')!.role, undefined);
    assert.ok(!g.can(sa('b', 'app'), 'get', '', 'configmaps', 'b'));
    assert.equal(g.bindings.find((b) => b.name === 'crb')!.role, undefined);
    assert.equal(g.bindingsOfRole(g.role('Role', 'a', 'r')!).length, 1);
  });

  it('applies implicit groups: service accounts, authenticated and unauthenticated users', () => {
    const g = rbacGraph(
      inventory(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ns-sas}
roleRef: {kind: ClusterRole, name: view}
subjects: [{kind: Group, name: "system:serviceaccounts:team-a"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: authn}
roleRef: {kind: ClusterRole, name: pvs}
subjects: [{kind: Group, name: "system:authenticated"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: anon}
roleRef: {kind: ClusterRole, name: health}
subjects: [{kind: Group, name: "system:unauthenticated"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pvs}
rules: [{apiGroups: [""], resources: [persistentvolumes], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: health}
rules: [{nonResourceURLs: ["/healthz"], verbs: [get]}]
`),
    );
    assert.ok(g.can(sa('team-a', 'x'), 'list', '', 'pods', 'anything'));
    assert.ok(!g.can(sa('team-b', 'x'), 'list', '', 'pods', 'anything'));
    assert.ok(g.can(sa('team-b', 'x'), 'list', '', 'persistentvolumes'), 'service accounts are authenticated');
    assert.ok(g.can(user('bob'), 'list', '', 'persistentvolumes'));
    assert.ok(!g.can(user('system:anonymous'), 'list', '', 'persistentvolumes'));
    assert.ok(g.canNonResource(user('system:anonymous'), 'get', '/healthz'));
    assert.ok(!g.canNonResource(user('bob'), 'get', '/healthz'));
    assert.ok(!g.can(group('team-a'), 'list', '', 'pods', 'team-a'), 'a group is only its own bindings');
  });

  it('answers per subject when grants of a shared group are memoized', () => {
    const g = rbacGraph(
      inventory(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all}
roleRef: {kind: ClusterRole, name: view}
subjects: [{kind: Group, name: "system:authenticated"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: one, namespace: a}
roleRef: {kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: builder}]
`),
    );
    const req = { verb: 'create', group: '', resource: 'pods', namespace: 'a' };
    assert.equal(g.grantsAllowing(sa('a', 'builder'), req).length, 1);
    assert.equal(g.grantsAllowing(user('carol'), req).length, 0);
    assert.equal(g.grantsAllowing(sa('a', 'builder'), req).length, 1, 'same answer from the memo');
    assert.equal(g.grantsAllowing(user('carol'), { ...req, verb: 'list' }).length, 1, 'view through system:authenticated');
    assert.equal(g.grantsMatching(user('carol'), 'any', () => true).length, g.rulesFor(user('carol')).length);
  });

  it('treats a User named like a service account username as that service account', () => {
    const g = rbacGraph(
      inventory(`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: a}
roleRef: {kind: ClusterRole, name: edit}
subjects: [{kind: User, name: "system:serviceaccount:a:builder"}]
`),
    );
    assert.ok(g.can(sa('a', 'builder'), 'create', '', 'pods', 'a'));
    assert.deepEqual(g.subjects(), [sa('a', 'builder')]);
  });

  it('aggregates ClusterRoles by label selector, transitively and across cycles, into built-in roles too', () => {
    const g = rbacGraph(
      inventory(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {example.com/aggregate-to-monitoring: "true"}}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: metrics
  labels: {example.com/aggregate-to-monitoring: "true"}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {example.com/aggregate-to-metrics: "true"}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: pods-metrics
  labels: {example.com/aggregate-to-metrics: "true", example.com/aggregate-to-monitoring: "true"}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {example.com/aggregate-to-monitoring: "true"}}]
rules: [{apiGroups: [metrics.k8s.io], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: crd-editor
  labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
rules: [{apiGroups: [example.com], resources: [widgets], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: mon}
roleRef: {kind: ClusterRole, name: monitoring}
subjects: [{kind: User, name: prom}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: admins, namespace: shop}
roleRef: {kind: ClusterRole, name: admin}
subjects: [{kind: Group, name: shop-admins}]
`),
    );
    assert.ok(g.can(user('prom'), 'get', 'metrics.k8s.io', 'pods', 'x'));
    const admins = group('shop-admins');
    assert.ok(g.can(admins, 'create', 'example.com', 'widgets', 'shop'), 'admin ⊇ edit ⊇ crd-editor');
    assert.ok(g.can(admins, 'list', '', 'secrets', 'shop'), 'edit grants secrets');
    assert.ok(g.can(admins, 'list', 'apps', 'deployments', 'shop'), 'edit ⊇ view');
    assert.ok(g.can(admins, 'create', 'rbac.authorization.k8s.io', 'rolebindings', 'shop'));
    assert.ok(!g.can(admins, 'escalate', 'rbac.authorization.k8s.io', 'roles', 'shop'));
  });

  it('prefers a ClusterRole of the inventory over the built-in one of the same name', () => {
    const g = rbacGraph(
      inventory(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: v}
roleRef: {kind: ClusterRole, name: view}
subjects: [{kind: User, name: u}]
`),
    );
    assert.equal(g.role('ClusterRole', undefined, 'view')!.builtin, false);
    assert.ok(g.can(user('u'), 'get', '', 'pods', 'x'));
    assert.ok(!g.can(user('u'), 'list', 'apps', 'deployments', 'x'));
  });

  it('places a Role and RoleBinding without namespace in the same (unset) namespace', () => {
    const g = rbacGraph(
      inventory(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b}
roleRef: {kind: Role, name: r}
subjects: [{kind: ServiceAccount, name: app}]
`),
    );
    const b = g.bindings[0]!;
    assert.equal(b.role?.name, 'r');
    assert.equal(b.namespace, '');
    assert.ok(g.can(sa('', 'app'), 'get', '', 'secrets', ANY_NAMESPACE));
    assert.ok(!g.can(sa('', 'app'), 'get', '', 'secrets'));
  });
});
