import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadManifests } from './manifests.js';

function tree(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'palisade-render-'));
  for (const [n, t] of Object.entries(files)) {
    mkdirSync(join(d, n, '..'), { recursive: true });
    writeFileSync(join(d, n), t);
  }
  return d;
}

/** Runs `fn` with PATH set to only `dir`. */
function withPath<T>(dir: string, fn: () => T): T {
  const old = process.env.PATH;
  process.env.PATH = dir;
  try {
    return fn();
  } finally {
    process.env.PATH = old;
  }
}

const RENDERED = `---
# Source: web/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers: [{name: app, image: "nginx:1.27"}]
`;

describe('Helm and Kustomize rendering', () => {
  it('names the missing program and still scans the other inputs', () => {
    const root = tree({ 'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n', 'chart/templates/d.yaml': '{{ .Values.x }}', 'kust/kustomization.yaml': 'resources: [a.yaml]\n', 'plain.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n' });
    const empty = mkdtempSync(join(tmpdir(), 'palisade-path-'));
    const out = withPath(empty, () => loadManifests(['.'], { root }));
    const codes = out.diagnostics.map((d) => `${d.file}: ${d.code}: ${d.message}`);
    assert.ok(codes.some((c) => c.startsWith('chart: PALISADE_SOURCE_RENDERER_MISSING') && c.includes('`helm`')), codes.join('\n'));
    assert.ok(codes.some((c) => c.startsWith('kust: PALISADE_SOURCE_RENDERER_MISSING') && c.includes('`kubectl`')), codes.join('\n'));
    assert.deepEqual(out.resources.map((r) => r.name), ['c'], 'chart templates are not read as plain YAML');
  });

  it('scans what `helm template` prints, with lines in the rendered stream', () => {
    const bin = mkdtempSync(join(tmpdir(), 'palisade-bin-'));
    const outFile = join(bin, 'rendered.yaml');
    writeFileSync(outFile, RENDERED);
    writeFileSync(join(bin, 'helm'), `#!/bin/sh\n[ "$1" = template ] || exit 9\n/bin/cat '${outFile}'\n`);
    chmodSync(join(bin, 'helm'), 0o755);
    const root = tree({ 'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n' });
    const out = withPath(bin, () => loadManifests(['chart'], { root }));
    assert.deepEqual(out.diagnostics, []);
    const r = out.resources[0]!;
    assert.equal(r.name, 'web');
    assert.equal(r.origin.type === 'manifest' && r.origin.file, 'chart/(helm template output)');
    assert.equal(r.origin.type === 'manifest' && r.origin.locate(['spec', 'template', 'spec', 'containers', 0, 'image']).line, 9);
  });

  it('reports a failing renderer with its message', () => {
    const bin = mkdtempSync(join(tmpdir(), 'palisade-bin-'));
    writeFileSync(join(bin, 'kubectl'), '#!/bin/sh\n/bin/echo "Error: accumulating resources: missing.yaml" >&2\nexit 1\n');
    chmodSync(join(bin, 'kubectl'), 0o755);
    const root = tree({ 'k/kustomization.yaml': 'resources: [missing.yaml]\n' });
    const out = withPath(bin, () => loadManifests(['k'], { root }));
    assert.equal(out.diagnostics[0]?.code, 'PALISADE_SOURCE_RENDER_FAILED');
    assert.match(out.diagnostics[0]!.message, /accumulating resources/);
  });
});
