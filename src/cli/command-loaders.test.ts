import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMAND_LOADERS } from './command-loaders.js';
import { COMMANDS } from './commands.js';

test('every command has a lazy loader that loads the same command the docs are generated from', async () => {
  assert.deepEqual(Object.keys(COMMAND_LOADERS).sort(), Object.keys(COMMANDS).sort());
  for (const [name, load] of Object.entries(COMMAND_LOADERS)) assert.equal(await load(), COMMANDS[name], name);
});
