import type { Command } from './command.js';
import { command as admission } from './admission/index.js';
import { command as audit } from './audit/index.js';
import { command as controls } from './controls/index.js';
import { command as frameworks } from './frameworks/index.js';
import { command as report } from './report/index.js';
import { command as rules } from './rules/index.js';
import { command as scan } from './scan/index.js';
import { command as serve } from './serve/index.js';
import { command as test } from './test/index.js';

/** Every command by name. */
export const COMMANDS: Readonly<Record<string, Command>> = { admission, audit, controls, frameworks, report, rules, scan, serve, test };
