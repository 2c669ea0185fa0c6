import { readFileSync } from 'node:fs';
import { EXIT, formatDiagnostic, PalisadeError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { parseCommandArgs, renderHelp, type CliIO } from './command.js';
import type { Command } from './command.js';
import { COMMAND_LOADERS } from './command-loaders.js';

async function topHelp(): Promise<string> {
  const names = Object.keys(COMMAND_LOADERS);
  const commands: Command[] = await Promise.all(names.map((n) => COMMAND_LOADERS[n]!()));
  const w = Math.max(...names.map((n) => n.length));
  return [
    'Palisade — Kubernetes security and continuous compliance.',
    '',
    'Usage: palisade <command> [options]',
    '',
    'Commands:',
    ...commands.map((c, i) => `  ${names[i]!.padEnd(w)}  ${c.spec.summary}`),
    '',
    'Run `palisade <command> --help` for a command\'s options. Reference: docs/cli.md',
    '',
  ].join('\n');
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: !!process.stdout.isTTY,
    cwd: process.cwd(),
    readStdin: () => readFileSync(0, 'utf8'),
    env: process.env,
  };
}

/** Runs one command line; returns the exit code. Never throws for user errors. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(await topHelp());
    return name ? EXIT.ok : EXIT.input;
  }
  if (name === '--version' || name === 'version') {
    io.stdout.write(`palisade ${VERSION}\n`);
    return EXIT.ok;
  }
  const load = Object.hasOwn(COMMAND_LOADERS, name) ? COMMAND_LOADERS[name] : undefined;
  if (!load) {
    io.stderr.write(`palisade: error: unknown command "${name}" [PALISADE_CLI_UNKNOWN_COMMAND]\n\n${await topHelp()}`);
    return EXIT.input;
  }
  const cmd = await load();
  try {
    const args = parseCommandArgs(cmd.spec, rest);
    if (args.values.help) {
      io.stdout.write(renderHelp(cmd.spec));
      return EXIT.ok;
    }
    return await cmd.run(args, io);
  } catch (e) {
    if (e instanceof PalisadeError) {
      for (const d of e.diagnostics) io.stderr.write(`palisade: ${formatDiagnostic(d)}\n`);
      if (e.diagnostic.code.startsWith('PALISADE_CLI_')) io.stderr.write(`Run \`palisade ${name} --help\` for usage.\n`);
      return e.exitCode;
    }
    // A bug of ours: say so plainly; the stack only with PALISADE_DEBUG=1.
    io.stderr.write(`palisade: internal error: ${(e as Error)?.message ?? String(e)}\nPlease report it with the command line that caused it.${io.env.PALISADE_DEBUG ? `\n${(e as Error)?.stack}` : ' (PALISADE_DEBUG=1 shows details)'}\n`);
    return EXIT.internal;
  }
}
