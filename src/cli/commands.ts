import type { Command } from './command.js';
import { command as controls } from './controls/index.js';
import { command as frameworks } from './frameworks/index.js';
import { command as scan } from './scan/index.js';

/** Every command by name. */
export const COMMANDS: Readonly<Record<string, Command>> = { controls, frameworks, scan };
