import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../testing.js';

const PRIVILEGED = `apiVersion: v1
kind: Pod
metadata:
  name: risky
  namespace: shop
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
`;
const CLEAN = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {mode: fast}\n`;

function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-cli-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('palisade scan', () => {
  it('exits 1 on findings at or above --fail-on and 0 below it', async () => {
    const cwd = workdir({ 'k8s/pod.yaml': PRIVILEGED });
    const r = await runCli(['scan', 'k8s', '--control', 'PAL-POD-001'], { cwd });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /Pod shop\/risky {2}k8s\/pod\.yaml/);
    assert.match(r.stdout, /CRITICAL +PAL-POD-001 +Container "app" runs privileged +line 11/);
    assert.match(r.stdout, /1 finding \(1 critical\) in 1 resource from 1 file/);
    assert.equal((await runCli(['scan', 'k8s', '--fail-on', 'none'], { cwd })).code, 0);
  });

  it('exits 0 when nothing is found', async () => {
    const cwd = workdir({ 'cm.yaml': CLEAN });
    const r = await runCli(['scan', '.', '--control', 'PAL-POD-001'], { cwd });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^0 findings in 1 resource from 1 file/m);
  });

  it('exits 2 on an unreadable input after reporting the good ones', async () => {
    const cwd = workdir({ 'good.yaml': PRIVILEGED, 'bad.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: [\n' });
    const r = await runCli(['scan', '.', '-f', 'json', '--control', 'PAL-POD-001'], { cwd });
    assert.equal(r.code, 2);
    const out = JSON.parse(r.stdout);
    assert.equal(out.findings.length, 1, 'the good file is still reported');
    assert.equal(out.diagnostics[0].file, 'bad.yaml');
    assert.equal(out.diagnostics[0].code, 'PALISADE_SOURCE_YAML_SYNTAX');
    assert.match(r.stderr, /bad\.yaml:4:1: error: YAML syntax error: Flow sequence/);
    assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at .+\(.*:\d+:\d+\)/, 'no stack trace');
  });

  it('writes several formats from one run', async () => {
    const cwd = workdir({ 'pod.yaml': PRIVILEGED });
    const r = await runCli(['scan', 'pod.yaml', '-f', 'json', '-o', 'out.json', '-f', 'table', '--format', 'json=copy.json', '--control', 'PAL-POD-001'], { cwd });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /PAL-POD-001/);
    const a = JSON.parse(readFileSync(join(cwd, 'out.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(cwd, 'copy.json'), 'utf8'));
    assert.equal(a.findings[0].location.line, 11);
    assert.equal(a.findings[0].path, 'spec.containers[0].securityContext.privileged');
    assert.equal(b.findings[0].fingerprint, a.findings[0].fingerprint);
  });

  it('refuses two formats on standard output and unknown formats with exit 2', async () => {
    const cwd = workdir({ 'pod.yaml': PRIVILEGED });
    const two = await runCli(['scan', '-f', 'json,table', 'pod.yaml'], { cwd });
    assert.equal(two.code, 2);
    assert.match(two.stderr, /only one format can go to standard output/);
    const unknown = await runCli(['scan', '-f', 'yaml', 'pod.yaml'], { cwd });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown format "yaml"/);
    const opt = await runCli(['scan', '--bogus'], { cwd });
    assert.equal(opt.code, 2);
    assert.match(opt.stderr, /unknown option --bogus \[PALISADE_CLI_UNKNOWN_OPTION\]/);
  });

  it('reads manifests from standard input with -', async () => {
    const cwd = workdir({});
    const r = await runCli(['scan', '-', '-f', 'json', '--control', 'PAL-POD-001'], { cwd, stdin: PRIVILEGED });
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout);
    assert.equal(out.findings[0].location.file, '<stdin>');
    assert.equal(out.findings[0].location.line, 11);
  });

  it('applies .palisade.yaml: controls off, severity overrides, ignored paths, failOn', async () => {
    const cwd = workdir({
      'app/pod.yaml': PRIVILEGED,
      'vendor/pod.yaml': PRIVILEGED.replace('risky', 'vendored'),
      '.palisade.yaml': 'controls:\n  PAL-POD-001: {severity: low}\nignore: ["vendor/"]\nfailOn: high\n',
    });
    const r = await runCli(['scan', '.', '-f', 'json'], { cwd });
    const out = JSON.parse(r.stdout);
    const pal = out.findings.filter((f: { controlId: string }) => f.controlId === 'PAL-POD-001');
    assert.deepEqual(pal.map((f: { resource: { name: string }; severity: string }) => [f.resource.name, f.severity]), [['risky', 'low']]);
    const off = workdir({ 'pod.yaml': PRIVILEGED, '.palisade.yaml': 'controls:\n  PAL-POD-001: off\n' });
    const r2 = await runCli(['scan', '.', '-f', 'json'], { cwd: off });
    assert.equal(JSON.parse(r2.stdout).findings.filter((f: { controlId: string }) => f.controlId === 'PAL-POD-001').length, 0);
  });

  it('reports configuration errors with file, line and field, exit 2', async () => {
    const cwd = workdir({ 'pod.yaml': PRIVILEGED, '.palisade.yaml': 'controls:\n  PAL-POD-001: {severity: extreme}\n  NOPE-1: off\nfailOn: sometimes\nextra: 1\n' });
    const r = await runCli(['scan', '.'], { cwd });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\.palisade\.yaml:2:\d+: error: controls\.PAL-POD-001\.severity: expected one of/);
    assert.match(r.stderr, /\.palisade\.yaml:4:\d+: error: failOn: expected one of/);
    assert.match(r.stderr, /\.palisade\.yaml:5:\d+: error: extra: unknown field "extra"/);
    const unknownControl = workdir({ 'pod.yaml': PRIVILEGED, '.palisade.yaml': 'controls:\n  NOPE-1: off\n' });
    const r2 = await runCli(['scan', '.'], { cwd: unknownControl });
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /\.palisade\.yaml:2:3: error: controls\.NOPE-1: unknown control id/);
  });

  it('runs as a real process through bin/palisade.js', () => {
    const cwd = workdir({ 'pod.yaml': PRIVILEGED });
    const bin = resolve('bin/palisade.js');
    const r = spawnSync(process.execPath, [bin, 'scan', 'pod.yaml', '--control', 'PAL-POD-001', '--no-color'], { cwd, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /PAL-POD-001/);
    const help = spawnSync(process.execPath, [bin, 'scan', '--help'], { cwd, encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--fail-on SEVERITY/);
  });
});

describe('control options in .palisade.yaml', () => {
  it('are validated against the control options schema, with line and field', async () => {
    const cwd = workdir({
      'pod.yaml': PRIVILEGED,
      '.palisade.yaml': 'controls:\n  PAL-DATA-001:\n    options:\n      ignoreKeys: not-a-list\n  PAL-POD-001:\n    options: {x: 1}\n',
    });
    const r = await runCli(['scan', '.'], { cwd });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\.palisade\.yaml:4:\d+: error: controls\.PAL-DATA-001\.options\.ignoreKeys: expected array/);
    assert.match(r.stderr, /\.palisade\.yaml:6:\d+: error: controls\.PAL-POD-001\.options: this control takes no options/);
    const ok = workdir({ 'pod.yaml': PRIVILEGED, '.palisade.yaml': 'controls:\n  PAL-DATA-001:\n    options: {ignoreKeys: [API_TOKEN]}\n' });
    assert.notEqual((await runCli(['scan', '.'], { cwd: ok })).code, 2);
  });
});
