import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PACKAGE_ROOT } from '../../core/version.js';
import { CLUSTER_KINDS } from './kinds.js';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

function rolesIn(file: string): Map<string, Rule[]> {
  const out = new Map<string, Rule[]>();
  for (const doc of parseAllDocuments(readFileSync(join(PACKAGE_ROOT, 'examples', 'rbac', file), 'utf8'))) {
    const o = doc.toJS() as { kind: string; metadata: { name: string }; rules?: Rule[] };
    if (o.kind === 'ClusterRole') out.set(o.metadata.name, o.rules ?? []);
  }
  return out;
}

const plural = (kind: string) => {
  const k = kind.toLowerCase();
  return k.endsWith('y') ? `${k.slice(0, -1)}ies` : k.endsWith('s') ? `${k}es` : `${k}s`;
};

const allows = (rules: Rule[], group: string, resource: string, verb: string) =>
  rules.some((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource) && r.verbs.includes(verb));

test('examples/rbac: the reader role lets Palisade list and watch every kind it reads except Secrets, and nothing more', () => {
  const rules = rolesIn('palisade-reader.yaml').get('palisade-reader')!;
  for (const k of CLUSTER_KINDS) {
    const resource = plural(k.kind);
    if (k.kind === 'Secret') {
      assert.ok(!allows(rules, k.group, resource, 'list'), 'Secrets are opt-in');
      continue;
    }
    assert.ok(allows(rules, k.group, resource, 'list') && allows(rules, k.group, resource, 'watch'), `${k.group}/${resource}`);
  }
  for (const r of rules) assert.deepEqual(r.verbs.filter((v) => !['get', 'list', 'watch'].includes(v)), [], 'read-only');
  assert.ok(!rules.some((r) => r.resources?.includes('*') || r.apiGroups?.includes('*')));

  const secrets = rolesIn('palisade-secret-metadata.yaml').get('palisade-secret-metadata')!;
  assert.deepEqual(secrets, [{ apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'] }], 'never get: Palisade reads metadata-only lists');
});
