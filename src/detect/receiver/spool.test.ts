import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { batchRecord, Spool, SpoolFullError } from './spool.js';

const lines = (from: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => JSON.stringify({ x: from + i })).join('\n') + '\n');

describe('spool', () => {
  it('recovers after a torn write: cuts the tail to the last newline, counts the backlog, appends to a new segment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pal-spool-'));
    try {
      const s = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 20 });
      await s.append(lines(0, 3));
      await s.append(lines(3, 2));
      // A crash in the middle of the next write leaves half a line.
      appendFileSync(s.segmentPath(1), '{"n": 5, "half');
      const again = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 20 });
      assert.equal(again.backlogAtOpen, 5);
      assert.equal(readFileSync(again.segmentPath(1), 'utf8'), lines(0, 5).toString());
      assert.deepEqual(again.segments.map((x) => [x.seq, x.sealed]), [[1, true], [2, false]]);
      await again.close();
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resumes from the committed position and deletes segments before it at open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pal-spool-'));
    try {
      const s = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 40 });
      for (let i = 0; i < 6; i++) await s.append(lines(i * 2, 2));
      const seqs = s.segments.map((x) => x.seq);
      assert.ok(seqs.length >= 3, `rotated into ${seqs.length} segments`);
      s.commit({ segment: seqs[1]!, offset: lines(2, 1).length });
      await s.close();
      const again = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 40 });
      assert.ok(!readdirSync(dir).includes(`seg-${String(seqs[0]).padStart(12, '0')}.log`));
      assert.deepEqual(again.committed, { segment: seqs[1], offset: lines(2, 1).length });
      assert.equal(again.backlogAtOpen, 12 - 4 - 1, "segment 1 (4 lines) and one line of segment 2 were processed");
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('group-commits concurrent appends and refuses beyond the budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pal-spool-'));
    try {
      const s = await Spool.open({ dir, maxBytes: 2000, segmentBytes: 1 << 20 });
      await Promise.all(Array.from({ length: 20 }, (_, i) => s.append(lines(i * 5, 5))));
      assert.equal(statSync(s.segmentPath(1)).size, s.usedBytes);
      assert.equal(readFileSync(s.segmentPath(1), 'utf8').split('\n').length - 1, 100);
      await assert.rejects(s.append(Buffer.alloc(2000, 'x')), SpoolFullError);
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('spools a batch as one line with its event count, and counts batch events in the backlog', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pal-spool-'));
    try {
      const s = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 20 });
      const body = Buffer.from('{\n  "kind": "EventList",\r\n  "items": [{"a": "x\\ny"}, {"b": 2}, {"c": 3}]\n}');
      const rec = batchRecord(3, body);
      assert.equal(rec.toString().split('\n').length, 2, 'one line');
      assert.deepEqual(JSON.parse(rec.toString()), { palisadeEvents: 3, list: { kind: 'EventList', items: [{ a: 'x\ny' }, { b: 2 }, { c: 3 }] } });
      await s.append(rec);
      await s.append(lines(0, 2));
      await s.close();
      const again = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 20 });
      assert.equal(again.backlogAtOpen, 5);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
