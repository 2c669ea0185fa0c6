/**
 * The dashboard in a real headless Chromium against a real `palisade serve` (HTTPS,
 * self-signed certificate) and a real SQLite store: sign-in, overview with trends,
 * requirement → findings → finding drill-down, explorer filters in the URL and keyset
 * pages, role checks, the exception workflow with its audit trail, the alerts timeline,
 * report downloads, session expiry, narrow windows — and no console errors, no page
 * errors, no Content-Security-Policy violations throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { rawEvent, scenario } from '../detect/audit/test-events.js';
import { exampleScan, jsonReport, startTestServer, type TestServer } from './test-support.js';

const CHROMIUM = process.env.PALISADE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The second scan "fixes" the debug pod by no longer deploying it.
const LEGACY_WITHOUT_DEBUG_POD = ['inventory', 'log-shipper', 'namespace', 'peer-authentication', 'rbac', 'reporting-service'].map((f) => `legacy/${f}.yaml`);
const XSS_USER = '<img src=x onerror="window.__xss=1">';

// The callbacks given to page.evaluate run in the browser; the project compiles without the DOM library.
declare const window: { __xss?: number; __cspViolation(text: string): void };
declare const document: {
  addEventListener(type: 'securitypolicyviolation', listener: (e: { violatedDirective: string; blockedURI: string }) => void): void;
  activeElement: { tagName: string; textContent: string | null; getAttribute(name: string): string | null } | null;
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  documentElement: { scrollWidth: number; hasAttribute(name: string): boolean };
};
declare const location: { hash: string };
declare const sessionStorage: { getItem(key: string): string | null };

interface Watch {
  consoleErrors: string[];
  pageErrors: string[];
}

/** Console errors and warnings (Chromium reports a blocked inline style or script there too) and uncaught page errors. */
function watch(page: Page): Watch {
  const w: Watch = { consoleErrors: [], pageErrors: [] };
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    // Chromium logs every 4xx fetch; the 401 (wrong token, revoked token) and 403 (role) are provoked on purpose.
    if (/Failed to load resource: the server responded with a status of 40[13]\b/.test(m.text())) return;
    w.consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => w.pageErrors.push(e.message));
  return w;
}

async function api(t: TestServer, path: string, as = 'viewer'): Promise<any> {
  const a = await t.call('GET', path, { as });
  assert.equal(a.status, 200, `${path}: ${a.text}`);
  return a.json();
}

/**
 * Waits until the dashboard has rendered the page of the current URL (a hash change reaches
 * the page a task after the URL changes, so the previous page may still be shown) and has
 * no API request in flight (trends and counts load after the page).
 */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('main')?.getAttribute('data-rendered') === location.hash && !document.documentElement.hasAttribute('data-busy'));
}

async function signIn(page: Page, token: string): Promise<void> {
  if (await page.locator('#sign-out').isVisible()) await page.locator('#sign-out').click();
  await page.getByLabel('API token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.hash.startsWith('#/signin'));
  await settled(page);
}

async function nav(page: Page, name: string): Promise<void> {
  await page.locator('#nav').getByRole('link', { name, exact: true }).click();
  await settled(page);
}

test('dashboard in headless Chromium against palisade serve with a SQLite store', async (tt) => {
  assert.ok(existsSync(CHROMIUM), `Chromium is required for the dashboard test and was not found at ${CHROMIUM}: install it (Debian/Ubuntu: apt-get install chromium; .ci/run does) or set PALISADE_CHROMIUM`);
  const t = await startTestServer();
  let browser: Browser | undefined;
  try {
    const first = await t.call('POST', '/api/v1/ingest/scan?cluster=prod', { as: 'admin', body: jsonReport(await exampleScan(['storefront', 'legacy'])) });
    assert.equal(first.status, 201, first.text);
    const second = await t.call('POST', '/api/v1/ingest/scan?cluster=prod', { as: 'admin', body: jsonReport(await exampleScan(['storefront', ...LEGACY_WITHOUT_DEBUG_POD])) });
    assert.equal(second.status, 201, second.text);
    assert.ok(second.json().resolved > 0, 'the second scan resolves the debug pod findings');
    const scanId = second.json().scanId as number;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    // Reported to the test as they happen, so a reload cannot lose one.
    const cspViolations: string[] = [];
    await context.exposeBinding('__cspViolation', (_source, text: string) => void cspViolations.push(text));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const w = watch(page);
    const base = t.server.url;

    await tt.test('a wrong token is refused with a message; a viewer signs in', async () => {
      await page.goto(`${base}/`);
      await page.waitForURL(/#\/signin$/);
      await settled(page);
      await page.getByLabel('API token', { exact: true }).fill('pal_not-a-real-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Sign-in failed: the token was not accepted.').waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.getItem('palisade.token')), null, 'a refused token is not kept');
      await signIn(page, t.tokens.viewer);
      await page.locator('#user-name', { hasText: 'test-viewer (viewer)' }).waitFor();
    });

    const frameworks = (await api(t, '/api/v1/frameworks?cluster=prod')).items as Array<{ id: string; title: string; score: number; counts: Record<string, number> }>;
    const fw = frameworks.find((f) => f.counts.fail > 0);
    assert.ok(fw, 'some framework has failing requirements');

    await tt.test('overview: a framework card shows its score and a trend of both scans', async () => {
      const card = page.getByRole('article', { name: `${fw.title} on prod` });
      await card.locator('svg.trend').waitFor();
      assert.equal(await card.locator('.score-value').textContent(), `${fw.score}%`);
      const trend = (await api(t, `/api/v1/frameworks/${fw.id}/trend?cluster=prod`)).items;
      assert.equal(trend.length, 2);
      assert.equal(await card.locator('svg.trend').getAttribute('data-points'), '2');
      assert.equal(await card.locator('svg.trend circle.point').count(), 2);
      const delta = trend[1].score - trend[0].score;
      assert.equal(await card.locator('.delta').textContent(), `${delta === 0 ? 'unchanged' : `${delta > 0 ? '▲' : '▼'} ${Math.abs(delta)} points`} since the previous scan`);
      assert.equal(await card.locator('.s-fail dd').textContent(), String(fw.counts.fail));
      assert.equal(await page.locator('article.framework').count(), frameworks.length);
    });

    let findingHref = '';
    await tt.test('framework → failing requirement → its findings → one finding with file:line', async () => {
      await page.getByRole('link', { name: fw.title }).click();
      await page.waitForURL(new RegExp(`#/framework/${fw.id}\\?cluster=prod$`));
      await settled(page);
      await page.getByLabel('Requirement status', { exact: true }).selectOption('fail');
      await page.waitForURL(/status=fail/);
      await settled(page);
      const status = await api(t, `/api/v1/frameworks/${fw.id}?cluster=prod`);
      const failing = status.requirements.filter((r: { status: string }) => r.status === 'fail');
      await page.locator('table.requirements').waitFor();
      assert.equal(await page.locator('table.requirements tbody tr').count(), failing.length);
      assert.deepEqual(new Set(await page.locator('table.requirements tbody td .badge').allTextContents()), new Set(['fail']));

      const req = failing[0];
      await page.getByRole('link', { name: `Findings for requirement ${req.id}`, exact: true }).click();
      await page.waitForURL((u) => u.hash.startsWith('#/findings?') && new URLSearchParams(u.hash.split('?')[1]).get('requirement') === req.id);
      await settled(page);
      const page1 = await api(t, `/api/v1/findings?cluster=prod&state=open&framework=${fw.id}&requirement=${encodeURIComponent(req.id)}&limit=50`);
      assert.ok(page1.items.length > 0);
      await page.locator('table.findings').waitFor();
      assert.equal(await page.locator('table.findings tbody tr').count(), page1.items.length);
      assert.match((await page.locator('.count-line').textContent()) ?? '', new RegExp(`^${page1.total} finding`));

      const link = page.locator('table.findings tbody th a').first();
      findingHref = (await link.getAttribute('href')) ?? '';
      await link.click();
      await page.locator('dl.details').waitFor();
      const fp = decodeURIComponent(findingHref.split('/')[2]!.split('?')[0]!);
      const f = await api(t, `/api/v1/findings/${fp}?cluster=prod`);
      assert.equal(await page.locator('code.location').textContent(), `${f.location.file}:${f.location.line}:${f.location.column}`);
      assert.match(f.location.file, /\.yaml$/);
      assert.match((await page.locator('h1').textContent()) ?? '', new RegExp(`^${f.controlId} on ${f.resource.kind} `));
      assert.ok(f.title && f.remediation, 'the API describes the control');
      await page.locator('dl.details dd', { hasText: f.remediation }).waitFor();
      await page.locator('dl.details dd', { hasText: f.title }).waitFor();
      await page.getByText(`First seen`).waitFor();
    });

    await tt.test('explorer: the severity filter is in the URL and selects the rows; next page follows the cursor', async () => {
      await nav(page, 'Findings');
      await page.locator('table.findings').waitFor();
      assert.deepEqual(await page.evaluate(() => [document.activeElement?.tagName, document.activeElement?.textContent]), ['H1', 'Findings'], 'a new page focuses its heading');
      assert.equal(await page.title(), 'Findings — Palisade');
      await page.getByLabel('Severity', { exact: true }).focus(); // as a keyboard user would
      await page.getByLabel('Severity', { exact: true }).selectOption('high');
      await page.waitForURL(/#\/findings\?severity=high$/);
      await settled(page);
      await page.locator('.count-line', { hasText: /^\d+ finding/ }).waitFor();
      const high = await api(t, '/api/v1/findings?severity=high&state=open&limit=50');
      assert.ok(high.items.length > 0);
      assert.equal(await page.locator('table.findings tbody tr').count(), high.items.length);
      assert.deepEqual(new Set(await page.locator('table.findings tbody td:first-child .badge').allTextContents()), new Set(['high']));
      assert.match((await page.locator('.count-line').textContent()) ?? '', new RegExp(`^${high.total} finding`));
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'severity', 'a filter keeps the focus when its page re-renders');
      const counts = page.getByRole('list', { name: 'Findings by severity' });
      await counts.getByRole('link', { name: `high: ${high.total} (selected; select to clear)` }).waitFor();

      await page.getByLabel('Severity', { exact: true }).selectOption('');
      await page.waitForURL(/#\/findings$/);
      await settled(page);
      const all = await api(t, '/api/v1/findings?state=open&limit=50');
      assert.ok(all.total > 50 && all.next, `the example scan has more than one page of findings (${all.total})`);
      await page.locator('table.findings tbody tr').nth(49).waitFor();
      const firstOfPage1 = await page.locator('table.findings tbody th a').first().getAttribute('href');
      await page.getByRole('link', { name: 'Next page' }).click();
      await page.waitForURL((u) => new URLSearchParams(u.hash.split('?')[1]).get('cursor') === all.next);
      await settled(page);
      const page2 = await api(t, `/api/v1/findings?state=open&limit=50&cursor=${encodeURIComponent(all.next)}`);
      await page.locator(`table.findings tbody th a[href*="${page2.items[0].fingerprint}"]`).waitFor();
      assert.equal(await page.locator('table.findings tbody tr').count(), page2.items.length);
      assert.notEqual(await page.locator('table.findings tbody th a').first().getAttribute('href'), firstOfPage1);
      await page.getByRole('link', { name: 'First page' }).waitFor();
    });

    await tt.test('a viewer cannot request or decide exceptions and is told so when downloading a report', async () => {
      await nav(page, 'Exceptions');
      await page.getByText('Requesting an exception needs the auditor role').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Request exception' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
      // The API refuses a viewer whatever the page shows.
      assert.equal((await t.call('POST', '/api/v1/exceptions', { as: 'viewer', body: {} })).status, 403);
      await nav(page, 'Reports');
      await page.getByRole('button', { name: `Download scan ${scanId} as HTML` }).click();
      await page.locator('#notice', { hasText: "Your role can't do this" }).waitFor();
    });

    const expires = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
    let exceptionId = '';
    await tt.test('an auditor requests an exception and downloads a CSV report', async () => {
      await signIn(page, t.tokens.auditor);
      await page.locator('#user-name', { hasText: 'test-auditor (auditor)' }).waitFor();
      // From the finding: the explorer's control and text filters, then "Request an exception" pre-fills the form.
      await nav(page, 'Findings');
      await page.getByLabel('Control', { exact: true }).fill('PAL-POD-001');
      await page.getByLabel('Text', { exact: true }).fill('log-shipper');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/#\/findings\?control=PAL-POD-001&q=log-shipper$/);
      await settled(page);
      const matching = await api(t, '/api/v1/findings?control=PAL-POD-001&q=log-shipper&state=open');
      assert.equal(matching.items.length, 1);
      await page.locator(`table.findings tbody th a[href*="${matching.items[0].fingerprint}"]`).click();
      await page.getByRole('link', { name: 'Request an exception' }).click();
      assert.equal(await page.getByLabel('Controls', { exact: true }).inputValue(), 'PAL-POD-001');
      assert.equal(await page.getByLabel('Resource kind', { exact: true }).inputValue(), 'DaemonSet');
      assert.equal(await page.getByLabel('Resource namespace', { exact: true }).inputValue(), 'legacy');
      assert.equal(await page.getByLabel('Resource name', { exact: true }).inputValue(), 'log-shipper');
      await page.getByLabel('Id (optional)', { exact: true }).fill('EXC-log-shipper-host-logs');
      await page.getByLabel('Owner', { exact: true }).fill('platform-team');
      await page.getByLabel('Expires', { exact: true }).fill(expires);
      await page.getByLabel('Justification', { exact: true }).fill('The log shipper reads host logs until the node agent replaces it.');
      await page.getByRole('button', { name: 'Request exception' }).click();
      await page.locator('#notice', { hasText: 'requested; an admin must approve it' }).waitFor();
      const list = (await api(t, '/api/v1/exceptions?state=requested')).items;
      assert.equal(list.length, 1);
      exceptionId = list[0].id;
      assert.equal(exceptionId, 'EXC-log-shipper-host-logs');
      assert.equal(list[0].requestedBy, 'test-auditor');
      assert.deepEqual(list[0].resources, [{ kind: 'DaemonSet', namespace: 'legacy', name: 'log-shipper' }]);
      assert.equal(list[0].expires, expires);
      const card = page.getByRole('article', { name: `Exception ${exceptionId}` });
      await card.locator('.badge', { hasText: 'requested' }).waitFor();
      assert.equal(await card.getByRole('button', { name: 'Approve' }).count(), 0);

      await nav(page, 'Reports');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download scan ${scanId} as CSV` }).click()]);
      assert.equal(download.suggestedFilename(), `palisade-scan-${scanId}.csv`);
      const csv = readFileSync((await download.path())!, 'utf8');
      const direct = await t.call('GET', `/api/v1/scans/${scanId}/report?format=csv`, { as: 'auditor' });
      assert.equal(csv, direct.text);
    });

    await tt.test('an admin approves it with a comment and sees the audit trail', async () => {
      await signIn(page, t.tokens.admin);
      await page.locator('#user-name', { hasText: 'test-admin (admin)' }).waitFor();
      await nav(page, 'Exceptions');
      const card = page.getByRole('article', { name: `Exception ${exceptionId}` });
      await card.getByLabel(`Comment on ${exceptionId}`, { exact: true }).fill('Accepted until the node agent ships.');
      await card.getByRole('button', { name: 'Approve' }).click();
      await page.locator('#notice', { hasText: `Exception ${exceptionId}: approve recorded.` }).waitFor();
      await card.locator('.badge', { hasText: 'approved' }).waitFor();
      await card.getByRole('button', { name: 'Show audit trail' }).click();
      const trail = card.getByRole('list', { name: `Audit trail of ${exceptionId}` });
      await trail.locator('li').nth(1).waitFor();
      const items = await trail.locator('li').allTextContents();
      assert.equal(items.length, 2);
      assert.match(items[0]!, /requested by test-auditor$/);
      assert.match(items[1]!, /approved by test-admin — “Accepted until the node agent ships\.”$/);
      const events = (await api(t, `/api/v1/exceptions/${exceptionId}/events`, 'auditor')).items;
      assert.deepEqual(events.map((e: { action: string; actor: string }) => `${e.action} ${e.actor}`), ['requested test-auditor', 'approved test-admin']);
      assert.equal(await card.getByRole('button', { name: 'Revoke' }).count(), 1);
    });

    await tt.test('alerts: an ingested audit EventList appears newest first with priority, rule and MITRE tags, inert markup', async () => {
      const sc = scenario();
      const mallory = { username: 'mallory', groups: ['system:authenticated'] };
      // mallory lists secrets, reads one, then creates a privileged pod: a kill chain (an incident) of three stages.
      const items = [
        rawEvent({ stageTimestamp: '2026-03-01T10:00:01Z', verb: 'list', user: mallory, requestURI: '/api/v1/namespaces/shop/secrets', objectRef: { resource: 'secrets', namespace: 'shop' }, responseStatus: { code: 200 } }),
        { ...sc.secretReadByUser, user: mallory, stageTimestamp: '2026-03-01T10:00:03Z' },
        sc.privilegedHostPath,
        { ...sc.clusterAdminBinding, user: { username: XSS_USER } },
      ];
      const ingest = await t.call('POST', '/api/v1/ingest/audit?cluster=prod', { as: 'admin', body: { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items } });
      assert.equal(ingest.status, 200, ingest.text);
      assert.ok(ingest.json().alerts > 0);
      assert.equal(ingest.json().incidents, 1);
      const alerts = (await api(t, '/api/v1/alerts?cluster=prod&limit=50')).items as Array<{ id: number; time: string; rule: string; priority: string; output: string; palisade: { mitre: string[] } }>;
      const newestFirst = [...alerts].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : b.id - a.id));

      await nav(page, 'Alerts');
      const timeline = page.getByRole('list', { name: 'Alerts, newest first' });
      await timeline.waitFor();
      const rows = timeline.locator(':scope > li');
      assert.equal(await rows.count(), alerts.length);
      assert.deepEqual(await timeline.locator(':scope > li .rule').allTextContents(), newestFirst.map((a) => a.rule));
      assert.deepEqual(await timeline.locator(':scope > li .priority').allTextContents(), newestFirst.map((a) => a.priority));
      const withMitre = newestFirst.findIndex((a) => a.palisade.mitre.length > 0);
      assert.ok(withMitre >= 0);
      assert.deepEqual(await rows.nth(withMitre).locator('.tags li').allTextContents(), newestFirst[withMitre]!.palisade.mitre);
      const critical = newestFirst.findIndex((a) => a.priority === 'Critical');
      if (critical >= 0) assert.match((await rows.nth(critical).getAttribute('class')) ?? '', /\bp-critical\b/);

      const hostile = newestFirst.find((a) => a.output.includes(XSS_USER));
      assert.ok(hostile, 'the alert names the user');
      await timeline.getByText(XSS_USER, { exact: false }).waitFor();
      assert.equal(await timeline.locator('img').count(), 0);
      assert.equal(await page.evaluate(() => window.__xss), undefined);

      await page.getByLabel('Incidents only', { exact: true }).check();
      await page.waitForURL(/#\/alerts\?incidents=true$/);
      await settled(page);
      await page.locator('#nav').getByRole('link', { name: 'Alerts', exact: true }).waitFor();
      const incident = (await api(t, '/api/v1/alerts?cluster=prod&incidents=true')).items[0] as { rule: string; palisade: { stages: string[]; timeline: Array<{ stage: string }> } };
      const only = page.getByRole('list', { name: 'Alerts, newest first' }).locator(':scope > li');
      await only.locator('.rule', { hasText: incident.rule }).waitFor();
      assert.equal(await only.count(), 1);
      assert.match((await only.first().getAttribute('class')) ?? '', /\bincident\b/);
      await only.first().getByText(`Stages: ${incident.palisade.stages.join(' → ')}`).waitFor();
      const stages = only.first().getByRole('list', { name: 'Incident timeline' }).locator('li strong');
      assert.deepEqual(await stages.allTextContents(), incident.palisade.timeline.map((e) => e.stage));
      assert.deepEqual(incident.palisade.stages, ['discovery', 'credential-access', 'execution']);
    });

    await tt.test('an admin creates a token (its secret shown once); once revoked it sends the tab back to sign-in', async () => {
      await nav(page, 'Tokens');
      await page.getByLabel('Name', { exact: true }).fill('short-lived');
      await page.getByLabel('Role', { exact: true }).selectOption('viewer');
      await page.getByLabel('Acts for', { exact: true }).fill('sam');
      await page.getByRole('button', { name: 'Create token' }).click();
      const secret = (await page.getByLabel('Secret of short-lived', { exact: true }).textContent()) ?? '';
      await page.getByText('Token short-lived (viewer, acting for sam) created.').waitFor();
      await page.getByRole('button', { name: 'Revoke token short-lived' }).waitFor();
      const me = await t.call('GET', '/api/v1/me', { as: secret });
      assert.equal(me.status, 200, 'the secret shown works');
      const made = ((await api(t, '/api/v1/tokens', 'admin')).items as Array<{ id: string; name: string; principal: string }>).find((x) => x.name === 'short-lived');
      assert.ok(made);
      assert.equal(made.principal, 'sam');
      const row = page.locator('table.tokens tr', { has: page.locator('th', { hasText: 'short-lived' }) });
      assert.equal(await row.locator('td').first().textContent(), 'viewer');
      assert.equal(await row.locator('td').nth(1).textContent(), 'sam');
      assert.deepEqual(me.json(), { id: made.id, name: 'short-lived', role: 'viewer' });

      await signIn(page, secret);
      await page.locator('#user-name', { hasText: 'short-lived (viewer)' }).waitFor();
      assert.equal(await page.locator('#nav-tokens').isVisible(), false, 'only admins see Tokens');
      assert.equal((await t.call('DELETE', `/api/v1/tokens/${made.id}`, { as: 'admin' })).status, 204);
      await nav(page, 'Findings');
      await page.waitForURL(/#\/signin$/);
      await settled(page);
      await page.locator('#notice', { hasText: 'Your session is no longer valid' }).waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.getItem('palisade.token')), null);
      assert.equal(await page.locator('#nav').isVisible(), false);
    });

    await tt.test('an admin revoking the token it is signed in with is asked first; confirmed, it is signed out', async () => {
      const created = await t.call('POST', '/api/v1/tokens', { as: 'admin', body: { name: 'second-admin', role: 'admin' } });
      assert.equal(created.status, 201, created.text);
      const { token, secret } = created.json();
      assert.equal(token.principal, 'test-admin', 'a token an admin makes for itself acts for the same person');
      // Its second identity cannot approve what the first requested: the dashboard says why.
      const own = await t.call('POST', '/api/v1/exceptions', {
        as: 'admin',
        body: { id: 'EXC-own-request', controls: ['PAL-POD-001'], resources: [{ namespace: 'legacy' }], justification: 'Asked for by the admin itself.', owner: 'platform-team', expires },
      });
      assert.equal(own.status, 201, own.text);
      await signIn(page, secret);
      await nav(page, 'Exceptions');
      const card = page.getByRole('article', { name: 'Exception EXC-own-request' });
      await card.getByRole('button', { name: 'Approve' }).click();
      await page.locator('#notice', { hasText: 'token second-admin acts for the same principal' }).waitFor();
      assert.match((await page.locator('#notice').textContent()) ?? '', /PALISADE_API_SELF_APPROVAL/);
      assert.equal((await api(t, '/api/v1/exceptions?state=requested')).items.some((x: { id: string }) => x.id === 'EXC-own-request'), true);
      await nav(page, 'Tokens');
      await page.locator('table.tokens th', { hasText: 'second-admin (you)' }).waitFor();
      const asked: string[] = [];
      page.once('dialog', (d) => void (asked.push(d.message()), d.dismiss()));
      await page.getByRole('button', { name: 'Revoke token second-admin' }).click();
      await page.waitForFunction(() => !document.documentElement.hasAttribute('data-busy'));
      assert.equal(asked.length, 1);
      assert.match(asked[0]!, /signed in with/);
      const still = ((await api(t, '/api/v1/tokens', 'admin')).items as Array<{ id: string; revokedAt?: string }>).find((x) => x.id === token.id);
      assert.equal(still?.revokedAt, undefined, 'dismissed: not revoked');
      page.once('dialog', (d) => void (asked.push(d.message()), d.accept()));
      await page.getByRole('button', { name: 'Revoke token second-admin' }).click();
      await page.waitForURL(/#\/signin$/);
      await settled(page);
      assert.equal(asked.length, 2);
      const revoked = ((await api(t, '/api/v1/tokens', 'admin')).items as Array<{ id: string; revokedAt?: string }>).find((x) => x.id === token.id);
      assert.ok(revoked?.revokedAt, 'confirmed: revoked');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('palisade.token')), null);
    });

    await tt.test('at 800px wide the pages fit the window (tables scroll inside their frame)', async () => {
      await signIn(page, t.tokens.viewer);
      await page.locator('#user-name', { hasText: 'test-viewer (viewer)' }).waitFor();
      await page.setViewportSize({ width: 800, height: 900 });
      for (const [link, ready] of [['Overview', 'svg.trend'], ['Findings', 'table.findings'], ['Exceptions', 'article.exception'], ['Alerts', 'ol.timeline'], ['Reports', 'table.scans']] as const) {
        await nav(page, link);
        await page.locator(ready).first().waitFor();
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 800, `${link} is ${width}px wide at an 800px window`);
      }
      for (const hash of [`#/framework/${fw.id}?cluster=prod`, findingHref]) {
        await page.goto(`${base}/${hash}`);
        await settled(page);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 800, `${hash} is ${width}px wide at an 800px window`);
      }
      await page.setViewportSize({ width: 1280, height: 900 });
      await nav(page, 'Overview');
      await page.locator('svg.trend').first().waitFor();
      if (process.env.PALISADE_SCREENSHOT) await page.screenshot({ path: process.env.PALISADE_SCREENSHOT, fullPage: true });
    });

    await tt.test('no console errors, page errors or CSP violations', async () => {
      assert.deepEqual(w.pageErrors, []);
      assert.deepEqual(w.consoleErrors, []);
      assert.deepEqual(cspViolations, []);
    });
  } finally {
    await browser?.close();
    await t.stop();
  }
});
