import type { Finding } from '../core/finding.js';
import { toDotted } from '../core/path.js';
import type { ScanResult } from '../engine/scan-result.js';
import type { Formatter } from './formatter.js';

/*
 * RFC 4180 CSV: CRLF line ends, a header row, fields with a comma, quote, CR or LF quoted
 * and quotes doubled. One row per failing or excepted finding, in the scan's order.
 *
 * Spreadsheets run a cell that starts with = + - @ (or tab / CR) as a formula, and resource
 * names, messages and evidence come from the scanned manifests: such text cells get a
 * leading apostrophe (OWASP "CSV injection"), which spreadsheets show as text. Numbers we
 * write ourselves (line, column) are left as they are.
 */

export const CSV_COLUMNS = [
  'control',
  'title',
  'severity',
  'status',
  'category',
  'apiVersion',
  'kind',
  'namespace',
  'name',
  'file',
  'line',
  'column',
  'path',
  'message',
  'evidence',
  'exception',
  'exceptionReason',
  'exceptionOwner',
  'exceptionExpires',
  'fingerprint',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: neutralised when it could run as a formula, quoted when it must be. */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(fields: ReadonlyArray<string | number | undefined>): string {
  return fields.map(csvField).join(',') + '\r\n';
}

function evidenceText(e: unknown): string | undefined {
  if (e === undefined) return undefined;
  return typeof e === 'string' ? e : JSON.stringify(e);
}

export const csvFormatter: Formatter = {
  name: 'csv',
  description: 'One row per finding (RFC 4180, CRLF), safe to open in a spreadsheet.',
  extension: 'csv',
  render(result, opts) {
    return [...this.chunks!(result, opts)].join('');
  },
  *chunks(result: ScanResult) {
    const meta = new Map(result.controls.map((c) => [c.meta.id, c.meta]));
    yield csvRow(CSV_COLUMNS);
    let buf = '';
    let n = 0;
    for (const f of result.findings) {
      if (f.status !== 'fail' && f.status !== 'excepted') continue;
      buf += csvRow(rowOf(f, meta.get(f.controlId)));
      if (++n % 1000 === 0) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  },
};

function rowOf(f: Finding, meta: { title: string; category: string } | undefined): Array<string | number | undefined> {
  return [
    f.controlId,
    meta?.title,
    f.severity,
    f.status,
    meta?.category,
    f.resource.apiVersion,
    f.resource.kind,
    f.resource.namespace,
    f.resource.name,
    f.location?.file,
    f.location?.line,
    f.location?.column,
    toDotted(f.path),
    f.message,
    evidenceText(f.evidence),
    f.exception?.id,
    f.exception?.reason,
    f.exception?.owner,
    f.exception?.expires,
    f.fingerprint,
  ];
}
