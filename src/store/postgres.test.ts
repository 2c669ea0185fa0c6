import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import { storeSuite } from './store-suite.js';
import { startPostgres, type TestPostgres } from './test-support.js';

// A real PostgreSQL server; without its binaries this fails (CI installs postgresql).
let server: TestPostgres | undefined;
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.stop();
});

storeSuite('postgres', () => ({
  fresh: () => {
    if (!server) throw new Error('the test PostgreSQL server did not start');
    return server.newDatabase();
  },
  files: async () => {
    const pgServer = server;
    if (!pgServer) throw new Error('the test PostgreSQL server did not start');
    const client = new pg.Client({ connectionString: pgServer.url });
    await client.connect();
    try {
      await client.query('CHECKPOINT'); // table files and WAL on disk
    } finally {
      await client.end();
    }
    const out: Buffer[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) out.push(readFileSync(p));
      }
    };
    for (const sub of ['base', 'pg_wal']) walk(join(pgServer.dataDir, sub));
    return out;
  },
}));
