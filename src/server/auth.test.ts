import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROLES } from '../store/types.js';
import { apiRoutes } from './api.js';
import { roleAllows } from './auth.js';
import { startTestServer } from './test-support.js';

/** A concrete path for a template: parameters get a value that passes their type check. */
function concrete(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'id' ? '1' : 'x'));
}

test('roles are ordered viewer < auditor < admin', () => {
  assert.equal(roleAllows('admin', 'viewer'), true);
  assert.equal(roleAllows('auditor', 'auditor'), true);
  assert.equal(roleAllows('viewer', 'auditor'), false);
  assert.equal(roleAllows('auditor', 'admin'), false);
});

test('every route with a role refuses a missing, malformed or unknown token (401) and a token of too low a role (403)', async () => {
  const t = await startTestServer();
  try {
    const guarded = apiRoutes().filter((r) => r.role);
    assert.ok(guarded.length >= 20, `only ${guarded.length} guarded routes`);
    for (const r of guarded) {
      const path = concrete(r.path);
      const name = `${r.method} ${r.path}`;
      const none = await t.call(r.method, path);
      assert.equal(none.status, 401, `${name} without a token: ${none.text}`);
      assert.match(String(none.headers['www-authenticate']), /^Bearer realm="palisade"/, name);
      assert.equal(none.json().error.code, 'PALISADE_API_UNAUTHENTICATED', name);
      const bad = await t.call(r.method, path, { headers: { authorization: 'Bearer pal_not-a-real-token' } });
      assert.equal(bad.status, 401, `${name} with an unknown token`);
      assert.match(String(bad.headers['www-authenticate']), /error="invalid_token"/, name);
      const basic = await t.call(r.method, path, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      assert.equal(basic.status, 401, `${name} with Basic auth`);
      for (const role of ROLES.slice(0, ROLES.indexOf(r.role!))) {
        const low = await t.call(r.method, path, { as: role });
        assert.equal(low.status, 403, `${name} as ${role}: ${low.text}`);
        assert.equal(low.json().error.code, 'PALISADE_API_FORBIDDEN', name);
        assert.match(low.json().error.message, new RegExp(`needs ${r.role}`), name);
      }
      // The least role that may call it gets past authorisation (whatever the handler then says).
      const ok = await t.call(r.method, path, { as: r.role! });
      assert.ok(ok.status !== 401 && ok.status !== 403, `${name} as ${r.role}: ${ok.status} ${ok.text}`);
    }
  } finally {
    await t.stop();
  }
});

test('a revoked token is refused; secrets never appear in the log', async () => {
  const lines: string[] = [];
  const t = await startTestServer({ server: { log: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`) } });
  try {
    const created = await t.call('POST', '/api/v1/tokens', { as: 'admin', body: { name: 'ci', role: 'admin' } });
    assert.equal(created.status, 201);
    const { token, secret } = created.json();
    // /me names the token by id (never its secret), so a client can tell which listed token it is using.
    const me = await t.call('GET', '/api/v1/me', { as: secret });
    assert.deepEqual(me.json(), { id: token.id, name: 'ci', role: 'admin' });
    assert.ok(!me.text.includes(secret));
    assert.equal((await t.call('DELETE', `/api/v1/tokens/${token.id}`, { as: 'admin' })).status, 204);
    assert.equal((await t.call('GET', '/api/v1/me', { as: secret })).status, 401);
    assert.equal((await t.call('DELETE', `/api/v1/tokens/${token.id}`, { as: 'admin' })).status, 404);
    const listed = (await t.call('GET', '/api/v1/tokens', { as: 'admin' })).json().items;
    assert.ok(listed.some((x: { id: string; revokedAt?: string }) => x.id === token.id && x.revokedAt));
    assert.ok(!JSON.stringify(listed).includes(secret));
    assert.ok(lines.some((l) => l.includes('token ci (admin) created')), lines.join('\n'));
    for (const l of lines) for (const s of [secret, ...Object.values(t.tokens)]) assert.ok(!l.includes(s), `a secret in the log: ${l}`);
  } finally {
    await t.stop();
  }
});
