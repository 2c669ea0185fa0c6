import { after, before } from 'node:test';
import { storeSuite } from './store-suite.js';
import { startPostgres, type TestPostgres } from './test-support.js';

// A real PostgreSQL server; without its binaries this fails (CI installs postgresql).
let pg: TestPostgres | undefined;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

storeSuite('postgres', () => ({
  fresh: () => {
    if (!pg) throw new Error('the test PostgreSQL server did not start');
    return pg.newDatabase();
  },
}));
