import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PalisadeError } from '../core/errors.js';
import { openStore, parseStoreUrl, redactStoreUrl } from './index.js';
import { storeSuite } from './store-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeSuite('sqlite', () => ({
  fresh: async () => `sqlite:${join(dir, `store-${++n}.db`)}`,
  files: async (url) => [url.slice('sqlite:'.length), `${url.slice('sqlite:'.length)}-wal`].filter(existsSync).map((f) => readFileSync(f)),
}));

test('store URLs: sqlite forms, postgres, and coded errors for the rest', async () => {
  assert.deepEqual(parseStoreUrl('sqlite::memory:'), { dialect: 'sqlite', file: ':memory:' });
  assert.deepEqual(parseStoreUrl('sqlite:data/p.db'), { dialect: 'sqlite', file: 'data/p.db' });
  assert.deepEqual(parseStoreUrl('sqlite:///var/lib/p.db'), { dialect: 'sqlite', file: '/var/lib/p.db' });
  assert.deepEqual(parseStoreUrl('./p.db'), { dialect: 'sqlite', file: './p.db' });
  assert.equal(parseStoreUrl('postgresql://u:pw@db:5432/pal').dialect, 'postgres');
  assert.equal(redactStoreUrl('postgres://u:s3cret@db/pal'), 'postgres://u:***@db/pal');
  for (const bad of ['mysql://db/x', '', 'sqlite:']) {
    assert.throws(() => parseStoreUrl(bad), (e: unknown) => e instanceof PalisadeError && e.diagnostic.code === 'PALISADE_STORE_URL');
  }
  await assert.rejects(openStore('redis://u:s3cret@h/0'), (e: unknown) => e instanceof PalisadeError && e.diagnostic.code === 'PALISADE_STORE_URL' && !e.message.includes('s3cret'));
  await assert.rejects(openStore(`sqlite:${join(dir, 'missing-dir', 'x.db')}`), (e: unknown) => e instanceof PalisadeError && e.diagnostic.code === 'PALISADE_STORE_OPEN');
  const mem = await openStore('sqlite::memory:');
  assert.equal((await mem.listClusters()).length, 0);
  await mem.close();
});
