import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { K8sObject } from '../core/resource.js';
import { runCli } from '../cli/testing.js';
import { admissionReview, HARDENED_CONTAINER, podSpec, review, startTestServer, workload, type TestServer } from './test-support.js';
import { parseFindingsAnnotation } from './judge.js';

const privileged = { ...HARDENED_CONTAINER, securityContext: { ...(HARDENED_CONTAINER.securityContext as object), privileged: true } };

const OBJECTS: Record<string, K8sObject> = {
  'privileged pod': workload('Pod', podSpec([privileged])),
  'hardened deployment': workload('Deployment', podSpec([HARDENED_CONTAINER])),
  'cronjob with latest and no resources': workload('CronJob', { containers: [{ name: 'job', image: 'busybox:latest' }] }),
  'daemonset with host namespaces': workload('DaemonSet', podSpec([HARDENED_CONTAINER], { hostNetwork: true, hostPID: true })),
  'cluster-admin binding': {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'ci-admin' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'ci' }],
  },
  'node port service': { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }] } },
  'config map with a credential': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'shop' }, data: { DATABASE_URL: 'postgres://admin:S3cr3tPassw0rd@db.internal:5432/app' } },
};

/** Policy flags both commands take, and the threshold that makes scan fail and the webhook deny. */
const CASES: { name: string; flags: string[]; threshold: string }[] = [
  { name: 'defaults', flags: [], threshold: 'high' },
  { name: 'PSS restricted, medium', flags: ['--framework', 'pss-restricted'], threshold: 'medium' },
  { name: 'allowed registries, low', flags: ['--allowed-registry', 'registry.example.com'], threshold: 'low' },
];

describe('the same object gets the same decision from scan and from the webhook', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pal-adm-parity-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of CASES) {
    describe(c.name, () => {
      let t: TestServer;
      before(async () => {
        t = await startTestServer([...c.flags, '--deny-at', c.threshold, '--warn-at', 'info']);
      });
      after(() => t.stop());

      for (const [name, obj] of Object.entries(OBJECTS)) {
        it(name, async () => {
          const file = join(dir, `${name.replace(/\W+/g, '-')}-${c.name.replace(/\W+/g, '-')}.yaml`);
          writeFileSync(file, stringify(obj));
          const scan = await runCli(['scan', file, '-f', 'json', '--fail-on', c.threshold, ...c.flags], { cwd: dir });
          assert.ok(scan.code === 0 || scan.code === 1, scan.stderr);
          const scanned = (JSON.parse(scan.stdout).findings as { controlId: string; path: string; status: string }[]).filter((f) => f.status === 'fail').map((f) => `${f.controlId} ${f.path}`).sort();

          const answer = await review(t, '/validate', admissionReview('CREATE', obj));
          const judged = parseFindingsAnnotation(answer.auditAnnotations.findings ?? '')
            .filter((f) => !f.exception)
            .map((f) => `${f.control} ${f.path}`)
            .sort();
          assert.deepEqual(judged, scanned);
          assert.equal(answer.allowed, scan.code === 0, `scan exit ${scan.code}, webhook allowed ${answer.allowed}`);
        });
      }
    });
  }
});
