import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { startPostgres, type TestPostgres } from '../store/test-support.js';
import { exampleScan, jsonReport, startTestServer, type TestServer } from './test-support.js';

// Hostile input from clients that hold a token: tampered cursors, NULs and out-of-range numbers
// must be a 400 naming the parameter on both stores, never a 500 from the database underneath.

const cursorOf = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function tamperedInputIsRefused(t: TestServer): Promise<void> {
  const ingested = await t.call('POST', '/api/v1/ingest/scan?cluster=prod', { as: 'admin', body: jsonReport(await exampleScan()) });
  assert.equal(ingested.status, 201, ingested.text);
  const wrong: string[] = [];
  const refused = async (path: string, field: RegExp) => {
    const a = await t.call('GET', path, { as: 'viewer' });
    const err = a.status === 400 ? a.json().error : undefined;
    if (err?.code !== 'PALISADE_API_BAD_REQUEST' || !field.test(err.field ?? '')) wrong.push(`${path}: ${a.status} ${a.text.slice(0, 160)}`);
  };
  // Findings cursors carry (severity order, cluster, fingerprint): only what the API itself writes.
  for (const forged of [[0.5, 'prod', 'x'], [3e9, 'prod', 'x'], [1e300, 'prod', 'x'], [-1, 'prod', 'x'], [0, 'prod\u0000', 'x']]) {
    await refused(`/api/v1/findings?cursor=${cursorOf(forged)}`, /cursor/);
  }
  // Alert cursors carry an alert id.
  for (const forged of [[1e300], [2 ** 63], [0.5], [-5]]) await refused(`/api/v1/alerts?cursor=${cursorOf(forged)}`, /cursor/);
  // A NUL is not text PostgreSQL can compare with: refused in query and path parameters alike.
  await refused('/api/v1/findings?namespace=default%00', /namespace/);
  await refused('/api/v1/findings?control=%00', /control/);
  await refused('/api/v1/findings/abc%00def', /fingerprint/);
  await refused('/api/v1/frameworks/cis%00/trend', /id/);
  assert.deepEqual(wrong, []);
  // What the API writes still pages.
  const first = (await t.call('GET', '/api/v1/findings?limit=2', { as: 'viewer' })).json();
  assert.ok(first.next);
  assert.equal((await t.call('GET', `/api/v1/findings?limit=2&cursor=${first.next}`, { as: 'viewer' })).status, 200);
}

test('tampered cursors and NULs in parameters are a 400, not a database error (SQLite)', async () => {
  const t = await startTestServer();
  try {
    await tamperedInputIsRefused(t);
  } finally {
    await t.stop();
  }
});

let pg: TestPostgres | undefined;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

test('tampered cursors and NULs in parameters are a 400, not a database error (PostgreSQL)', async () => {
  const t = await startTestServer({ dbUrl: await pg!.newDatabase() });
  try {
    await tamperedInputIsRefused(t);
  } finally {
    await t.stop();
  }
});

test('/readyz, which needs no token, does not repeat what the database said (addresses, user names)', async () => {
  const lines: string[] = [];
  const t = await startTestServer({ server: { log: (level, message) => lines.push(`${level} ${message}`) } });
  try {
    assert.equal((await t.call('GET', '/readyz')).status, 200);
    const said = 'password authentication failed for user "pal_owner" (host 10.20.30.40)';
    t.store.countTokens = async () => {
      throw new Error(said);
    };
    const a = await t.call('GET', '/readyz');
    assert.equal(a.status, 503);
    for (const secret of ['pal_owner', '10.20.30.40', 'password']) assert.ok(!a.text.includes(secret), `/readyz says ${a.text}`);
    // The operator still learns why, from the log.
    assert.ok(lines.some((l) => l.includes(said)), lines.join('\n'));
    // A connection failure keeps its code: it says what to look at without saying where.
    t.store.countTokens = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 10.20.30.40:5432'), { code: 'ECONNREFUSED' });
    };
    const refused = await t.call('GET', '/readyz');
    assert.equal(refused.status, 503);
    assert.match(refused.text, /ECONNREFUSED/);
    assert.ok(!refused.text.includes('10.20.30.40'), refused.text);
  } finally {
    await t.stop();
  }
});

test('an exception pattern cannot make the live scanner backtrack for minutes: at most two * per glob', async () => {
  const t = await startTestServer({ server: { now: () => new Date('2026-01-10T00:00:00Z') } });
  try {
    const request = (resource: Record<string, string>) =>
      t.call('POST', '/api/v1/exceptions', { as: 'auditor', body: { controls: ['*'], resources: [resource], justification: 'load test of the matcher', owner: 'platform', expires: '2026-02-01' } });
    // With ten * this pattern takes minutes against a 63-character name of a's (a backtracking regular expression).
    const refused: Array<[string, Record<string, string>]> = [['resources[0].name', { name: '*a*a*a*a*a*a*a*a*a*a*b' }], ['resources[0].namespace', { namespace: '*?*?*' }]];
    for (const [field, resource] of refused) {
      const a = await request(resource);
      assert.equal(a.status, 400, a.text);
      assert.equal(a.json().error.field, field);
    }
    // Ordinary patterns are fine.
    const fine: Array<Record<string, string>> = [{ namespace: '*' }, { namespace: 'team-*', name: '*-canary-*' }, { name: 'api-??' }];
    for (const resource of fine) assert.equal((await request(resource)).status, 201);
  } finally {
    await t.stop();
  }
});

test('a request refused before its body is read closes the connection, so no one without a token can stream a body to its declared length', async () => {
  const t = await startTestServer();
  const url = new URL(t.server.url);
  const socket = tls.connect({ host: url.hostname, port: Number(url.port), ca: t.certs.caPem });
  try {
    await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    const ended = new Promise<void>((resolve) => socket.once('end', resolve).once('close', resolve));
    socket.write('POST /api/v1/ingest/scan?cluster=x HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000000000\r\n\r\n{"');
    // The server ends the connection after the 401 instead of reading 100 GB to throw away.
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    assert.match(answer, /^HTTP\/1\.1 401 /);
    assert.match(answer, /\r\nconnection: close\r\n/i);
  } finally {
    socket.destroy();
    await t.stop();
  }
});

async function tokenNamesAreUnique(t: TestServer): Promise<void> {
  const create = (name: string) => t.call('POST', '/api/v1/tokens', { as: 'admin', body: { name, role: 'admin' } });
  // An admin minting a second "test-admin" would approve exceptions as test-admin in the trail.
  for (const name of ['test-admin', 'Test-Admin', 'test-admin ']) {
    const a = await create(name);
    assert.equal(a.status, 409, `${JSON.stringify(name)}: ${a.text}`);
    assert.equal(a.json().error.code, 'PALISADE_API_CONFLICT');
  }
  const ci = (await create('ci')).json();
  assert.equal((await t.call('DELETE', `/api/v1/tokens/${ci.token.id}`, { as: 'admin' })).status, 204);
  assert.equal((await create('ci')).status, 409);
  assert.equal((await create('ci-2')).status, 201);
  assert.equal(new Set((await t.call('GET', '/api/v1/tokens', { as: 'admin' })).json().items.map((x: { name: string }) => x.name.trim().toLowerCase())).size, 5);
}

for (const dialect of ['SQLite', 'PostgreSQL']) {
  test(`a token cannot take the name of another, even a revoked one: exception trails name the actor by it (${dialect})`, async () => {
    const t = await startTestServer(dialect === 'SQLite' ? {} : { dbUrl: await pg!.newDatabase() });
    try {
      await tokenNamesAreUnique(t);
    } finally {
      await t.stop();
    }
  });
}
