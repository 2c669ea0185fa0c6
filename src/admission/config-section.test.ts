import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runCli } from '../cli/testing.js';
import { parseAdmissionConfig } from './config.js';
import { admissionReview, HARDENED_CONTAINER, podSpec, SHA, workload } from './test-support.js';

const MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

function post(url: string, ca: string, body: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}/validate`, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()).response));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pal-adm-section-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const LATEST = { ...HARDENED_CONTAINER, image: 'registry.example.com/app:latest' };
const PRIVILEGED = { ...HARDENED_CONTAINER, image: `registry.example.com/app:1.0@${SHA}`, securityContext: { ...(HARDENED_CONTAINER.securityContext as object), privileged: true } };

describe('admission settings in the admission: section of .palisade.yaml', () => {
  it('are honoured by a real `admission serve` over HTTPS, with --admission-config over them', async () => {
    const dir = tempDir({
      '.palisade.yaml': [
        'allowedRegistries: [registry.example.com]',
        'admission:',
        '  denyAt: none            # no severity denies...',
        '  actions:',
        '    PAL-IMG-001: deny     # ...but a :latest image does',
        '    PAL-POD-001: deny     # turned into warn by --admission-config',
        '  exemptions:',
        '    namespaces: [ops-*]',
        '',
      ].join('\n'),
      'admission.yaml': 'actions:\n  PAL-POD-001: warn\n',
    });
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import(${JSON.stringify(MAIN)}).then((m) => m.main(process.argv.slice(1))).then((c) => { process.exitCode = c; })`, 'admission', 'serve', '--generate-cert', 'certs', '--listen', '127.0.0.1:0', '--admission-config', 'admission.yaml'],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let url: string | undefined;
      for (let i = 0; i < 400 && !url && child.exitCode === null; i++) {
        await new Promise((r) => setTimeout(r, 25));
        url = /"msg":"listening on (https:\/\/[^"]+)"/.exec(stderr)?.[1];
      }
      assert.ok(url, stderr);
      assert.match(stderr, /"denyAt":"none"/);
      const ca = readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8');

      const latest = await post(url, ca, admissionReview('CREATE', workload('Pod', podSpec([LATEST]))));
      assert.equal(latest.allowed, false, 'the section makes PAL-IMG-001 deny');
      assert.equal(latest.auditAnnotations['denied-by'], 'PAL-IMG-001');

      const privileged = await post(url, ca, admissionReview('CREATE', workload('Pod', podSpec([PRIVILEGED]))));
      assert.equal(privileged.allowed, true, `--admission-config turns PAL-POD-001 into warn and denyAt: none denies nothing else: ${JSON.stringify(privileged.status)}`);
      assert.ok(privileged.warnings.some((w: string) => w.startsWith('[PAL-POD-001]')), JSON.stringify(privileged.warnings));

      const exempt = await post(url, ca, admissionReview('CREATE', workload('Pod', podSpec([LATEST]), 'web', 'ops-tools')));
      assert.equal(exempt.allowed, true);
      assert.equal(exempt.auditAnnotations.decision, 'exempt');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuse to serve with an invalid field, naming the file, line and field', async () => {
    const dir = tempDir({ '.palisade.yaml': 'frameworks: []\nadmission:\n  denyAt: high\n  overload:\n    maxInFlight: lots\n' });
    try {
      const r = await runCli(['admission', 'serve', '--generate-cert', 'certs', '--listen', '127.0.0.1:0'], { cwd: dir });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /\.palisade\.yaml:5:\d+: error: admission\.overload\.maxInFlight: expected integer \[PALISADE_CONFIG_INVALID\]/);
      assert.doesNotMatch(r.stderr, /listening/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('report an action for an unknown control at its line, and --config names the file', async () => {
    const dir = tempDir({ 'team.yaml': 'admission:\n  actions:\n    PAL-IMG-001: deny\n    PAL-NOPE-999: warn\n' });
    try {
      const r = await runCli(['admission', 'serve', '--config', 'team.yaml', '--generate-cert', 'certs', '--listen', '127.0.0.1:0'], { cwd: dir });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /team\.yaml:4:\d+: error: admission\.actions\.PAL-NOPE-999: unknown control id/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are validated by `palisade scan` too, which otherwise ignores them', async () => {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {mode: fast}\n';
    const valid = tempDir({ '.palisade.yaml': 'admission:\n  dryRun: true\n  mutations: [seccomp-runtime-default]\n', 'cm.yaml': manifest });
    const invalid = tempDir({ '.palisade.yaml': 'failOn: none\nadmission:\n  mutations: [make-it-safe]\n', 'cm.yaml': manifest });
    try {
      const ok = await runCli(['scan', 'cm.yaml', '--format', 'json'], { cwd: valid });
      assert.notEqual(ok.code, 2, ok.stderr);
      const bad = await runCli(['scan', 'cm.yaml'], { cwd: invalid });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /\.palisade\.yaml:3:\d+: error: admission\.mutations\.0: expected one of "seccomp-runtime-default"/);
    } finally {
      rmSync(valid, { recursive: true, force: true });
      rmSync(invalid, { recursive: true, force: true });
    }
  });

  it('are read as the section only: the rest of the file is not admission settings', () => {
    const text = 'controls: {PAL-POD-009: off}\nadmission:\n  warnAt: medium\n  exemptions: {groups: [platform]}\n';
    const r = parseAdmissionConfig(text, 'p.yaml', new Set(), 'admission');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.settings.warnAt, 'medium');
    assert.deepEqual(r.settings.exemptions?.groups, ['platform']);
    assert.deepEqual(parseAdmissionConfig('controls: {}\n', 'p.yaml', new Set(), 'admission'), { settings: {}, diagnostics: [] });
    // Without the section name the same text is a standalone file, whose top level has no `controls`.
    assert.match(parseAdmissionConfig(text, 'p.yaml', new Set()).diagnostics[0]!.message, /unknown field "controls"/);
  });
});
