import { relative, resolve } from 'node:path';
import type { Command, CommandSpec } from '../command.js';
import { diagnostic, EXIT, formatDiagnostic, PalisadeError } from '../../core/errors.js';
import { loadAuditRules } from '../../detect/audit/detector.js';
import { readRulesOrThrow, ruleFilesFrom, RULES_OPTIONS } from '../audit/index.js';

export const spec: CommandSpec = {
  name: 'rules',
  summary: 'Validate Falco-format detection rules files (rules validate) or list the loaded rules (rules list).',
  usage: 'palisade rules validate FILE... | palisade rules list [--rules FILE]... [--no-builtin]',
  description: [
    'validate: loads the files in order as one ruleset (like falco -r a -r b) and reports every YAML, syntax, unknown field, unknown macro and override problem as file:line:column. Exit 0 when valid, 2 otherwise. Rules of sources other than k8s_audit are syntax-checked and noted.',
    'list: the rules after all overrides, with priority, source, whether enabled, and tags.',
  ].join('\n'),
  options: [...RULES_OPTIONS, { name: 'format', short: 'f', type: 'string', valueName: 'FORMAT', description: 'Output format of list.', choices: ['table', 'json'], default: 'table' }],
  examples: ['palisade rules validate my-rules.yaml', 'palisade rules list --rules my-rules.yaml --format json'],
};

export const command: Command = {
  spec,
  run(args, io) {
    const [sub, ...files] = args.positionals;
    const v = args.values;
    if (sub === 'validate') {
      if (!files.length) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: 'give at least one rules FILE to validate' }));
      const paths = [...(Array.isArray(v.rules) ? v.rules.map(String) : []), ...files].map((f) => resolve(io.cwd, f));
      const loaded = loadAuditRules(readRulesOrThrow(paths, io.cwd));
      for (const d of loaded.diagnostics) io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
      const errors = loaded.diagnostics.filter((d) => d.level === 'error').length;
      io.stdout.write(errors ? `${errors} error(s)\n` : `ok: ${loaded.rules.length} k8s_audit rule(s) in ${paths.map((p) => relative(io.cwd, p) || p).join(', ')}\n`);
      return errors ? EXIT.input : EXIT.ok;
    }
    if (sub === 'list') {
      if (files.length) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `unexpected argument "${files[0]}"; give rules files with --rules` }, { field: files[0] }));
      const loaded = loadAuditRules(readRulesOrThrow(ruleFilesFrom(v, io.cwd), io.cwd));
      for (const d of loaded.diagnostics) if (d.level !== 'note') io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
      const rows = loaded.loader.summaries();
      if (v.format === 'json') io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else {
        const w = Math.max(4, ...rows.map((r) => r.name.length));
        for (const r of rows) io.stdout.write(`${r.name.padEnd(w)}  ${r.priority.padEnd(13)}  ${r.source.padEnd(9)}  ${r.enabled ? 'enabled ' : 'disabled'}  ${r.tags.join(',')}\n`);
        io.stdout.write(`${rows.length} rule(s)\n`);
      }
      return loaded.diagnostics.some((d) => d.level === 'error') ? EXIT.input : EXIT.ok;
    }
    throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: sub ? `unknown subcommand "${sub}"; expected validate or list` : 'expected a subcommand: validate or list' }, { field: sub }));
  },
};
