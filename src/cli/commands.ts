import type { Command } from './command.js';
import { command as admission } from './admission/index.js';
import { command as controls } from './controls/index.js';
import { command as frameworks } from './frameworks/index.js';
import { command as scan } from './scan/index.js';
import { command as test } from './test/index.js';

/** Every command by name. */
export const COMMANDS: Readonly<Record<string, Command>> = { admission, controls, frameworks, scan, test };
