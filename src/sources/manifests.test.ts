import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadManifests, loadManifestsParallel, DEFAULT_LIMITS, parseManifestText, type LoadResult } from './manifests.js';

function parse(text: string, file = 'm.yaml', isJson = false): LoadResult {
  const out: LoadResult = { resources: [], diagnostics: [], files: 0 };
  parseManifestText(text, file, isJson, DEFAULT_LIMITS, out);
  return out;
}

const DEPLOYMENT = `# a comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext:
            privileged: true
`;

const TIMESTAMPS = `apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  annotations: {deployed: 2024-01-02T03:04:05Z}
data:
  date: 2001-12-14
  spaced: 2001-12-14 21:59:43.10 -5
  2001-12-14: keyed
  after: x
`;

describe('manifest positions', () => {
  it('locates fields of a YAML object at the line of their key', () => {
    const r = parse(DEPLOYMENT).resources[0]!;
    assert.equal(r.origin.type, 'manifest');
    const loc = r.origin.type === 'manifest' ? r.origin.locate(['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'privileged']) : undefined;
    assert.deepEqual({ line: loc?.line, column: loc?.column, exact: loc?.exact }, { line: 16, column: 13, exact: true });
    const item = r.origin.type === 'manifest' ? r.origin.locate(['spec', 'template', 'spec', 'containers', 0]) : undefined;
    assert.equal(item?.line, 13);
  });

  it('points a missing field at its nearest existing parent', () => {
    const r = parse(DEPLOYMENT).resources[0]!;
    const loc = r.origin.type === 'manifest' ? r.origin.locate(['spec', 'template', 'spec', 'containers', 0, 'resources', 'limits', 'memory']) : undefined;
    assert.equal(loc?.exact, false);
    assert.equal(loc?.line, 13);
    assert.deepEqual(loc?.path, ['spec', 'template', 'spec', 'containers', 0]);
  });

  it('locates fields in JSON files', () => {
    const json = '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "p"},\n  "spec": {\n    "containers": [\n      {"name": "a", "image": "x"},\n      {\n        "name": "b",\n        "image": "y"\n      }\n    ]\n  }\n}\n';
    const out = parse(json, 'p.json', true);
    assert.equal(out.diagnostics.length, 0);
    const r = out.resources[0]!;
    const loc = r.origin.type === 'manifest' ? r.origin.locate(['spec', 'containers', 1, 'image']) : undefined;
    assert.equal(loc?.line, 10);
    assert.equal(loc?.column, 9);
  });

  it('numbers documents of a multi-document stream and keeps file lines', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# second\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\nspec:\n  type: NodePort\n`;
    const out = parse(text);
    assert.deepEqual(out.resources.map((r) => r.name), ['a', 'b']);
    const svc = out.resources[1]!;
    assert.equal(svc.origin.type === 'manifest' && svc.origin.docIndex, 2);
    assert.equal(svc.origin.type === 'manifest' && svc.origin.locate(['spec', 'type']).line, 12);
  });

  it('expands List and typed *List items, with item positions', () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: one}
  - apiVersion: v1
    kind: Pod
    metadata:
      name: two
    spec:
      hostNetwork: true
`;
    const out = parse(text);
    assert.deepEqual(out.resources.map((r) => `${r.kind}/${r.name}`), ['Pod/one', 'Pod/two']);
    const two = out.resources[1]!;
    assert.equal(two.origin.type === 'manifest' && two.origin.locate(['spec', 'hostNetwork']).line, 12);
    const typed = parse(`apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: x}\n`);
    assert.deepEqual(typed.resources.map((r) => `${r.apiVersion} ${r.kind}/${r.name}`), ['v1 Pod/x']);
  });

  it('skips documents that are not Kubernetes objects with a note', () => {
    const out = parse(`foo: bar\n---\n- a\n- b\n`);
    assert.equal(out.resources.length, 0);
    assert.deepEqual(out.diagnostics.map((d) => [d.code, d.level, d.line]), [
      ['PALISADE_SOURCE_NOT_K8S', 'note', 1],
      ['PALISADE_SOURCE_NOT_K8S', 'note', 3],
    ]);
  });
});

describe('YAML as kubectl reads it', () => {
  it('uses YAML 1.1 scalars: yes/on booleans and 0644 octal', () => {
    const out = parse(`apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: yes\n  volumes:\n    - name: s\n      secret: {secretName: s, defaultMode: 0644}\n`);
    const spec = out.resources[0]!.object.spec as { hostNetwork: unknown; volumes: { secret: { defaultMode: unknown } }[] };
    assert.equal(spec.hostNetwork, true);
    assert.equal(spec.volumes[0]!.secret.defaultMode, 420);
  });

  it('applies merge keys, explicit keys winning, with positions of merged fields', () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - &base
      name: a
      image: x:1
      securityContext: {privileged: true}
    - <<: *base
      name: b
`;
    const out = parse(text);
    const r = out.resources[0]!;
    const cs = (r.object.spec as { containers: { name: string; image: string }[] }).containers;
    assert.deepEqual(cs.map((c) => `${c.name}:${c.image}`), ['a:x:1', 'b:x:1']);
    const loc = r.origin.type === 'manifest' ? r.origin.locate(['spec', 'containers', 1, 'securityContext', 'privileged']) : undefined;
    assert.equal(loc?.line, 9, 'a merged field points at its definition');
    assert.equal(r.origin.type === 'manifest' && r.origin.locate(['spec', 'containers', 1, 'name']).line, 11);
  });

  it('keeps unquoted timestamps as the strings written, as Kubernetes does, with exact positions', () => {
    const out = parse(TIMESTAMPS);
    assert.deepEqual(out.diagnostics, []);
    const r = out.resources[0]!;
    assert.deepEqual(r.object.metadata!.annotations, { deployed: '2024-01-02T03:04:05Z' });
    assert.deepEqual(r.object.data, { date: '2001-12-14', spaced: '2001-12-14 21:59:43.10 -5', '2001-12-14': 'keyed', after: 'x' });
    assert.ok(r.origin.type === 'manifest');
    assert.deepEqual(r.origin.locate(['metadata', 'annotations', 'deployed']), { file: 'm.yaml', line: 5, column: 17, path: ['metadata', 'annotations', 'deployed'], exact: true });
    assert.equal(r.origin.locate(['data', 'spaced']).line, 8);
    assert.equal(r.origin.locate(['data', '2001-12-14']).line, 9);
    assert.equal(r.origin.locate(['data', 'after']).line, 10);
  });

  it('keeps a __proto__ key as data', () => {
    const out = parse(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  __proto__: {polluted: "yes"}\n`);
    const data = out.resources[0]!.object.data as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.ok(Object.keys(data).includes('__proto__'));
  });
});

describe('bad input', () => {
  it('reports malformed YAML with file and line, and keeps the good documents', () => {
    const out = parse(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n`);
    assert.deepEqual(out.resources.map((r) => r.name), ['ok']);
    const d = out.diagnostics.find((x) => x.code === 'PALISADE_SOURCE_YAML_SYNTAX');
    assert.ok(d, 'syntax error reported');
    assert.equal(d.file, 'm.yaml');
    assert.ok(d.line && d.line >= 8, `line ${d.line}`);
  });

  it('reports malformed JSON as a JSON syntax error', () => {
    const out = parse('{\n  "apiVersion": "v1",\n  "kind": "Pod"\n  "metadata": {}\n}\n', 'bad.json', true);
    const d = out.diagnostics.find((x) => x.code === 'PALISADE_SOURCE_JSON_SYNTAX');
    assert.ok(d, JSON.stringify(out.diagnostics));
    assert.equal(d.line, 4);
  });

  it('reports duplicate keys with the key and line', () => {
    const out = parse(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n`);
    assert.equal(out.resources.length, 0);
    const d = out.diagnostics[0]!;
    assert.equal(d.code, 'PALISADE_SOURCE_DUPLICATE_KEY');
    assert.equal(d.line, 5);
    assert.match(d.message, /"name"/);
  });

  it('stops YAML alias bombs', () => {
    const bomb = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb}', 'data:', '  a: &a ["x","x","x","x","x","x","x","x","x"]'];
    const letters = 'abcdefghij';
    for (let i = 1; i < letters.length; i++) {
      bomb.push(`  ${letters[i]}: &${letters[i]} [${Array(9).fill('*' + letters[i - 1]).join(',')}]`);
    }
    const started = Date.now();
    const out = parse(bomb.join('\n') + '\n');
    assert.ok(Date.now() - started < 5000, 'returns promptly');
    assert.equal(out.resources.length, 0);
    assert.equal(out.diagnostics[0]?.code, 'PALISADE_SOURCE_ALIAS_LIMIT');
    assert.equal(out.diagnostics[0]?.line, 1);
  });

  it('rejects very deep nesting without overflowing the stack', () => {
    const depth = 100_000;
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    const out = parse(text);
    assert.equal(out.resources.length, 0);
    assert.equal(out.diagnostics[0]?.code, 'PALISADE_SOURCE_TOO_DEEP');
  });

  it('rejects nesting over the depth limit even when the parser copes', () => {
    const depth = DEFAULT_LIMITS.maxDepth + 5;
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    const out = parse(text);
    assert.equal(out.diagnostics[0]?.code, 'PALISADE_SOURCE_TOO_DEEP');
  });

  it('names the field and what was expected for malformed objects', () => {
    const out = parse(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    version: 1.0\n`);
    const d = out.diagnostics[0]!;
    assert.equal(d.code, 'PALISADE_SOURCE_BAD_OBJECT');
    assert.equal(d.line, 6);
    assert.equal(d.field, 'metadata.labels.version');
    assert.match(d.message, /expected a string/);
    const noApi = parse(`kind: Deployment\nmetadata: {name: x}\n`).diagnostics[0]!;
    assert.equal(noApi.field, 'apiVersion');
  });

  it('handles files: binary, too large, unreadable, missing, invalid UTF-8; good files still load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-src-'));
    writeFileSync(join(dir, 'good.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\n');
    writeFileSync(join(dir, 'binary.yaml'), Buffer.from([0x61, 0x3a, 0x00, 0x01, 0x02]));
    writeFileSync(join(dir, 'latin1.yaml'), Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    writeFileSync(join(dir, 'huge.yaml'), 'a: ' + 'x'.repeat(2048) + '\n');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'locked.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: locked}\n');
    chmodSync(join(dir, 'sub', 'locked.yaml'), 0o000);
    writeFileSync(join(dir, 'notes.txt'), 'ignored: not a manifest extension\n');
    const out = loadManifests([dir, join(dir, 'missing.yaml')], { root: dir, limits: { maxFileSize: 1024 } });
    const codes = Object.fromEntries(out.diagnostics.map((d) => [d.file, d.code]));
    assert.equal(codes['binary.yaml'], 'PALISADE_SOURCE_BINARY');
    assert.equal(codes['latin1.yaml'], 'PALISADE_SOURCE_ENCODING');
    assert.equal(codes['huge.yaml'], 'PALISADE_SOURCE_TOO_LARGE');
    assert.equal(codes['missing.yaml'] ?? codes[join(dir, 'missing.yaml')], 'PALISADE_SOURCE_NOT_FOUND');
    // root can read anything; the permission case is only checkable as another user.
    if (process.getuid?.() !== 0) assert.equal(codes['sub/locked.yaml'], 'PALISADE_SOURCE_UNREADABLE');
    assert.ok(out.resources.some((r) => r.name === 'good'));
  });
});

describe('parallel loading', () => {
  it('gives exactly the resources, positions and problems of loading in one thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-par-'));
    for (let i = 0; i < 24; i++) {
      const docs = [];
      for (let j = 0; j < 5; j++) {
        docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d${i}-${j}\n  namespace: ns${i % 3}\n  labels: {"80": port, app: a${j}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: nginx:1.${j}\n          securityContext: {privileged: ${j % 2 === 0}}\n          env: [{name: A, value: "x"}]\n`);
      }
      writeFileSync(join(dir, `f${String(i).padStart(2, '0')}.yaml`), docs.join('---\n'));
    }
    writeFileSync(join(dir, 'list.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { hostPID: true } }] }, null, 2));
    writeFileSync(join(dir, 'zz-bad.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n');
    writeFileSync(join(dir, 'zz-timestamps.yaml'), TIMESTAMPS);
    const one = loadManifests([dir], { root: dir });
    const par = await loadManifestsParallel([dir], { root: dir, workers: 2, parallelThresholdBytes: 0, batchBytes: 2048 });
    assert.equal(par.parsedOnWorkers, 27, 'every file went through a worker');
    assert.equal(par.files, one.files);
    assert.deepEqual(par.diagnostics, one.diagnostics);
    assert.deepEqual(par.resources.map((r) => r.key), one.resources.map((r) => r.key));
    assert.deepEqual(par.resources.map((r) => r.object), one.resources.map((r) => r.object));
    const stamped = par.resources.find((r) => r.name === 'c')!;
    assert.deepEqual(stamped.object.data, { date: '2001-12-14', spaced: '2001-12-14 21:59:43.10 -5', '2001-12-14': 'keyed', after: 'x' });
    assert.ok(stamped.origin.type === 'manifest');
    assert.deepEqual([stamped.origin.locate(['metadata', 'annotations', 'deployed']).line, stamped.origin.locate(['data', 'after']).line], [5, 10]);
    const paths = [['metadata', 'labels', '80'], ['metadata', 'annotations', 'deployed'], ['data', 'after'], ['metadata', 'labels', 'app'], ['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'privileged'], ['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'value'], ['spec', 'missing', 'x'], ['spec', 'hostPID']];
    for (let i = 0; i < one.resources.length; i++) {
      const a = one.resources[i]!.origin;
      const b = par.resources[i]!.origin;
      assert.ok(a.type === 'manifest' && b.type === 'manifest');
      for (const p of paths) assert.deepEqual(b.locate(p), a.locate(p), `${one.resources[i]!.name} ${p.join('.')}`);
    }
  });
});
