import { parseArgs } from 'node:util';
import { diagnostic, PalisadeError } from '../core/errors.js';

/** One command-line option, declared as data: parsing, help and docs/cli.md come from it. */
export interface OptionSpec {
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  valueName?: string;
  description: string;
  default?: string | boolean;
  choices?: readonly string[];
  /** The .palisade.yaml key this option overrides, for docs. */
  config?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  description?: string;
  options: readonly OptionSpec[];
  examples?: readonly string[];
}

export interface CliIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** stdout is a terminal (colour, progress). */
  isTTY: boolean;
  cwd: string;
  /** Reads all of standard input (for `-`). */
  readStdin: () => string;
  env: Record<string, string | undefined>;
  /** The current time (tests pin it). */
  now?: () => Date;
}

export interface Command {
  spec: CommandSpec;
  run(args: ParsedArgs, io: CliIO): Promise<number> | number;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', type: 'boolean', description: 'Show help for this command.' };

export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const o of [...spec.options, HELP_OPTION]) {
    options[o.name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const err = e as { code?: string; message: string };
    const opt = /'([^']+)'/.exec(err.message)?.[1];
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new PalisadeError(diagnostic('PALISADE_CLI_UNKNOWN_OPTION', { option: opt ?? err.message }, { field: opt }));
    }
    throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: err.message.split('\n')[0]! }, { field: opt }));
  }
  const values = parsed.values as ParsedArgs['values'];
  for (const o of spec.options) {
    const v = values[o.name];
    if (o.choices && v !== undefined) {
      const list = Array.isArray(v) ? v : [v];
      for (const item of list) {
        if (typeof item === 'string' && !o.choices.includes(item)) {
          throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--${o.name}: expected one of ${o.choices.join(', ')}, got "${item}"` }, { field: `--${o.name}` }));
        }
      }
    }
    if (v === undefined && o.default !== undefined) values[o.name] = o.default;
  }
  return { values, positionals: parsed.positionals };
}

function optionLabel(o: OptionSpec): string {
  const value = o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : '';
  return `${o.short ? `-${o.short}, ` : '    '}--${o.name}${value}`;
}

export function renderHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${spec.usage}`, '', spec.summary];
  if (spec.description) lines.push('', spec.description);
  const opts = [...spec.options, HELP_OPTION];
  const width = Math.max(...opts.map((o) => optionLabel(o).length)) + 2;
  lines.push('', 'Options:');
  for (const o of opts) {
    let d = o.description;
    if (o.choices) d += ` One of: ${o.choices.join(', ')}.`;
    if (o.default !== undefined && o.type === 'string') d += ` Default: ${o.default}.`;
    if (o.multiple) d += ' Repeatable.';
    lines.push(`  ${optionLabel(o).padEnd(width)}${d}`);
  }
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}

/** The CLI reference page, generated from the same data. */
export function renderMarkdown(specs: readonly CommandSpec[]): string {
  const out = ['# Command-line reference', '', '<!-- Generated from src/cli/*/index.ts by `npm run docs`; do not edit. -->', ''];
  for (const s of specs) {
    out.push(`## \`palisade ${s.name}\``, '', s.summary, '', '```', s.usage, '```', '');
    if (s.description) out.push(s.description, '');
    out.push('| option | value | description | config key |', '|---|---|---|---|');
    for (const o of [...s.options, HELP_OPTION]) {
      let d = o.description.replace(/\|/g, '\\|');
      if (o.choices) d += ` One of: ${o.choices.map((c) => `\`${c}\``).join(', ')}.`;
      if (o.default !== undefined && o.type === 'string') d += ` Default: \`${o.default}\`.`;
      if (o.multiple) d += ' Repeatable.';
      out.push(`| ${o.short ? `\`-${o.short}\`, ` : ''}\`--${o.name}\` | ${o.type === 'string' ? `\`${o.valueName ?? 'VALUE'}\`` : ''} | ${d} | ${o.config ? `\`${o.config}\`` : ''} |`);
    }
    out.push('');
    if (s.examples?.length) out.push('Examples:', '', '```sh', ...s.examples, '```', '');
  }
  return out.join('\n');
}
