import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CliIO, ParsedArgs } from '../command.js';
import type { Control } from '../../core/control.js';
import { diagnostic, EXIT, formatDiagnostic, PalisadeError } from '../../core/errors.js';
import { CONTROLS } from '../../controls/registry.js';
import { loadManifests } from '../../sources/manifests.js';
import { ACTIONS, loadAdmissionConfig, mergeSettings, type Action, type AdmissionSettings, type Mutation, type ResourceList } from '../../admission/config.js';
import { ContextCache } from '../../admission/context-cache.js';
import { DecisionLog } from '../../admission/decision-log.js';
import type { JudgeSet } from '../../admission/judge.js';
import { AdmissionMetrics } from '../../admission/metrics.js';
import { parseQuantity } from '../../admission/quantity.js';
import { ADMISSION_CONTROLS } from '../../admission/quota-controls.js';
import { DigestResolver } from '../../admission/registry-client.js';
import { startAdmissionServer, type LogFn } from '../../admission/server.js';
import { webhookCertificates } from '../../admission/x509.js';
import { connectionLimitsFrom } from '../connection-options.js';
import { list, resolveJudging, str, type Judging } from '../judging-options.js';

function usage(detail: string, field: string): PalisadeError {
  return new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail }, { field }));
}

function pairs(values: string[], flag: string, what: string): [string, string][] {
  return values.map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0) throw usage(`--${flag}: expected ${what}, got "${v}"`, `--${flag}`);
    return [v.slice(0, eq), v.slice(eq + 1)];
  });
}

function positiveInt(v: string | undefined, flag: string, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw usage(`--${flag}: expected a whole number of at least ${min}, got "${v}"`, `--${flag}`);
  return n;
}

function resourceList(values: string[], flag: string): ResourceList {
  const out: ResourceList = {};
  for (const [k, q] of pairs(values, flag, 'RESOURCE=QUANTITY')) {
    if (k !== 'cpu' && k !== 'memory') throw usage(`--${flag}: resource must be cpu or memory, got "${k}"`, `--${flag}`);
    if (parseQuantity(q) === undefined) throw usage(`--${flag}: "${q}" is not a Kubernetes quantity`, `--${flag}`);
    out[k] = q;
  }
  return out;
}

/** The admission settings the flags ask for (a layer over the admission configuration file). */
export function settingsFromFlags(v: ParsedArgs['values'], knownControls: ReadonlySet<string>): Partial<AdmissionSettings> {
  const s: Partial<AdmissionSettings> = {};
  const sev = str(v['deny-at']);
  if (sev) s.denyAt = sev as AdmissionSettings['denyAt'];
  const warn = str(v['warn-at']);
  if (warn) s.warnAt = warn as AdmissionSettings['warnAt'];
  const actions: Record<string, Action> = {};
  for (const [id, a] of pairs(list(v.action), 'action', 'ID=ACTION')) {
    if (!knownControls.has(id)) throw usage(`--action: unknown control id ${id} (see \`palisade controls\`)`, '--action');
    if (!(ACTIONS as readonly string[]).includes(a)) throw usage(`--action: expected one of ${ACTIONS.join(', ')}, got "${a}"`, '--action');
    actions[id] = a as Action;
  }
  if (Object.keys(actions).length) s.actions = actions;
  if (v['dry-run'] === true) s.dryRun = true;
  if (v['block-existing'] === true) s.blockExisting = true;
  if (v['include-subresources'] === true) s.includeSubresources = true;
  const labels = Object.fromEntries(pairs(list(v['exempt-label']), 'exempt-label', 'KEY=VALUE'));
  s.exemptions = { namespaces: list(v['exempt-namespace']), users: list(v['exempt-user']), groups: list(v['exempt-group']), labels };
  const registries: Partial<AdmissionSettings['registries']> = {};
  if (v['require-digest'] === true) registries.requireDigest = true;
  if (v['refuse-latest'] === true) registries.refuseLatest = true;
  if (v['resolve-digests'] === true) registries.resolveDigests = true;
  if (list(v['insecure-registry']).length) registries.insecure = list(v['insecure-registry']);
  if (str(v['registry-ca'])) registries.caFile = str(v['registry-ca']);
  s.registries = registries as AdmissionSettings['registries'];
  if (v['require-requests'] === true) s.requireRequests = true;
  if (v['require-limits'] === true) s.requireLimits = true;
  if (list(v.mutation).length) s.mutations = list(v.mutation) as Mutation[];
  const requests = resourceList(list(v['default-request']), 'default-request');
  const limits = resourceList(list(v['default-limit']), 'default-limit');
  if (Object.keys(requests).length || Object.keys(limits).length) s.defaultResources = { requests, limits };
  const maxBody = positiveInt(str(v['max-body']), 'max-body', 1024);
  if (maxBody) s.maxBodyBytes = maxBody;
  const overload: Partial<AdmissionSettings['overload']> = {};
  const maxInFlight = positiveInt(str(v['max-in-flight']), 'max-in-flight');
  if (maxInFlight) overload.maxInFlight = maxInFlight;
  const maxQueue = positiveInt(str(v['max-queue-ms']), 'max-queue-ms');
  if (maxQueue) overload.maxQueueMs = maxQueue;
  if (str(v.overload)) overload.mode = str(v.overload) as 'open' | 'closed';
  s.overload = overload as AdmissionSettings['overload'];
  if (str(v['decision-log'])) s.decisionLog = str(v['decision-log']);
  return s;
}

/** Every control id the webhook knows: the built-in ones and its own. */
export function knownControlIds(): Set<string> {
  return new Set([...Object.keys(CONTROLS), ...ADMISSION_CONTROLS.map((c) => c.meta.id)]);
}

/** Registry and resource switches are per-control actions on built-in controls, which must then run. */
export function applyPolicySwitches(settings: AdmissionSettings): AdmissionSettings {
  const deny = (ids: string[]) => {
    for (const id of ids) settings.actions[id] ??= 'deny';
  };
  if (settings.registries.refuseLatest) deny(['PAL-IMG-001']);
  if (settings.registries.requireDigest) deny(['PAL-IMG-002']);
  if (settings.requireLimits) deny(['PAL-RES-001', 'PAL-RES-002']);
  if (settings.requireRequests) deny(['PAL-RES-003', 'PAL-RES-004']);
  return settings;
}

/** The Judging's controls plus the webhook's own and those its switches need. */
export function judgeFrom(judging: Judging, settings: AdmissionSettings, onlySelected: boolean): JudgeSet {
  const controls: Control[] = [...judging.controls];
  const have = new Set(controls.map((c) => c.meta.id));
  if (!onlySelected) for (const c of ADMISSION_CONTROLS) if (!have.has(c.meta.id)) controls.push(c);
  for (const [id, action] of Object.entries(settings.actions)) {
    if (action === 'deny' && !have.has(id) && CONTROLS[id]) controls.push(CONTROLS[id]!);
  }
  return {
    controls,
    settings: judging.settings,
    controlOptions: judging.controlOptions,
    severityOverrides: judging.severityOverrides,
    exceptionFor: judging.exceptions.exceptionFor,
  };
}

/**
 * The admission settings from files: the `admission:` section of the configuration file
 * (`--config`, or .palisade.yaml here), then `--admission-config FILE` over it.
 */
export function admissionFileLayers(v: ParsedArgs['values'], io: CliIO, judging: Judging, known: ReadonlySet<string>): Partial<AdmissionSettings>[] {
  const layers: Partial<AdmissionSettings>[] = [];
  const load = (file: string, section?: string) => {
    const loaded = loadAdmissionConfig(resolve(io.cwd, file), known, section);
    if (loaded.diagnostics.length) throw new PalisadeError(loaded.diagnostics[0]!, EXIT.input, loaded.diagnostics);
    layers.push(loaded.settings);
  };
  // The same file resolveJudging read; its schema check already passed, the control ids in
  // actions are checked here (the webhook knows controls scan does not).
  const configFile = str(v.config) ?? (existsSync(resolve(io.cwd, '.palisade.yaml')) ? '.palisade.yaml' : undefined);
  if (configFile && judging.config.admission) load(configFile, 'admission');
  const admissionConfig = str(v['admission-config']);
  if (admissionConfig) load(admissionConfig);
  return layers;
}

export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:]*)):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw usage(`--listen: expected HOST:PORT (e.g. 0.0.0.0:8443, [::1]:8443), got "${v}"`, '--listen');
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/**
 * Uses the certificates in `dir`, creating a CA and a serving certificate for `service` (in
 * namespace palisade) and `names` when there are none; shared by `admission serve` and `serve`.
 * The CA key is written only when `keepCaKey` is set; otherwise nothing can sign with the CA later.
 */
export function ensureCertificates(
  dir: string,
  opts: { service: string; names: readonly string[]; keepCaKey: boolean },
): { certFile: string; keyFile: string; caFile: string; created: boolean } {
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  const caFile = join(dir, 'ca.crt');
  if (existsSync(certFile) && existsSync(keyFile) && existsSync(caFile)) return { certFile, keyFile, caFile, created: false };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { ca, server } = webhookCertificates({ service: opts.service, namespace: 'palisade', extraNames: opts.names });
    writeFileSync(caFile, ca.certPem);
    if (opts.keepCaKey) writeFileSync(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
    writeFileSync(certFile, server.certPem);
    writeFileSync(keyFile, server.keyPem, { mode: 0o600 });
  } catch (e) {
    throw new PalisadeError(diagnostic('PALISADE_ADMISSION_CERT_GENERATION', { dir, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: dir }));
  }
  return { certFile, keyFile, caFile, created: true };
}

export async function runServe(args: ParsedArgs, io: CliIO): Promise<number> {
  const v = args.values;
  const first = resolveJudging(args, io);
  for (const d of first.diagnostics) io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
  // Actions may name built-in controls, the webhook's own and those of --policy files.
  const known = new Set([...knownControlIds(), ...first.controls.map((c) => c.meta.id)]);
  const settings = applyPolicySwitches(mergeSettings(...admissionFileLayers(v, io, first, known), settingsFromFlags(v, known)));
  const onlySelected = list(v.control).length > 0;
  const makeJudge = (judging: Judging = resolveJudging(args, io)) => judgeFrom(judging, settings, onlySelected);
  const judge = makeJudge(first);

  const { host, port } = parseListen(str(v.listen) ?? '0.0.0.0:8443');
  const connections = connectionLimitsFrom(v);
  let certFile = str(v['tls-cert']);
  let keyFile = str(v['tls-key']);
  const generateDir = str(v['generate-cert']);
  if (generateDir) {
    if (certFile || keyFile) throw usage('--generate-cert and --tls-cert/--tls-key exclude each other', '--generate-cert');
    const names = ['localhost', '127.0.0.1', '::1', ...(host !== '0.0.0.0' && host !== '::' ? [host] : [])];
    const g = ensureCertificates(resolve(io.cwd, generateDir), { service: 'palisade-admission', names, keepCaKey: true });
    certFile = g.certFile;
    keyFile = g.keyFile;
    const caPem = readFileSync(g.caFile, 'utf8');
    io.stderr.write(`palisade admission: ${g.created ? 'created' : 'using'} CA and serving certificate in ${generateDir}; CA bundle (${g.caFile}) for clientConfig.caBundle:\n${Buffer.from(caPem).toString('base64')}\n`);
  } else if (!certFile || !keyFile) {
    throw usage('serve needs --tls-cert and --tls-key (the API server calls webhooks over HTTPS only), or --generate-cert DIR', '--tls-cert');
  } else {
    certFile = resolve(io.cwd, certFile);
    keyFile = resolve(io.cwd, keyFile);
  }

  const cache = new ContextCache(settings.cache.kinds, settings.cache.maxObjects);
  const contextPaths = list(v.context);
  if (contextPaths.length) {
    const loaded = loadManifests(contextPaths, { root: io.cwd, render: false });
    for (const d of loaded.diagnostics) io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
    for (const r of loaded.resources) cache.put(r);
  }
  let registryCa: Buffer | undefined;
  if (settings.registries.caFile) {
    try {
      registryCa = readFileSync(resolve(io.cwd, settings.registries.caFile));
    } catch (e) {
      throw new PalisadeError(diagnostic('PALISADE_ADMISSION_TLS', { file: settings.registries.caFile, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: settings.registries.caFile }));
    }
  }
  const digests = settings.registries.resolveDigests
    ? new DigestResolver({ insecure: settings.registries.insecure, ca: registryCa, timeoutMs: settings.registries.timeoutMs, cacheSeconds: settings.registries.cacheSeconds })
    : undefined;
  const metrics = new AdmissionMetrics();
  const decisionLog = settings.decisionLog ? new DecisionLog(settings.decisionLog === '-' ? '-' : resolve(io.cwd, settings.decisionLog), () => metrics.logDropped.inc()) : undefined;
  const log: LogFn = (level, msg, fields) => {
    if (level === 'debug' && !io.env.PALISADE_DEBUG) return;
    io.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
  };
  const server = await startAdmissionServer({ host, port, certFile, keyFile, clientCaFile: str(v['client-ca']) ? resolve(io.cwd, str(v['client-ca'])!) : undefined, judge, settings, cache, digests, decisionLog, metrics, log, connections });
  log('info', `listening on ${server.url}`, {
    controls: judge.controls.length,
    denyAt: settings.denyAt,
    warnAt: settings.warnAt,
    mode: settings.dryRun ? 'dry-run' : 'enforce',
    overload: settings.overload.mode,
    mutations: settings.mutations,
    contextObjects: cache.size,
  });

  // Exceptions expire by the day and configuration files may change: judge with a fresh
  // Judging on SIGHUP and whenever the UTC date changes.
  let day = new Date().toISOString().slice(0, 10);
  const reload = (why: string) => {
    try {
      server.setJudge(makeJudge());
      log('info', `configuration reloaded (${why})`);
    } catch (e) {
      log('error', `configuration not reloaded (${why}), keeping the current one: ${e instanceof PalisadeError ? e.message : (e as Error).message}`);
    }
  };
  const daily = setInterval(() => {
    const today = new Date().toISOString().slice(0, 10);
    if (today !== day) {
      day = today;
      reload('new day: exception expiry');
    }
  }, 60_000);
  daily.unref();
  const delayMs = Number(str(v['shutdown-delay']) ?? '0') * 1000;
  const graceMs = Number(str(v['shutdown-grace']) ?? '25') * 1000;
  if (!Number.isFinite(delayMs) || delayMs < 0 || !Number.isFinite(graceMs) || graceMs < 0) throw usage('--shutdown-delay and --shutdown-grace take seconds', '--shutdown-delay');
  const stop = (signal: string) => {
    log('info', `${signal}: draining (${server.inFlight} in flight)`);
    void server.close({ delayMs, graceMs });
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  const onHup = () => reload('SIGHUP');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', onHup);
  try {
    await server.closed;
  } finally {
    clearInterval(daily);
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.off('SIGHUP', onHup);
    digests?.close();
  }
  log('info', 'stopped');
  return EXIT.ok;
}
