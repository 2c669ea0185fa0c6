import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineControl, type Control } from '../core/control.js';
import { buildInventory } from '../inventory/inventory.js';
import { DEFAULT_LIMITS, parseManifestText, type LoadResult } from '../sources/manifests.js';
import { fingerprint, runControls } from './engine.js';

function inventoryOf(yaml: string) {
  const out: LoadResult = { resources: [], diagnostics: [], files: 0 };
  parseManifestText(yaml, 'x.yaml', false, DEFAULT_LIMITS, out);
  return buildInventory(out.resources);
}

const meta = (id: string) => ({
  id,
  slug: id.toLowerCase(),
  title: 'test control',
  severity: 'medium' as const,
  category: 'test',
  description: 'test description',
  rationale: 'test rationale',
  remediation: 'test remediation',
  messages: { m: 'found {{what}}' },
  appliesTo: ['Pod'],
  maturity: 'experimental' as const,
});

const YAML = `apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers: [{name: c, image: x, env: [{name: PASSWORD, value: hunter2-secret}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: b, labels: {tier: system}}
spec:
  containers: [{name: c, image: x}]
---
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {token: aHVudGVyMg==}
`;

describe('engine', () => {
  it('counts only the resources a control judged (false = out of scope)', () => {
    const scoped: Control = defineControl({
      meta: meta('T-1'),
      check: () => ({
        podSpec(ps) {
          if (ps.resource.labels.tier !== 'system') return false;
        },
      }),
    });
    const none: Control = defineControl({ meta: meta('T-2'), check: () => ({ podSpec: () => false, inventory: () => 0 }) });
    const r = runControls(inventoryOf(YAML), { controls: [scoped, none], settings: { allowedRegistries: [], pssVersion: 'latest' } });
    assert.deepEqual(r.controls.map((c) => [c.meta.id, c.evaluated]), [['T-1', 1], ['T-2', 0]]);
  });

  it('keeps going when a control throws, reporting it as a warning', () => {
    const boom: Control = defineControl({ meta: meta('T-3'), check: () => ({ Pod() { throw new Error('bad shape'); } }) });
    const ok: Control = defineControl({ meta: meta('T-4'), check: (ctx) => ({ Pod(r) { ctx.report({ messageId: 'm', data: { what: r.name }, path: ['metadata', 'name'] }); } }) });
    const r = runControls(inventoryOf(YAML), { controls: [boom, ok], settings: { allowedRegistries: [], pssVersion: 'latest' } });
    assert.equal(r.findings.length, 2);
    assert.equal(r.diagnostics.length, 2);
    assert.equal(r.diagnostics[0]!.code, 'PALISADE_ENGINE_CONTROL_FAILED');
    assert.equal(r.diagnostics[0]!.level, 'warning');
  });

  it('redacts evidence taken from secret-bearing paths and fingerprints by identity, not position', () => {
    const leaky: Control = defineControl({
      meta: meta('T-5'),
      check: (ctx) => ({
        container(c) {
          ctx.report({ messageId: 'm', data: { what: 'env' }, path: [...c.path, 'env', 0, 'value'], evidence: c.container.env?.[0]?.value });
        },
        Secret(r) {
          ctx.report({ messageId: 'm', data: { what: 'secret' }, path: ['data', 'token'], evidence: (r.object.data as Record<string, string>).token });
        },
      }),
    });
    const r = runControls(inventoryOf(YAML), { controls: [leaky], settings: { allowedRegistries: [], pssVersion: 'latest' } });
    const text = JSON.stringify(r.findings);
    assert.ok(!text.includes('hunter2-secret'));
    assert.ok(!text.includes('aHVudGVyMg=='));
    assert.match(String(r.findings[0]!.evidence), /^<redacted len=\d+ sha256:[0-9a-f]{12}>$/);
    const shifted = runControls(inventoryOf('# moved down\n\n' + YAML), { controls: [leaky], settings: { allowedRegistries: [], pssVersion: 'latest' } });
    assert.deepEqual(shifted.findings.map((f) => f.fingerprint), r.findings.map((f) => f.fingerprint));
    assert.notDeepEqual(shifted.findings.map((f) => f.location?.line), r.findings.map((f) => f.location?.line));
    assert.equal(r.findings[0]!.fingerprint, fingerprint('T-5', '/Pod//a', ['spec', 'containers', 0, 'env', 0, 'value'], 'm'));
  });
});
