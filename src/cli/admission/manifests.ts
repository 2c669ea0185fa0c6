import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { CliIO, ParsedArgs } from '../command.js';
import { diagnostic, EXIT, PalisadeError } from '../../core/errors.js';
import { DEFAULT_IMAGE, renderManifests } from '../../admission/manifests.js';
import { loadAdmissionConfig } from '../../admission/config.js';
import { list, str } from '../judging-options.js';
import { webhookCertificates } from '../../admission/x509.js';
import { knownControlIds } from './serve.js';
import { POLICY_OPTIONS } from './options.js';

function statSafe(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function policyFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...policyFiles(p));
    else if (/\.(ya?ml|json)$/i.test(e.name)) out.push(p);
  }
  return out;
}

function usage(detail: string, field: string): PalisadeError {
  return new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail }, { field }));
}

function readText(io: CliIO, file: string): string {
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    throw new PalisadeError(diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file }));
  }
}

/** Judging and policy flags given to `manifests`, as arguments of the Deployment's `serve`. */
function forwardedArgs(v: ParsedArgs['values']): string[] {
  const names = [...POLICY_OPTIONS.map((o) => o.name), 'control', 'skip-control', 'framework', 'pss-version', 'allowed-registry'];
  const out: string[] = [];
  for (const name of names) {
    const value = v[name];
    if (value === undefined || value === false) continue;
    if (value === true) out.push(`--${name}`);
    else for (const x of Array.isArray(value) ? value : [value]) out.push(`--${name}`, x);
  }
  if (str(v['decision-log']) === '-') out.push('--decision-log', '-');
  return out;
}

export function runManifests(args: ParsedArgs, io: CliIO): number {
  const v = args.values;
  const namespace = str(v.namespace) ?? 'palisade';
  const name = str(v.name) ?? 'palisade-admission';
  const dns = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
  if (!dns.test(namespace)) throw usage(`--namespace: "${namespace}" is not a valid namespace name`, '--namespace');
  if (!dns.test(name)) throw usage(`--name: "${name}" is not a valid object name`, '--name');
  const replicas = Number(str(v.replicas) ?? '2');
  if (!Number.isInteger(replicas) || replicas < 1) throw usage('--replicas: expected a whole number of at least 1', '--replicas');
  const timeoutSeconds = Number(str(v['timeout-seconds']) ?? '5');
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 30) throw usage('--timeout-seconds: expected 1 to 30', '--timeout-seconds');

  const configFiles: Record<string, string> = {};
  const exemptions = { users: [] as string[], groups: [] as string[] };
  // Exempt users and groups of the configuration's admission: section and of
  // --admission-config add up, as they do in `admission serve`.
  const addExemptions = (loaded: ReturnType<typeof loadAdmissionConfig>) => {
    if (loaded.diagnostics.length) throw new PalisadeError(loaded.diagnostics[0]!, EXIT.input, loaded.diagnostics);
    exemptions.users.push(...(loaded.settings.exemptions?.users ?? []));
    exemptions.groups.push(...(loaded.settings.exemptions?.groups ?? []));
  };
  if (str(v.config)) {
    configFiles['palisade.yaml'] = readText(io, str(v.config)!);
    addExemptions(loadAdmissionConfig(resolve(io.cwd, str(v.config)!), knownControlIds(), 'admission'));
  }
  const admissionConfig = str(v['admission-config']);
  if (admissionConfig) {
    addExemptions(loadAdmissionConfig(resolve(io.cwd, admissionConfig), knownControlIds()));
    configFiles['admission.yaml'] = readText(io, admissionConfig);
  }
  const key = (prefix: string, i: number, name: string) => `${prefix}-${i + 1}-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  list(v.exceptions).forEach((f, i) => (configFiles[key('exceptions', i, basename(f))] = readText(io, f)));
  // Policy files and directories go into the ConfigMap flat, one key per file.
  let n = 0;
  for (const p of list(v.policy)) {
    const abs = resolve(io.cwd, p);
    const files = statSafe(abs)?.isDirectory() ? policyFiles(abs).map((f) => [f, relative(abs, f)] as const) : [[abs, basename(abs)] as const];
    for (const [file, shown] of files) configFiles[key('policy', n++, shown)] = readText(io, file);
  }
  exemptions.users.push(...list(v['exempt-user']));
  exemptions.groups.push(...list(v['exempt-group']));

  let caBundle: string | undefined;
  if (str(v['ca-bundle'])) caBundle = readText(io, str(v['ca-bundle'])!);
  const generate = str(v['generate-cert']);
  if (generate) {
    if (caBundle) throw usage('--generate-cert and --ca-bundle exclude each other', '--generate-cert');
    const dir = resolve(io.cwd, generate);
    const secret = str(v['tls-secret']) ?? 'palisade-admission-tls';
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const { ca, server } = webhookCertificates({ service: name, namespace });
      writeFileSync(resolve(dir, 'ca.crt'), ca.certPem);
      writeFileSync(resolve(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
      writeFileSync(resolve(dir, 'tls.crt'), server.certPem);
      writeFileSync(resolve(dir, 'tls.key'), server.keyPem, { mode: 0o600 });
      caBundle = ca.certPem;
    } catch (e) {
      throw new PalisadeError(diagnostic('PALISADE_ADMISSION_CERT_GENERATION', { dir: generate, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: generate }));
    }
    // The key stays out of the printed stream: it goes to the cluster as a Secret directly.
    io.stderr.write(`palisade admission: wrote the CA and serving certificate to ${generate}; create the Secret with:\n  kubectl create namespace ${namespace} --dry-run=client -o yaml | kubectl apply -f -\n  kubectl -n ${namespace} create secret tls ${secret} --cert=${generate}/tls.crt --key=${generate}/tls.key\n`);
  }

  io.stdout.write(
    renderManifests({
      namespace,
      name,
      image: str(v.image) ?? DEFAULT_IMAGE,
      replicas,
      caBundle,
      failurePolicy: (str(v['failure-policy']) ?? 'Fail') as 'Fail' | 'Ignore',
      timeoutSeconds,
      serveArgs: [...forwardedArgs(v), ...args.positionals],
      configFiles,
      matchConditions: v['match-conditions'] === true ? { users: [...new Set(exemptions.users)], groups: [...new Set(exemptions.groups)] } : undefined,
      observe: v['no-context-kinds'] !== true,
      contextKinds: v['no-context-kinds'] !== true,
      tlsSecret: str(v['tls-secret']) ?? 'palisade-admission-tls',
    }),
  );
  return EXIT.ok;
}
