import type { Formatter } from './formatter.js';
import { jsonFormatter } from './json.js';
import { junitFormatter } from './junit.js';
import { sarifFormatter } from './sarif.js';
import { tableFormatter } from './table.js';

/** Every report format by name. */
export const FORMATTERS: Readonly<Record<string, Formatter>> = {
  json: jsonFormatter,
  junit: junitFormatter,
  sarif: sarifFormatter,
  table: tableFormatter,
};
