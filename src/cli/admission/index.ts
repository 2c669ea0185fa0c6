import type { Command, CommandSpec } from '../command.js';
import { diagnostic, PalisadeError } from '../../core/errors.js';
import { JUDGING_OPTIONS } from '../judging-options.js';
import { MANIFESTS_ONLY, POLICY_OPTIONS, SERVE_ONLY, SHARED } from './options.js';
import { runManifests } from './manifests.js';
import { runServe } from './serve.js';

export const SERVE_OPTION_NAMES: ReadonlySet<string> = new Set([...POLICY_OPTIONS, ...SERVE_ONLY, ...SHARED, ...JUDGING_OPTIONS].map((o) => o.name));
export const MANIFESTS_OPTION_NAMES: ReadonlySet<string> = new Set([...POLICY_OPTIONS, ...MANIFESTS_ONLY, ...SHARED, ...JUDGING_OPTIONS].map((o) => o.name));

export const spec: CommandSpec = {
  name: 'admission',
  summary: 'Run the admission webhook (serve) or print the manifests that deploy it (manifests).',
  usage: 'palisade admission serve [options] | palisade admission manifests [options] [-- SERVE-ARGS...]',
  description: [
    'serve: an HTTPS server answering AdmissionReview v1 at /validate and /mutate (plus /healthz, /readyz, /metrics), judging each object with the same controls, settings, severities and exceptions as `palisade scan`. SIGTERM drains and exits 0.',
    'manifests: prints Namespace, ServiceAccount, Deployment, Service, NetworkPolicies and the webhook configurations, ready for `kubectl apply -f -`; policy options given here are passed to the Deployment.',
  ].join('\n'),
  options: [...SERVE_ONLY, ...MANIFESTS_ONLY, ...SHARED, ...POLICY_OPTIONS, ...JUDGING_OPTIONS],
  examples: [
    'palisade admission serve --tls-cert tls.crt --tls-key tls.key --refuse-latest --deny-at high',
    'palisade admission serve --generate-cert ./certs --listen 127.0.0.1:8443 --dry-run --decision-log -',
    'palisade admission serve --framework pss-restricted --mutation seccomp-runtime-default --mutation no-privilege-escalation',
    'palisade admission manifests --generate-cert ./certs --refuse-latest | kubectl apply -f -',
  ],
};

export const command: Command = {
  spec,
  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    const allowed = sub === 'serve' ? SERVE_OPTION_NAMES : sub === 'manifests' ? MANIFESTS_OPTION_NAMES : undefined;
    if (!allowed) {
      throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: sub ? `unknown subcommand "${sub}"; expected serve or manifests` : 'expected a subcommand: serve or manifests' }, { field: sub }));
    }
    for (const [name, v] of Object.entries(args.values)) {
      if (v === undefined || name === 'help') continue;
      const declared = spec.options.find((o) => o.name === name);
      if (declared?.default !== undefined && v === declared.default) continue;
      if (!allowed.has(name)) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--${name} is not an option of \`admission ${sub}\`` }, { field: `--${name}` }));
    }
    if (sub === 'serve') {
      if (rest.length) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `unexpected argument "${rest[0]}"` }, { field: rest[0] }));
      return runServe(args, io);
    }
    return runManifests({ values: args.values, positionals: rest }, io);
  },
};
