import { main } from './main.js';
import type { CliIO } from './command.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output (tests). */
export async function runCli(argv: string[], opts: { cwd: string; stdin?: string; isTTY?: boolean; env?: Record<string, string>; now?: Date }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    isTTY: opts.isTTY ?? false,
    cwd: opts.cwd,
    readStdin: () => opts.stdin ?? '',
    env: opts.env ?? {},
    now: opts.now ? () => opts.now! : undefined,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
