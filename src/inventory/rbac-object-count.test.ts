import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Inventory } from '../core/inventory.js';
import { DEFAULT_LIMITS, parseManifestText, type LoadResult } from '../sources/manifests.js';
import { buildInventory } from './inventory.js';
import { rbacObjectCount } from './rbac-graph.js';

function inventory(docs: string[]): Inventory {
  const out: LoadResult = { resources: [], diagnostics: [], files: 0 };
  parseManifestText(docs.join('\n---\n'), 'test.yaml', false, DEFAULT_LIMITS, out);
  assert.deepEqual(out.diagnostics.filter((d) => d.level === 'error'), []);
  return buildInventory(out.resources);
}

const RBAC_KINDS = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'];

function rbacDoc(kind: string, i: number): string {
  const ns = kind === 'Role' || kind === 'RoleBinding' ? 'namespace: shop, ' : '';
  const body = kind.endsWith('Binding') ? `roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: User, name: u${i}}]` : 'rules: []';
  return `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata: {${ns}name: r${i}}\n${body}`;
}

const pod = (i: number) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: shop}\nspec: {containers: [{name: app, image: nginx}]}`;
/** Kinds whose names look like RBAC kinds but are not. */
const lookalike = (i: number) => `apiVersion: example.com/v1\nkind: RoleBindingTemplate\nmetadata: {name: t${i}}`;

/** The definition: the four RBAC kinds as the inventory indexes them. */
function byKindCount(inv: Inventory): number {
  return RBAC_KINDS.reduce((n, k) => n + inv.byKind(k).length, 0);
}

describe('rbacObjectCount', () => {
  it('is 0 for the one object of an admission review, and stays 0', () => {
    const inv = inventory([pod(0)]);
    assert.equal(rbacObjectCount(inv), 0);
    assert.equal(rbacObjectCount(inv), 0);
  });

  it('counts Roles, ClusterRoles and both bindings in a small inventory, nothing else', () => {
    const inv = inventory([pod(0), ...RBAC_KINDS.map(rbacDoc), lookalike(0), rbacDoc('ClusterRole', 9)]);
    assert.equal(rbacObjectCount(inv), 5);
    assert.equal(rbacObjectCount(inv), byKindCount(inv));
  });

  it('counts a large inventory (counted once, then remembered) as its kind index does', () => {
    const docs: string[] = [];
    for (let i = 0; i < 80; i++) docs.push(i % 5 === 0 ? rbacDoc(RBAC_KINDS[i % 4]!, i) : i % 7 === 0 ? lookalike(i) : pod(i));
    const inv = inventory(docs);
    assert.ok(inv.resources.length > 32, 'large enough to take the remembered path');
    assert.equal(rbacObjectCount(inv), 16);
    assert.equal(rbacObjectCount(inv), byKindCount(inv));
    assert.equal(rbacObjectCount(inv), 16, 'a second call gives the same count');
    // A different inventory of the same size is counted on its own.
    const none = inventory(docs.map((d, i) => (d.includes('rbac.authorization') ? pod(1000 + i) : d)));
    assert.equal(rbacObjectCount(none), 0);
  });
});
