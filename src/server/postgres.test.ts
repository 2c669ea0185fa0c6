import { after, before, test } from 'node:test';
import { RULES_FILE } from '../detect/receiver/test-support.js';
import { startPostgres, type TestPostgres } from '../store/test-support.js';
import { auditIngest, exceptionWorkflow, ingestedScanIsServed, principalWorkflow } from './api-suite.js';
import { AuditPipeline } from './ingest.js';
import { startTestServer } from './test-support.js';

// The same scenarios as api.test.ts, on a real PostgreSQL (one database per scenario).
let pg: TestPostgres;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

for (const [name, scenario] of [
  ['an ingested CI scan is served by clusters, scans, findings, frameworks, trend and reports (PostgreSQL)', ingestedScanIsServed],
  ['exceptions workflow with its audit trail (PostgreSQL)', exceptionWorkflow],
  ['separation of duties by principal, not by token (PostgreSQL)', principalWorkflow],
  ['ingested audit events become alerts (PostgreSQL)', auditIngest],
] as const) {
  test(name, async () => {
    const t = await startTestServer({ dbUrl: await pg.newDatabase(), server: { audit: new AuditPipeline({ ruleFiles: [RULES_FILE] }) } });
    try {
      await scenario(t);
    } finally {
      await t.stop();
    }
  });
}
