import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { examplesScan } from './__fixtures__/examples.js';
import { BROKEN_YAML, DEPLOYMENT_YAML, exceptApiAndAgent, MULTI_DOC_YAML, scanSources } from './__fixtures__/scans.js';
import { esc, htmlChunks, htmlFormatter } from './html.js';
import { CHROMIUM_ARGS, chromiumPath } from './pdf.js';

const XSS = '<script>alert(1)</script>';

function hostileScan() {
  const result = scanSources([{ file: 'x/<img src=x onerror=alert(2)>.yaml', text: DEPLOYMENT_YAML.text.replace('name: web', `name: "${XSS}"`) }, MULTI_DOC_YAML, BROKEN_YAML], {
    exceptionFor: exceptApiAndAgent,
  });
  result.inputs = [`"><svg onload=alert(3)>`];
  result.findings[0]!.evidence = { value: '</code><script>alert(4)</script>' };
  return result;
}

describe('htmlFormatter', () => {
  it('escapes every piece of scanned text: no markup from a manifest reaches the page', () => {
    const html = htmlFormatter.render(hostileScan(), { color: false });
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img/i);
    assert.doesNotMatch(html, /<svg onload/i);
    assert.ok(html.includes(esc(XSS)), 'the resource name is shown, escaped');
    assert.ok(html.includes('&lt;img src=x onerror=alert(2)&gt;'), 'the file name is shown, escaped');
    assert.ok(html.includes('&lt;/code&gt;&lt;script&gt;alert(4)&lt;/script&gt;'), 'evidence is escaped');
    assert.equal(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('is self-contained: no script, no external resource, a CSP that forbids loading any, print CSS', async () => {
    const html = htmlFormatter.render(await examplesScan(), { color: false });
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|<object|@import|url\(/i);
    assert.doesNotMatch(html, /\s(src|srcset)=/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.match(html, /@media print\{/);
    assert.match(html, /@page\{size:A4/);
    assert.ok(html.startsWith('<!DOCTYPE html>'));
  });

  it('shows the summary, framework scores with charts, requirement tables, findings by severity and control, exceptions and input problems', async () => {
    const result = await examplesScan();
    const html = htmlFormatter.render(result, { color: false });
    for (const id of ['summary', 'frameworks', 'requirements', 'findings', 'exceptions', 'diagnostics']) assert.match(html, new RegExp(`<section id="${id}"`));
    assert.equal((html.match(/<svg role="img"/g) ?? []).length, 2 + result.frameworks.length, 'severity chart, score chart, one status bar per framework');
    for (const fw of result.frameworks) {
      assert.ok(html.includes(`<h3 id="fw-${fw.id}">`), fw.id);
      assert.ok(html.includes(`${fw.score === null ? 'n/a' : fw.score + '%'}</td>`), `${fw.id} score`);
      for (const req of fw.requirements) assert.ok(html.includes(`<td class="mono">${esc(req.id)}</td>`), `${fw.id} ${req.id}`);
    }
    const open = result.findings.filter((f) => f.status === 'fail');
    for (const f of open) assert.ok(html.includes(`${esc(f.location!.file)}:${f.location!.line}:${f.location!.column}`), f.fingerprint);
    const excepted = result.findings.filter((f) => f.status === 'excepted');
    assert.ok(excepted.length > 0);
    for (const f of excepted) assert.ok(html.includes(esc(f.exception!.reason)));
    // Severity groups come worst first.
    const order = ['critical', 'high', 'medium', 'low'].map((s) => html.indexOf(`>${s}</span> `)).filter((i) => i >= 0);
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
  });

  it('lists input problems and says so when there are none', () => {
    const html = htmlFormatter.render(scanSources([BROKEN_YAML, DEPLOYMENT_YAML]), { color: false });
    assert.match(html, /PALISADE_SOURCE_YAML_SYNTAX<\/td><td class="mono">broken\/bad\.yaml:\d+/);
    assert.match(htmlFormatter.render(scanSources([DEPLOYMENT_YAML]), { color: false }), /No input problems\./);
  });

  it('counts the findings it leaves out when rows are capped', () => {
    const html = [...htmlChunks(scanSources([MULTI_DOC_YAML, DEPLOYMENT_YAML]), { maxFindingRows: 1 })].join('');
    assert.match(html, /2 more open finding\(s\) are not listed here/);
  });
});

describe('htmlFormatter for live cluster scans', () => {
  it('names the cluster, locates live objects in it and lists coverage gaps', () => {
    const result = scanSources([DEPLOYMENT_YAML]);
    delete result.findings[0]!.location;
    Object.assign(result, {
      cluster: 'prod-eu',
      gaps: [{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', reason: 'forbidden', status: 403, message: 'clusterroles is forbidden', controls: ['PAL-RBAC-001'] }],
    });
    const html = htmlFormatter.render(result, { color: false });
    assert.match(html, /<title>Palisade compliance report: prod-eu<\/title>/);
    assert.ok(html.includes(`cluster prod-eu: ${esc(result.findings[0]!.resource.key)}`));
    assert.match(html, /<h3>Coverage gaps<\/h3>/);
    assert.match(html, /rbac\.authorization\.k8s\.io\/v1\/ClusterRole<\/td><td>forbidden<\/td><td class="mono">PAL-RBAC-001<\/td>/);
    assert.doesNotMatch(htmlFormatter.render(scanSources([DEPLOYMENT_YAML]), { color: false }), /Coverage gaps/);
  });
});

describe('htmlFormatter in a browser', () => {
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
  });

  it('renders without a single request and shows hostile names as text', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.setContent(htmlFormatter.render(hostileScan(), { color: false }), { waitUntil: 'load' });
    assert.deepEqual(requests, []);
    assert.equal(await page.locator('script').count(), 0);
    assert.equal(await page.locator('img').count(), 0);
    const text = await page.locator('#findings').innerText();
    assert.ok(text.includes(`Deployment shop/${XSS}`), text.slice(0, 400));
    assert.equal(await page.title(), 'Palisade compliance report: "><svg onload=alert(3)>');
    await page.close();
  });
});
