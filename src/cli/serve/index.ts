import type { Command, CommandSpec, OptionSpec } from '../command.js';
import { diagnostic, PalisadeError } from '../../core/errors.js';
import { connectionOptions } from '../connection-options.js';
import { JUDGING_OPTIONS } from '../judging-options.js';
import { runServe } from './serve.js';
import { runToken } from './token.js';

export const SERVE_OPTIONS: readonly OptionSpec[] = [
  { name: 'db', type: 'string', valueName: 'URL', description: 'Evidence store: sqlite:PATH (or a file path) or postgres://user@host/db. Default: sqlite:palisade.db.' },
  { name: 'listen', type: 'string', valueName: 'HOST:PORT', description: 'Address to serve HTTPS on (port 0 picks a free one). Default: 0.0.0.0:8443.' },
  { name: 'tls-cert', type: 'string', valueName: 'FILE', description: 'Serving certificate (PEM); reloaded when the file changes.' },
  { name: 'tls-key', type: 'string', valueName: 'FILE', description: 'Key of the serving certificate (PEM).' },
  { name: 'tls-self-signed', type: 'boolean', description: 'For local use: create (once) a CA and a certificate for localhost, 127.0.0.1 and ::1 in --tls-dir and serve with it.' },
  { name: 'tls-dir', type: 'string', valueName: 'DIR', description: 'Where --tls-self-signed keeps its certificates. Default: .palisade-tls.' },
  { name: 'cluster-context', type: 'string', multiple: true, valueName: 'CONTEXT', description: 'Watch the cluster of this kubeconfig context and scan it continuously; recorded under the context name.' },
  { name: 'kubeconfig', type: 'string', valueName: 'FILE', description: 'Kubeconfig for --cluster-context. Default: KUBECONFIG, ~/.kube/config, or the in-cluster service account.' },
  { name: 'scan-interval', type: 'string', valueName: 'DURATION', description: 'Full re-list and scan of each watched cluster this often (e.g. 5m, 1h). Default: 5m.' },
  { name: 'scan-debounce', type: 'string', valueName: 'DURATION', description: 'Scan a watched cluster this long after its last change (e.g. 10s). Default: 10s.' },
  { name: 'retention-days', type: 'string', valueName: 'DAYS', description: 'Delete scans, resolved findings, alerts and admission decisions older than this; 0 keeps everything. Default: 0.' },
  { name: 'max-scan-body', type: 'string', valueName: 'BYTES', description: 'Largest JSON report accepted by POST /api/v1/ingest/scan (413 beyond). Default: 67108864.' },
  { name: 'max-audit-body', type: 'string', valueName: 'BYTES', description: 'Largest EventList accepted by POST /api/v1/ingest/audit. Default: 33554432.' },
  { name: 'max-ingests', type: 'string', valueName: 'COUNT', description: 'Ingestions (scan reports, audit batches) processed at once; more get 429 with Retry-After. Bounds memory. Default: 2.' },
  { name: 'max-json-body', type: 'string', valueName: 'BYTES', description: 'Largest body of the other POST endpoints. Default: 1048576.' },
  ...connectionOptions('palisade_server_connections_refused_total'),
  { name: 'sign-key', type: 'string', valueName: 'FILE', description: 'Ed25519 private key (PKCS#8 PEM) that signs the manifest of evidence bundles (GET /api/v1/scans/{id}/bundle).' },
  { name: 'shutdown-grace', type: 'string', valueName: 'SECONDS', description: 'After SIGTERM, how long requests in flight may take before connections are closed. Default: 25.' },
  { name: 'name', type: 'string', valueName: 'NAME', description: '`token create`: the token\'s name (shown in audit trails).' },
  { name: 'principal', type: 'string', valueName: 'NAME', description: '`token create`: the person the token acts for; approving an exception needs a token acting for another person than the requester\'s. Default: the token\'s name.' },
  { name: 'role', type: 'string', valueName: 'ROLE', description: '`token create`: viewer, auditor or admin.', choices: ['viewer', 'auditor', 'admin'] },
  { name: 'id', type: 'string', valueName: 'ID', description: '`token revoke`: the token id (from `token list`).' },
];

const TOKEN_OPTIONS = new Set(['db', 'name', 'role', 'principal', 'id']);

export const spec: CommandSpec = {
  name: 'serve',
  summary: 'Run the evidence server: API, dashboard, ingestion from CI and audit logs, continuous cluster scans (serve, serve token).',
  usage: 'palisade serve [--db URL] [--listen HOST:PORT] (--tls-cert FILE --tls-key FILE | --tls-self-signed) [--cluster-context NAME]... [options]\n       palisade serve token create --db URL --name NAME --role viewer|auditor|admin [--principal NAME] | token list --db URL | token revoke --db URL --id ID',
  description: [
    'An HTTPS server over the evidence store (SQLite by default, PostgreSQL by URL): the API under /api/v1 (described by /api/v1/openapi.json), the dashboard at /, /healthz, /readyz and /metrics (Prometheus). Requests carry `Authorization: Bearer <token>`; tokens have the role viewer, auditor or admin.',
    'On its first start with no tokens in the store it creates an admin token and prints it once, on standard error; `serve token create` makes more (the secret is printed once, on standard output).',
    'CI pipelines post `palisade scan --format json` to /api/v1/ingest/scan?cluster=NAME; audit EventLists go to /api/v1/ingest/audit. With --cluster-context the server watches each cluster and records a scan shortly after changes and every --scan-interval. See docs/serve.md.',
    'SIGTERM or SIGINT: readiness fails, new connections stop, requests in flight finish (at most --shutdown-grace), the store closes, exit 0.',
  ].join('\n'),
  options: [...SERVE_OPTIONS, ...JUDGING_OPTIONS],
  examples: [
    'palisade serve --db sqlite:/var/lib/palisade/palisade.db --tls-cert tls.crt --tls-key tls.key',
    'palisade serve --tls-self-signed --listen 127.0.0.1:8443',
    'palisade serve --db postgres://palisade@db/palisade --tls-cert tls.crt --tls-key tls.key --cluster-context prod --cluster-context staging --retention-days 400',
    'palisade serve token create --db sqlite:palisade.db --name ci-prod --role admin',
    'palisade serve token create --db sqlite:palisade.db --name alice-laptop --role admin --principal alice',
    'palisade scan k8s/ --format json | curl --fail -H "Authorization: Bearer $PALISADE_TOKEN" -H "Content-Type: application/json" --data-binary @- "https://palisade.example.com/api/v1/ingest/scan?cluster=prod"',
  ],
};

export const command: Command = {
  spec,
  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    if (sub === 'token') {
      for (const [name, v] of Object.entries(args.values)) {
        if (v === undefined || name === 'help' || TOKEN_OPTIONS.has(name)) continue;
        throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--${name} is not an option of \`serve token\`` }, { field: `--${name}` }));
      }
      return runToken(rest, args.values, io);
    }
    if (sub !== undefined) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `unknown subcommand "${sub}"; expected nothing (serve) or token` }, { field: sub }));
    for (const name of ['name', 'role', 'principal', 'id']) {
      if (args.values[name] !== undefined) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--${name} belongs to \`serve token\`` }, { field: `--${name}` }));
    }
    return runServe(args, io);
  },
};
