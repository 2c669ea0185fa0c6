import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { gunzipIfNeeded, readAuditEvents, type AuditRecord } from './reader.js';
import { rawEvent } from './test-events.js';
import { builtinRuleFiles, loadAuditRules, readRuleFiles } from './detector.js';
import { formatDiagnostic } from '../../core/errors.js';

async function collect(chunks: (Buffer | string)[], max = 1024 * 1024): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of readAuditEvents(Readable.from(chunks), 'in.jsonl', { maxLineBytes: max, maxDocumentBytes: 1 << 20 })) out.push(r);
  return out;
}
const summary = (rs: AuditRecord[]) => rs.map((r) => ('event' in r ? `event@${r.line}:${String(r.event.raw.verb)}` : `${r.diagnostic.code}@${r.diagnostic.line}`));

describe('audit log reader', () => {
  it('splits lines across chunk boundaries, including inside a multi-byte character', async () => {
    const text = JSON.stringify(rawEvent({ verb: 'get', user: { username: 'zoë' } })) + '\r\n\n' + JSON.stringify(rawEvent({ verb: 'list' }));
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from('ë')) + 1;
    const rs = await collect([bytes.subarray(0, cut), bytes.subarray(cut, cut + 7), bytes.subarray(cut + 7)]);
    assert.deepEqual(summary(rs), ['event@1:get', 'event@3:list']);
    assert.equal((rs[0] as unknown as { event: { raw: { user: { username: string } } } }).event.raw.user.username, 'zoë');
  });
  it('reports bad lines and over-long lines by number and goes on', async () => {
    const good = JSON.stringify(rawEvent({ verb: 'watch' }));
    const rs = await collect([`${good}\nnot json\n{"kind":"Event","apiVersion":"audit.k8s.io/v1"}\n${'x'.repeat(1100)}`, `${'y'.repeat(1100)}\n${good}\n`], 2048);
    assert.deepEqual(summary(rs), ['event@1:watch', 'PALISADE_DETECT_BAD_EVENT@2', 'PALISADE_DETECT_BAD_EVENT@3', 'PALISADE_DETECT_LINE_TOO_LONG@4', 'event@5:watch']);
  });
  it('reads a one-line EventList and a JSON array of events', async () => {
    assert.deepEqual(summary(await collect([JSON.stringify({ kind: 'EventList', items: [rawEvent({ verb: 'get' }), { nope: 1 }] })])), ['event@1:get', 'PALISADE_DETECT_BAD_EVENT@1']);
    assert.deepEqual(summary(await collect([JSON.stringify([rawEvent({ verb: 'patch' })], null, 1)])), ['event@1:patch']);
  });
});

describe('gzip on a stream', () => {
  it('is recognised by its magic bytes and passed through otherwise', async () => {
    const text = JSON.stringify(rawEvent({ verb: 'delete' })) + '\n';
    const gz = gzipSync(text);
    const rs: AuditRecord[] = [];
    for await (const r of readAuditEvents(gunzipIfNeeded(Readable.from([gz.subarray(0, 5), gz.subarray(5)])), '-')) rs.push(r);
    assert.deepEqual(summary(rs), ['event@1:delete']);
    const plain: AuditRecord[] = [];
    for await (const r of readAuditEvents(gunzipIfNeeded(Readable.from([Buffer.from(text)])), '-')) plain.push(r);
    assert.deepEqual(summary(plain), ['event@1:delete']);
  });
});

describe('built-in rules', () => {
  it('every src/detect/rules/*.yaml loads without errors', () => {
    const files = builtinRuleFiles();
    const loaded = loadAuditRules(readRuleFiles(files));
    assert.deepEqual(loaded.diagnostics.filter((d) => d.level === 'error').map(formatDiagnostic), []);
  });
});
