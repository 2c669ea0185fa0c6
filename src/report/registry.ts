import { csvFormatter } from './csv.js';
import type { Formatter } from './formatter.js';
import { htmlFormatter } from './html.js';
import { jsonFormatter } from './json.js';
import { junitFormatter } from './junit.js';
import { openReportsFormatter } from './openreports.js';
import { oscalFormatter } from './oscal.js';
import { pdfFormatter } from './pdf.js';
import { policyReportFormatter } from './policyreport.js';
import { sarifFormatter } from './sarif.js';
import { tableFormatter } from './table.js';

/** Every report format by name. */
export const FORMATTERS: Readonly<Record<string, Formatter>> = {
  csv: csvFormatter,
  html: htmlFormatter,
  json: jsonFormatter,
  junit: junitFormatter,
  openreports: openReportsFormatter,
  oscal: oscalFormatter,
  pdf: pdfFormatter,
  policyreport: policyReportFormatter,
  sarif: sarifFormatter,
  table: tableFormatter,
};
