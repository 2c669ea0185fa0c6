import { existsSync } from 'node:fs';
import { diagnostic, PalisadeError } from '../core/errors.js';
import type { ScanResult } from '../engine/scan-result.js';
import type { Formatter } from './formatter.js';
import { htmlChunks, htmlTitle, type HtmlOptions } from './html.js';

/*
 * The HTML report printed to PDF by headless Chromium (playwright-core drives it; the
 * browser is the system's, not a downloaded one). The page is loaded with setContent, no
 * JavaScript and the network off: the report is self-contained, so nothing is fetched.
 */

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Chromium slows down sharply on very long tables; the PDF lists this many open findings (all are counted). */
export const PDF_MAX_FINDING_ROWS = 3000;

export interface PdfOptions extends HtmlOptions {
  /** Chromium binary; default PALISADE_CHROMIUM or /usr/bin/chromium. */
  executablePath?: string;
  timeoutMs?: number;
}

export function chromiumPath(env: Record<string, string | undefined> = process.env): string {
  return env.PALISADE_CHROMIUM || DEFAULT_CHROMIUM;
}

function unavailable(reason: string): PalisadeError {
  return new PalisadeError(diagnostic('PALISADE_REPORT_PDF_UNAVAILABLE', { reason }));
}

/** Renders HTML to PDF bytes with headless Chromium. */
export async function htmlToPdf(html: string, opts: { executablePath?: string; timeoutMs?: number; title?: string } = {}): Promise<Buffer> {
  const executablePath = opts.executablePath ?? chromiumPath();
  if (!existsSync(executablePath)) throw unavailable(`Chromium is not installed at ${executablePath}`);
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    throw unavailable(`playwright-core cannot be loaded (${(e as Error).message.split('\n')[0]})`);
  }
  const timeout = opts.timeoutMs ?? 60_000;
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout });
  } catch (e) {
    throw unavailable(`Chromium at ${executablePath} did not start (${(e as Error).message.split('\n')[0]})`);
  }
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    // Belt and braces with the page's Content-Security-Policy: no request leaves the browser.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load', timeout });
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: `<div style="font-size:8px;width:100%;text-align:center;color:#57606a">${escapeFooter(opts.title ?? 'Palisade report')} · page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`,
      margin: { top: '14mm', bottom: '16mm', left: '12mm', right: '12mm' },
      tagged: true,
      outline: true,
    });
    return Buffer.from(pdf);
  } finally {
    await browser.close();
  }
}

function escapeFooter(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function renderPdf(result: ScanResult, opts: PdfOptions = {}): Promise<Buffer> {
  const html = [...htmlChunks(result, { maxFindingRows: PDF_MAX_FINDING_ROWS, ...opts })].join('');
  return htmlToPdf(html, { executablePath: opts.executablePath, timeoutMs: opts.timeoutMs, title: htmlTitle(result, opts) });
}

export const pdfFormatter: Formatter = {
  name: 'pdf',
  description: 'The HTML report as PDF (A4), printed by headless Chromium; binary, so it needs --output FILE.',
  extension: 'pdf',
  render() {
    throw new PalisadeError(diagnostic('PALISADE_REPORT_BINARY_STDOUT', { format: 'pdf' }));
  },
  renderBinary(result) {
    return renderPdf(result);
  },
};
