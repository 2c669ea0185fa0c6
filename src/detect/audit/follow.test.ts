import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { followFile } from './follow.js';

async function collect(path: string, steps: (() => void)[], pollMs = 20): Promise<{ text: string; rotations: string[] }> {
  const ac = new AbortController();
  const rotations: string[] = [];
  let text = '';
  const reading = (async () => {
    for await (const chunk of followFile(path, { signal: ac.signal, pollMs, onRotate: (how) => rotations.push(how) })) text += chunk.toString('utf8');
  })();
  for (const step of steps) {
    await sleep(pollMs * 4);
    step();
  }
  await sleep(pollMs * 5);
  ac.abort();
  await reading;
  return { text, rotations };
}

test('follows a growing log across a rename rotation, reading the old file to its end first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-follow-'));
  const log = join(dir, 'audit.log');
  writeFileSync(log, 'a\n');
  const { text, rotations } = await collect(log, [
    () => appendFileSync(log, 'b\n'),
    () => {
      renameSync(log, join(dir, 'audit-1.log'));
      appendFileSync(join(dir, 'audit-1.log'), 'c-late\n'); // the writer had not switched yet
      writeFileSync(log, 'd\n');
    },
    () => appendFileSync(log, 'e\n'),
  ]);
  assert.equal(text, 'a\nb\nc-late\nd\ne\n');
  assert.deepEqual(rotations, ['rotated']);
});

test('starts again from the top after copytruncate, and never joins a partial last line to the next file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-follow-'));
  const log = join(dir, 'audit.log');
  writeFileSync(log, 'one\ntwo');
  const { text, rotations } = await collect(log, [
    () => truncateSync(log, 0),
    () => appendFileSync(log, 'three\n'),
  ]);
  assert.equal(text, 'one\ntwo\nthree\n');
  assert.deepEqual(rotations, ['truncated']);
});

test('waits while the path is missing in the middle of a rotation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-follow-'));
  const log = join(dir, 'audit.log');
  writeFileSync(log, 'x\n');
  const { text } = await collect(log, [
    () => renameSync(log, join(dir, 'old.log')),
    () => writeFileSync(log, 'y\n'),
  ]);
  assert.equal(text, 'x\ny\n');
});
