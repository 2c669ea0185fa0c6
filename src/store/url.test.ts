import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PalisadeError } from '../core/errors.js';
import { openStore, parseStoreUrl, redactStoreUrl } from './index.js';

test('a store URL is shown without any part of its password', async () => {
  // pg reads the password up to the last @ of the authority, and from a password= query parameter too.
  const cases: Array<[string, string, string]> = [
    ['postgres://u:s3cret@db/pal', 'postgres://u:***@db/pal', 's3cret'],
    ['postgres://u:p@ss@w0rd@db:5432/pal', 'postgres://u:***@db:5432/pal', 'w0rd'],
    ['postgresql://u@db/pal?sslmode=require&password=hunter2', 'postgresql://u@db/pal?sslmode=require&password=***', 'hunter2'],
    ['postgres://db/pal?PASSWORD=hunter2#x', 'postgres://db/pal?PASSWORD=***#x', 'hunter2'],
    ['postgres://:only@db/pal', 'postgres://:***@db/pal', 'only'],
    ['sqlite:/var/lib/p.db', 'sqlite:/var/lib/p.db', '\0'],
  ];
  for (const [url, shown, secret] of cases) {
    assert.equal(redactStoreUrl(url), shown, url);
    assert.ok(!redactStoreUrl(url).includes(secret), url);
  }
  assert.equal(parseStoreUrl('postgres://u:p@ss@db/pal').dialect, 'postgres');
  // Errors that name the URL name the shown one.
  await assert.rejects(openStore('redis://u:p@ss@w0rd@h/0'), (e: unknown) => e instanceof PalisadeError && e.diagnostic.code === 'PALISADE_STORE_URL' && !e.message.includes('w0rd'));
});
