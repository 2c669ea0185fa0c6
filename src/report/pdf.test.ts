import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { PalisadeError } from '../core/errors.js';
import { examplesScan } from './__fixtures__/examples.js';
import { DEPLOYMENT_YAML, scanSources } from './__fixtures__/scans.js';
import { htmlTitle } from './html.js';
import { htmlToPdf, pdfFormatter, renderPdf } from './pdf.js';

/** Pages of a PDF: its /Type /Page objects (not /Pages), in plain or compressed object streams. */
function pageCount(pdf: Buffer): number {
  const text = pdf.toString('latin1');
  let n = (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
  // Object streams hide objects in deflated streams; count there too.
  for (const m of text.matchAll(/\/Type\s*\/ObjStm[^]*?stream\r?\n/g)) {
    const start = m.index! + m[0].length;
    const end = text.indexOf('endstream', start);
    try {
      n += (inflateSync(pdf.subarray(start, end)).toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
    } catch {
      /* not deflate */
    }
  }
  return n;
}

/** The document title from the Info dictionary, as a PDF literal or UTF-16BE hex string. */
function pdfTitle(pdf: Buffer): string | undefined {
  const text = pdf.toString('latin1');
  const lit = /\/Title\s*\(((?:\\.|[^\\)])*)\)/.exec(text);
  if (lit) return lit[1]!.replace(/\\(.)/g, '$1');
  const hex = /\/Title\s*<([0-9A-Fa-f\s]+)>/.exec(text);
  if (!hex) return undefined;
  const bytes = Buffer.from(hex[1]!.replace(/\s/g, ''), 'hex');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return bytes.subarray(2).swap16().toString('utf16le');
  return bytes.toString('latin1');
}

describe('pdfFormatter', () => {
  it('prints the HTML report of the examples scan to a multi-page A4 PDF titled like the report', async () => {
    const result = await examplesScan();
    const pdf = await renderPdf(result);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.match(pdf.subarray(pdf.length - 8).toString('latin1'), /%%EOF\s*$/);
    assert.ok(pdf.length > 20_000, `${pdf.length} bytes`);
    assert.ok(pageCount(pdf) > 1, `${pageCount(pdf)} pages`);
    assert.equal(pdfTitle(pdf), htmlTitle(result));
    assert.match(pdf.toString('latin1'), /\/StructTreeRoot/, 'tagged (accessible) PDF');
    assert.match(pdf.toString('latin1'), /\/Outlines/, 'an outline from the headings');
    // A4 is 595 × 842 points.
    const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdf.toString('latin1'))!;
    assert.ok(Math.abs(Number(box[1]) - 595) < 1 && Math.abs(Number(box[2]) - 842) < 1, box[0]);
  });

  it('is binary: render() refuses, renderBinary() gives the bytes', async () => {
    assert.throws(() => pdfFormatter.render(scanSources([DEPLOYMENT_YAML]), { color: false }), (e: unknown) => e instanceof PalisadeError && e.diagnostic.code === 'PALISADE_REPORT_BINARY_STDOUT');
    const pdf = await pdfFormatter.renderBinary!(scanSources([DEPLOYMENT_YAML]));
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.equal(pageCount(pdf) >= 1, true);
  });

  it('says PALISADE_REPORT_PDF_UNAVAILABLE when Chromium is missing', async () => {
    await assert.rejects(
      htmlToPdf('<p>x</p>', { executablePath: '/nonexistent/chromium' }),
      (e: unknown) => e instanceof PalisadeError && e.diagnostic.code === 'PALISADE_REPORT_PDF_UNAVAILABLE' && e.message.includes('/nonexistent/chromium'),
    );
    await assert.rejects(htmlToPdf('<p>x</p>', { executablePath: '/bin/true', timeoutMs: 5000 }), (e: unknown) => e instanceof PalisadeError && e.diagnostic.code === 'PALISADE_REPORT_PDF_UNAVAILABLE');
  });
});
