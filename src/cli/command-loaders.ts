/**
 * Commands loaded on demand: `palisade audit analyze` should not pay for importing the
 * store, the server, the cluster client and the report formats (about a second of start-up
 * CPU). commands.ts keeps the eager map for the docs generator; a test keeps both in step.
 */
import type { Command } from './command.js';

export const COMMAND_LOADERS: Readonly<Record<string, () => Promise<Command>>> = {
  admission: async () => (await import('./admission/index.js')).command,
  audit: async () => (await import('./audit/index.js')).command,
  controls: async () => (await import('./controls/index.js')).command,
  frameworks: async () => (await import('./frameworks/index.js')).command,
  report: async () => (await import('./report/index.js')).command,
  rules: async () => (await import('./rules/index.js')).command,
  scan: async () => (await import('./scan/index.js')).command,
  serve: async () => (await import('./serve/index.js')).command,
  test: async () => (await import('./test/index.js')).command,
};
