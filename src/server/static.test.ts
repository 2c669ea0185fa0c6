import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from './test-support.js';

test('dashboard files: content types, CSP, revalidation, client routes, and no way out of the web root', async () => {
  const outside = mkdtempSync(join(tmpdir(), 'pal-web-outside-'));
  const web = mkdtempSync(join(tmpdir(), 'pal-web-'));
  writeFileSync(join(outside, 'secret.txt'), 'not for you');
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Palisade</title>');
  writeFileSync(join(web, 'app.js'), 'export {};');
  writeFileSync(join(web, 'app.css'), 'body{}');
  writeFileSync(join(web, '.env'), 'TOKEN=1');
  mkdirSync(join(web, 'img'));
  writeFileSync(join(web, 'img', 'logo.svg'), '<svg/>');
  symlinkSync(join(outside, 'secret.txt'), join(web, 'leak.txt'));
  const t = await startTestServer({ server: { webRoot: web } });
  try {
    const index = await t.call('GET', '/');
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(String(index.headers['content-security-policy']), /^default-src 'self'/);
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    assert.equal(index.headers['cache-control'], 'no-cache');
    for (const [path, type] of [['/ui/app.js', 'text/javascript; charset=utf-8'], ['/ui/app.css', 'text/css; charset=utf-8'], ['/ui/img/logo.svg', 'image/svg+xml']]) {
      const a = await t.call('GET', path!);
      assert.equal(a.status, 200, path);
      assert.equal(a.headers['content-type'], type, path);
    }
    const etag = String((await t.call('GET', '/ui/app.js')).headers.etag);
    assert.equal((await t.call('GET', '/ui/app.js', { headers: { 'if-none-match': etag } })).status, 304);
    const head = await t.call('HEAD', '/ui/app.js');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    // A client-side route without an extension is the dashboard itself.
    assert.equal((await t.call('GET', '/ui/findings')).text, '<!doctype html><title>Palisade</title>');
    for (const path of ['/ui/../package.json', '/ui/%2e%2e/package.json', '/ui/..%2fpackage.json', '/ui/img/..%2F..%2Fpackage.json', '/ui/.env', '/ui/leak.txt', '/ui/missing.js', '/ui/%00.js', '/ui/img%5c..%5c..%5cpackage.json']) {
      const a = await t.call('GET', path);
      assert.ok(a.status === 404 || a.status === 400, `${path}: ${a.status}`);
      assert.ok(!a.text.includes('not for you') && !a.text.includes('"name"') && !a.text.includes('TOKEN'), path);
    }
    assert.equal((await t.call('POST', '/ui/app.js')).status, 404);
    // API answers carry the same security headers.
    const api = await t.call('GET', '/api/v1/me', { as: 'viewer' });
    assert.match(String(api.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(api.headers['cache-control'], 'no-store');
    const health = await t.call('GET', '/healthz');
    assert.equal(health.text, 'ok\n');
    assert.equal((await t.call('GET', '/readyz')).status, 200);
  } finally {
    await t.stop();
    rmSync(web, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});
