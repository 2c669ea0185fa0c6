/**
 * `palisade serve`: opens the store, makes the first admin token when there is none,
 * starts the HTTPS server, the cluster scanners and the daily housekeeping (exception
 * expiry, retention), and runs until SIGTERM or SIGINT.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIO, ParsedArgs } from '../command.js';
import { diagnostic, EXIT, formatDiagnostic, PalisadeError } from '../../core/errors.js';
import { loadSigningKey } from '../../report/bundle.js';
import { ClusterScanner } from '../../server/cluster-scans.js';
import type { LogFn } from '../../server/api.js';
import { ServerMetrics } from '../../server/metrics.js';
import { DEFAULT_LIMITS, startServer } from '../../server/serve.js';
import { connect } from '../../sources/cluster/client.js';
import { openStore, parseStoreUrl } from '../../store/index.js';
import type { Store } from '../../store/types.js';
import { connectionLimitsFrom, durationOption, wholeNumberOption } from '../connection-options.js';
import { list, resolveJudging, str } from '../judging-options.js';
import { ensureCertificates, parseListen } from '../admission/serve.js';

export const DEFAULT_DB = 'sqlite:palisade.db';

const usage = (detail: string, field: string) => new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail }, { field }));

/**
 * The first start of an empty store gets one admin token, printed once on standard error
 * (and nowhere else: not in the JSON log, not in the store, which keeps only its hash).
 */
export async function ensureFirstToken(store: Store, io: CliIO): Promise<boolean> {
  // Cheap check first; the atomic one decides when replicas start together on an empty store.
  if ((await store.countTokens()) > 0) return false;
  const created = await store.createFirstToken('admin', 'admin');
  if (!created) return false;
  const { token, secret } = created;
  io.stderr.write(
    `palisade serve: created the first admin token "${token.name}" (id ${token.id}). It is shown only this once; keep it in a secret store:\n\n    ${secret}\n\n` +
      'Use it as `Authorization: Bearer <token>`; make more with `palisade serve token create`.\n',
  );
  return true;
}

export interface Signals {
  once(event: 'SIGTERM' | 'SIGINT', fn: () => void): unknown;
  off(event: 'SIGTERM' | 'SIGINT', fn: () => void): unknown;
}

export async function runServe(args: ParsedArgs, io: CliIO, signals: Signals = process): Promise<number> {
  const v = args.values;
  const { host, port } = parseListen(str(v.listen) ?? '0.0.0.0:8443');
  // A mistyped store URL is refused before anything is written (certificates, database).
  parseStoreUrl(str(v.db) ?? DEFAULT_DB);
  let certFile = str(v['tls-cert']);
  let keyFile = str(v['tls-key']);
  if (v['tls-self-signed'] === true) {
    if (certFile || keyFile) throw usage('--tls-self-signed and --tls-cert/--tls-key exclude each other', '--tls-self-signed');
    const dir = resolve(io.cwd, str(v['tls-dir']) ?? '.palisade-tls');
    const g = ensureCertificates(dir, { service: 'palisade', names: ['localhost', '127.0.0.1', '::1'], keepCaKey: false });
    certFile = g.certFile;
    keyFile = g.keyFile;
    io.stderr.write(`palisade serve: ${g.created ? 'created' : 'using'} a self-signed certificate in ${dir}; clients trust it with the CA ${g.caFile} (curl --cacert ${g.caFile})\n`);
  } else if (!certFile || !keyFile) {
    throw usage('serve needs --tls-cert and --tls-key (the API carries tokens and evidence: HTTPS only), or --tls-self-signed for local use', '--tls-cert');
  } else {
    certFile = resolve(io.cwd, certFile);
    keyFile = resolve(io.cwd, keyFile);
  }
  const limits = {
    scanBytes: wholeNumberOption(v['max-scan-body'], 'max-scan-body', DEFAULT_LIMITS.scanBytes, 1),
    auditBytes: wholeNumberOption(v['max-audit-body'], 'max-audit-body', DEFAULT_LIMITS.auditBytes, 1),
    jsonBytes: wholeNumberOption(v['max-json-body'], 'max-json-body', DEFAULT_LIMITS.jsonBytes, 1),
    concurrentIngests: wholeNumberOption(v['max-ingests'], 'max-ingests', DEFAULT_LIMITS.concurrentIngests, 1),
  };
  const connections = connectionLimitsFrom(v);
  const retentionDays = wholeNumberOption(v['retention-days'], 'retention-days', 0, 0);
  const graceMs = wholeNumberOption(v['shutdown-grace'], 'shutdown-grace', 25, 0) * 1000;
  const intervalMs = durationOption(v['scan-interval'], 'scan-interval', 300_000);
  const debounceMs = durationOption(v['scan-debounce'], 'scan-debounce', 10_000);
  const signKeyFile = str(v['sign-key']);
  let signingKey;
  if (signKeyFile) {
    let pem: string;
    try {
      pem = readFileSync(resolve(io.cwd, signKeyFile), 'utf8');
    } catch (e) {
      throw new PalisadeError(diagnostic('PALISADE_REPORT_SIGN_KEY', { file: signKeyFile, detail: (e as NodeJS.ErrnoException).code ?? String(e) }, { file: signKeyFile }));
    }
    signingKey = loadSigningKey(pem, signKeyFile);
  }
  const contexts = list(v['cluster-context']);
  // Judging is read before anything starts, so a bad configuration stops here. Policies also
  // describe the findings they made (title, remediation), ingested ones included.
  const judging = contexts.length || list(v.policy).length || str(v.config) ? resolveJudging(args, io) : undefined;
  for (const d of judging?.diagnostics ?? []) io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
  const clients = contexts.map((context) => connect({ context, clusterName: context, kubeconfig: str(v.kubeconfig) ? resolve(io.cwd, str(v.kubeconfig)!) : undefined, env: io.env }));

  const log: LogFn = (level, msg, fields) => {
    if (level === 'debug' && !io.env.PALISADE_DEBUG) return;
    io.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
  };
  const store = await openStore(str(v.db) ?? DEFAULT_DB);
  const metrics = new ServerMetrics();
  let server;
  const scanners: ClusterScanner[] = [];
  let housekeeping: NodeJS.Timeout | undefined;
  try {
    await ensureFirstToken(store, io);
    server = await startServer({ host, port, certFile, keyFile, store, limits, connections, metrics, log, signingKey, policyControls: judging?.controls });
    log('info', `listening on ${server.url}`, { store: store.dialect, clusters: contexts, retentionDays });

    // Exceptions expire by the day; retention runs with them.
    const housekeep = async () => {
      try {
        const expired = await store.expireExceptions(new Date().toISOString().slice(0, 10));
        if (expired) log('info', `${expired} exception(s) expired`);
        if (retentionDays > 0) {
          const removed = await store.applyRetention({ scansDays: retentionDays, resolvedFindingsDays: retentionDays, alertsDays: retentionDays, admissionDays: retentionDays });
          if (removed.scans || removed.findings || removed.alerts || removed.admission) {
            server!.app.scans.clear();
            log('info', 'retention applied', removed);
          }
        }
      } catch (e) {
        metrics.storeErrors.inc({ operation: 'housekeeping' });
        log('error', `housekeeping failed: ${(e as Error).message}`);
      }
    };
    await housekeep();
    housekeeping = setInterval(() => void housekeep(), 3_600_000);
    housekeeping.unref();

    for (const client of clients) {
      const scanner = new ClusterScanner({ cluster: client.cluster, client, store, metrics, judging: () => resolveJudging(args, io), log, debounceMs, intervalMs });
      scanners.push(scanner);
      // A cluster that cannot be reached now is retried with back-off; the server serves meanwhile.
      void scanner.keepStarting((e, retryInMs) => log('error', `cluster ${client.cluster}: cannot start watching (retrying in ${Math.round(retryInMs / 1000)} s): ${e.message}`, { cluster: client.cluster }));
    }

    const signal = await new Promise<string>((done) => {
      const onTerm = () => stop('SIGTERM');
      const onInt = () => stop('SIGINT');
      const stop = (s: string) => {
        signals.off('SIGTERM', onTerm);
        signals.off('SIGINT', onInt);
        done(s);
      };
      signals.once('SIGTERM', onTerm);
      signals.once('SIGINT', onInt);
    });
    log('info', `${signal}: shutting down (${server.inFlight} request(s) in flight)`);
  } finally {
    if (housekeeping) clearInterval(housekeeping);
    await Promise.all(scanners.map((s) => s.stop().catch(() => {})));
    if (server) await server.close({ graceMs });
    await store.close();
  }
  log('info', 'stopped');
  return EXIT.ok;
}
