/**
 * What the webhook's tests share: certificates in a temp directory, a real HTTPS server on
 * 127.0.0.1, an HTTPS client, and AdmissionReview fixtures for every workload kind.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { K8sObject } from '../core/resource.js';
import { resolveJudging } from '../cli/judging-options.js';
import { parseCommandArgs, type CliIO } from '../cli/command.js';
import { command as admissionCommand } from '../cli/admission/index.js';
import { applyPolicySwitches, judgeFrom, knownControlIds, settingsFromFlags } from '../cli/admission/serve.js';
import { mergeSettings, type AdmissionSettings } from './config.js';
import { ContextCache } from './context-cache.js';
import type { JudgeSet } from './judge.js';
import type { DigestSource } from './mutate.js';
import type { DecisionLog } from './decision-log.js';
import { startAdmissionServer, type AdmissionServer } from './server.js';
import { webhookCertificates } from './x509.js';

export const SHA = 'sha256:' + '0123456789abcdef'.repeat(4);

export interface TempCerts {
  dir: string;
  certFile: string;
  keyFile: string;
  caPem: string;
  cleanup(): void;
}

export function tempCerts(): TempCerts {
  const dir = mkdtempSync(join(tmpdir(), 'pal-adm-'));
  const { ca, server } = webhookCertificates({ service: 'palisade-admission', namespace: 'palisade', extraNames: ['localhost', '127.0.0.1'] });
  writeFileSync(join(dir, 'tls.crt'), server.certPem);
  writeFileSync(join(dir, 'tls.key'), server.keyPem);
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  return { dir, certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), caPem: ca.certPem, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function testIO(cwd = process.cwd()): CliIO {
  return { stdout: { write: () => true }, stderr: { write: () => true }, isTTY: false, cwd, readStdin: () => '', env: {} };
}

/** Settings and judge from a command line of `admission serve`, exactly as the CLI builds them. */
export function judgeFromArgs(argv: string[], cwd = tmpdir()): { judge: JudgeSet; settings: AdmissionSettings } {
  const args = parseCommandArgs(admissionCommand.spec, ['serve', ...argv]);
  const judging = resolveJudging(args, testIO(cwd));
  const known = new Set([...knownControlIds(), ...judging.controls.map((c) => c.meta.id)]);
  const settings = applyPolicySwitches(mergeSettings(settingsFromFlags(args.values, known)));
  return { judge: judgeFrom(judging, settings, false), settings };
}

export interface TestServer {
  server: AdmissionServer;
  certs: TempCerts;
  agent: https.Agent;
  cache: ContextCache;
  settings: AdmissionSettings;
  stop(): Promise<void>;
}

export async function startTestServer(argv: string[] = [], extra: { digests?: DigestSource; decisionLog?: DecisionLog; clientCaFile?: string; certPollMs?: number; settings?: Partial<AdmissionSettings> } = {}): Promise<TestServer> {
  const certs = tempCerts();
  const { judge, settings: base } = judgeFromArgs(argv);
  const settings = extra.settings ? applyPolicySwitches(mergeSettings(base, extra.settings)) : base;
  const cache = new ContextCache(settings.cache.kinds, settings.cache.maxObjects);
  const server = await startAdmissionServer({
    host: '127.0.0.1',
    port: 0,
    certFile: certs.certFile,
    keyFile: certs.keyFile,
    judge,
    settings,
    cache,
    digests: extra.digests,
    decisionLog: extra.decisionLog,
    clientCaFile: extra.clientCaFile,
    certPollMs: extra.certPollMs,
    log: process.env.PALISADE_DEBUG ? (level, message) => process.stderr.write(`[${level}] ${message}\n`) : undefined,
  });
  const agent = new https.Agent({ keepAlive: true, ca: certs.caPem, maxSockets: 16 });
  return {
    server,
    certs,
    agent,
    cache,
    settings,
    async stop() {
      agent.destroy();
      await server.close({ graceMs: 1000 });
      certs.cleanup();
    },
  };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

export function request(
  t: { server: AdmissionServer; agent: https.Agent },
  path: string,
  body?: string | Buffer,
  opts: { method?: string; headers?: Record<string, string>; agent?: https.Agent } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${t.server.url}${path}`,
      {
        method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
        agent: opts.agent ?? t.agent,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs a review and returns the parsed AdmissionReview response. */
export async function review(t: { server: AdmissionServer; agent: https.Agent }, endpoint: '/validate' | '/mutate', body: unknown): Promise<any> {
  const res = await request(t, endpoint, JSON.stringify(body));
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text}`);
  return res.json().response;
}

// ---- fixtures ----

export type Container = Record<string, unknown>;

export const HARDENED_CONTAINER: Container = {
  name: 'app',
  image: `registry.example.com/shop/app:1.4.2@${SHA}`,
  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 10001, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
  readinessProbe: { httpGet: { path: '/readyz', port: 8080 } },
};

export function podSpec(containers: Container[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers, ...extra };
}

export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

const API_VERSION: Record<WorkloadKind, string> = {
  Pod: 'v1',
  ReplicationController: 'v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
};

const RESOURCE: Record<WorkloadKind, string> = {
  Pod: 'pods',
  ReplicationController: 'replicationcontrollers',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
};

/** The JSON path prefix of the pod spec in each kind, as a JSON pointer. */
export const POD_SPEC_POINTER: Record<WorkloadKind, string> = {
  Pod: '/spec',
  ReplicationController: '/spec/template/spec',
  Deployment: '/spec/template/spec',
  ReplicaSet: '/spec/template/spec',
  StatefulSet: '/spec/template/spec',
  DaemonSet: '/spec/template/spec',
  Job: '/spec/template/spec',
  CronJob: '/spec/jobTemplate/spec/template/spec',
};

/** A workload of `kind` named `name` in `namespace` whose pods have `spec`. */
export function workload(kind: WorkloadKind, spec: Record<string, unknown>, name = 'web', namespace = 'shop', labels: Record<string, string> = { app: name }): K8sObject {
  const metadata = { name, namespace, labels };
  const template = { metadata: { labels }, spec: kind === 'Job' || kind === 'CronJob' ? { restartPolicy: 'Never', ...spec } : spec };
  const selector = { matchLabels: labels };
  switch (kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind, metadata, spec };
    case 'ReplicationController':
      return { apiVersion: 'v1', kind, metadata, spec: { replicas: 1, selector: labels, template } };
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
      return { apiVersion: 'apps/v1', kind, metadata, spec: { replicas: 2, selector, template, ...(kind === 'StatefulSet' ? { serviceName: name } : {}) } };
    case 'DaemonSet':
      return { apiVersion: 'apps/v1', kind, metadata, spec: { selector, template } };
    case 'Job':
      return { apiVersion: 'batch/v1', kind, metadata, spec: { template } };
    case 'CronJob':
      return { apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template } } } };
  }
}

let uidCounter = 0;

/** An AdmissionReview v1 request for `object` (or `oldObject` for DELETE). */
export function admissionReview(
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT',
  object: K8sObject | null,
  opts: { oldObject?: K8sObject | null; dryRun?: boolean; subResource?: string; user?: string; groups?: string[]; uid?: string } = {},
): Record<string, unknown> {
  const obj = object ?? opts.oldObject!;
  const kind = obj.kind as WorkloadKind;
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: opts.uid ?? `00000000-0000-4000-8000-${String(++uidCounter).padStart(12, '0')}`,
      kind: { group, version, kind: obj.kind },
      resource: { group, version, resource: RESOURCE[kind] ?? `${obj.kind.toLowerCase()}s` },
      requestKind: { group, version, kind: obj.kind },
      ...(opts.subResource ? { subResource: opts.subResource } : {}),
      name: obj.metadata?.name,
      namespace: obj.metadata?.namespace,
      operation,
      userInfo: { username: opts.user ?? 'alice@example.com', uid: 'u-1', groups: opts.groups ?? ['system:authenticated', 'developers'] },
      object: operation === 'DELETE' || operation === 'CONNECT' ? null : object,
      oldObject: operation === 'UPDATE' || operation === 'DELETE' ? (opts.oldObject ?? null) : null,
      dryRun: opts.dryRun ?? false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions' },
    },
  };
}

export { API_VERSION, RESOURCE };
