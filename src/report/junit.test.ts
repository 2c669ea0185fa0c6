import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnostic } from '../core/errors.js';
import type { ScanResult } from '../engine/scan-result.js';
import {
  BROKEN_YAML,
  crashingControl,
  DEPLOYMENT_YAML,
  exceptApiAndAgent,
  lineOf,
  missingLabelControl,
  MULTI_DOC_YAML,
  NOT_K8S_YAML,
  POD_JSON,
  privilegedControl,
  scanSources,
  untaggedImageControl,
} from './__fixtures__/scans.js';
import { escapeXmlAttr, escapeXmlText, INPUTS_SUITE, junitFormatter, stripInvalidXmlChars } from './junit.js';

/* ---- a small, strict XML 1.0 reader: enough to prove the report is well-formed ---- */

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const NAME = /[A-Za-z_:][-A-Za-z0-9._:]*/y;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Parses a document or throws with the offset of the first violation. */
function parseXml(doc: string): XmlElement {
  if (!XML_CHAR.test(doc)) throw new Error('document contains a character XML 1.0 forbids');
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at offset ${i}: ${JSON.stringify(doc.slice(i, i + 40))}`);
  };
  const skipSpace = () => {
    while (i < doc.length && ' \t\r\n'.includes(doc[i]!)) i++;
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(doc);
    if (!m) fail('expected a name');
    i += m![0].length;
    return m![0];
  };
  const decode = (raw: string): string =>
    raw.replace(/&([^;]*);/g, (_, ref: string) => {
      let ch: string;
      if (/^#x[0-9A-Fa-f]+$/.test(ref)) ch = String.fromCodePoint(parseInt(ref.slice(2), 16));
      else if (/^#[0-9]+$/.test(ref)) ch = String.fromCodePoint(parseInt(ref.slice(1), 10));
      else if (ref in PREDEFINED) ch = PREDEFINED[ref]!;
      else throw new Error(`unknown entity &${ref};`);
      if (!XML_CHAR.test(ch)) throw new Error(`reference &${ref}; is not an XML character`);
      return ch;
    });
  const checkAmpersands = (raw: string) => {
    if (/&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)/.test(raw)) fail('bare & or malformed reference');
  };
  const misc = () => {
    for (;;) {
      skipSpace();
      if (doc.startsWith('<!--', i)) {
        const end = doc.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else return;
    }
  };
  const element = (): XmlElement => {
    if (doc[i] !== '<') fail('expected <');
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      const before = i;
      skipSpace();
      if (doc.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (doc[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail('expected whitespace before an attribute');
      const attr = name();
      skipSpace();
      if (doc[i] !== '=') fail('expected =');
      i++;
      skipSpace();
      const quote = doc[i];
      if (quote !== '"' && quote !== "'") fail('expected a quoted value');
      const end = doc.indexOf(quote!, i + 1);
      if (end < 0) fail('unterminated attribute value');
      const raw = doc.slice(i + 1, end);
      if (raw.includes('<')) fail('< in attribute value');
      checkAmpersands(raw);
      if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
      // Attribute-value normalisation: literal whitespace characters become spaces.
      el.attrs[attr] = decode(raw.replace(/[\t\n\r]/g, ' '));
      i = end + 1;
    }
    for (;;) {
      if (i >= doc.length) fail(`unclosed <${el.name}>`);
      if (doc.startsWith('</', i)) {
        i += 2;
        if (name() !== el.name) fail(`mismatched end tag for <${el.name}>`);
        skipSpace();
        if (doc[i] !== '>') fail('expected >');
        i++;
        return el;
      }
      if (doc.startsWith('<!--', i)) {
        const end = doc.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (doc.startsWith('<![CDATA[', i)) {
        const end = doc.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        el.text += doc.slice(i + 9, end);
        i = end + 3;
      } else if (doc[i] === '<') {
        el.children.push(element());
      } else {
        const end = doc.indexOf('<', i);
        const raw = doc.slice(i, end < 0 ? doc.length : end);
        if (raw.includes(']]>')) fail(']]> in character data');
        checkAmpersands(raw);
        el.text += decode(raw);
        i += raw.length;
      }
    }
  };

  if (doc.startsWith('<?xml', 0)) {
    const end = doc.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    if (!/^<\?xml version="1\.0"( encoding="UTF-8")?\?>$/.test(doc.slice(0, end + 2))) fail('bad XML declaration');
    i = end + 2;
  }
  misc();
  const root = element();
  misc();
  if (i !== doc.length) fail('content after the root element');
  return root;
}

/* ---- helpers over the parsed report ---- */

const kids = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);
const num = (el: XmlElement, attr: string) => {
  const v = el.attrs[attr];
  assert.match(v ?? '', /^\d+$/, `${el.name} ${attr}=${v}`);
  return Number(v);
};

function renderJunit(result: ScanResult): XmlElement {
  const xml = junitFormatter.render(result, { color: false });
  const root = parseXml(xml);
  assert.equal(root.name, 'testsuites');
  assertCountsConsistent(root);
  return root;
}

/** Every count attribute equals the number of elements it counts, at suite and report level. */
function assertCountsConsistent(root: XmlElement): void {
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const suite of kids(root, 'testsuite')) {
    const cases = kids(suite, 'testcase');
    const count = { tests: cases.length, failures: 0, errors: 0, skipped: 0 };
    for (const c of cases) {
      const outcomes = c.children.filter((x) => ['failure', 'error', 'skipped'].includes(x.name));
      assert.ok(outcomes.length <= 1, 'a test case has at most one outcome');
      if (outcomes[0]) count[outcomes[0].name === 'failure' ? 'failures' : outcomes[0].name === 'error' ? 'errors' : 'skipped']++;
      assert.ok(c.attrs.classname && c.attrs.name, 'testcase has classname and name');
    }
    for (const k of ['tests', 'failures', 'errors', 'skipped'] as const) {
      assert.equal(num(suite, k), count[k], `${suite.attrs.name} ${k}`);
      totals[k] += count[k];
    }
  }
  for (const k of ['tests', 'failures', 'errors', 'skipped'] as const) assert.equal(num(root, k), totals[k], `testsuites ${k}`);
}

const suiteNamed = (root: XmlElement, prefix: string) => {
  const s = kids(root, 'testsuite').find((x) => x.attrs.name === prefix || x.attrs.name!.startsWith(prefix + ' '));
  assert.ok(s, `suite ${prefix}`);
  return s!;
};

describe('XML reader used by these tests', () => {
  it('rejects what is not well-formed', () => {
    for (const bad of ['<a>', '<a></b>', '<a x="1" x="2"/>', '<a x="<"/>', '<a>&</a>', '<a>&foo;</a>', '<a>]]></a>', '<a/><b/>', '<a>\u0001</a>', '<a x=1/>', '<a>&#0;</a>', '<a\u00a0/>']) {
      assert.throws(() => parseXml(bad), Error, bad);
    }
    assert.deepEqual(parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a b="x&#10;y&amp;" c=\'q\'>t&lt;<![CDATA[<&>]]><c/></a>\n').attrs, { b: 'x\ny&', c: 'q' });
  });
});

describe('junitFormatter', () => {
  it('writes a suite per control and a failing case per finding, with file:line', () => {
    const clean = { file: 'manifests/clean.yaml', text: 'apiVersion: v1\nkind: Pod\nmetadata: { name: ok, namespace: ops, labels: { owner: me } }\nspec:\n  containers: [{ name: c, image: c:1 }]\n' };
    const result = scanSources([DEPLOYMENT_YAML, POD_JSON, MULTI_DOC_YAML, clean], { controls: [privilegedControl(), untaggedImageControl, missingLabelControl] });
    const root = renderJunit(result);
    const suites = kids(root, 'testsuite');
    assert.deepEqual(
      suites.map((s) => s.attrs.name),
      ['PAL-POD-001 Containers must not run privileged', 'PAL-TEST-010 Images must carry a tag', 'PAL-TEST-020 Workloads name an owner'],
    );
    assert.equal(num(root, 'failures'), result.findings.length);

    const pod = suiteNamed(root, 'PAL-POD-001');
    const run = result.controls.find((c) => c.meta.id === 'PAL-POD-001')!;
    assert.equal(num(pod, 'failures'), run.failed);
    assert.equal(num(pod, 'skipped'), run.excepted);
    const props = Object.fromEntries(kids(kids(pod, 'properties')[0]!, 'property').map((p) => [p.attrs.name, p.attrs.value]));
    assert.equal(props.severity, 'critical');
    assert.equal(props.evaluated, String(run.evaluated));

    const failing = kids(pod, 'testcase').filter((c) => kids(c, 'failure').length);
    assert.equal(failing.length, 4);
    const first = failing[0]!;
    assert.equal(first.attrs.classname, 'PAL-POD-001');
    assert.equal(first.attrs.name, 'Deployment shop/web spec.template.spec.containers[1].securityContext.privileged');
    const line = lineOf(DEPLOYMENT_YAML.text, 'privileged: true');
    assert.equal(first.attrs.file, 'manifests/web deployment.yaml');
    assert.equal(first.attrs.line, String(line));
    const failure = kids(first, 'failure')[0]!;
    assert.equal(failure.attrs.type, 'critical');
    assert.equal(failure.attrs.message, 'Container "debug" runs privileged');
    assert.ok(failure.text.includes(`manifests/web deployment.yaml:${line}:`), failure.text);
    assert.ok(failure.text.includes('Fix (JSON patch): [{"op":"replace"'), failure.text);

    // Multi-document and JSON files get their own lines too.
    const names = failing.map((c) => `${c.attrs.file}:${c.attrs.line}`);
    assert.deepEqual(names.slice(1), [
      `manifests/pod.json:${lineOf(POD_JSON.text, '"privileged": true')}`,
      `manifests/multi.yaml:${lineOf(MULTI_DOC_YAML.text, 'privileged: true', 0)}`,
      `manifests/multi.yaml:${lineOf(MULTI_DOC_YAML.text, 'privileged: true', 1)}`,
    ]);

    // Resources evaluated without a finding are one passing case, so CI shows the control passed there.
    const passing = kids(pod, 'testcase').filter((c) => c.children.length === 0);
    const withFindings = new Set(result.findings.filter((f) => f.controlId === 'PAL-POD-001').map((f) => f.resource.key)).size;
    assert.equal(run.evaluated - withFindings, 1);
    assert.deepEqual(passing.map((c) => c.attrs.name), ['1 resource without findings']);
    assert.equal(num(pod, 'tests'), 5);

    const image = kids(suiteNamed(root, 'PAL-TEST-010'), 'testcase').find((c) => kids(c, 'failure').length)!;
    assert.equal(kids(image, 'failure')[0]!.attrs.type, 'medium');
    assert.ok(kids(image, 'failure')[0]!.text.includes('Evidence: "busybox"'));
  });

  it('writes excepted findings as skipped cases with the exception', () => {
    const result = scanSources([MULTI_DOC_YAML, POD_JSON], { exceptionFor: exceptApiAndAgent });
    const pod = suiteNamed(renderJunit(result), 'PAL-POD-001');
    assert.equal(num(pod, 'skipped'), 2);
    assert.equal(num(pod, 'failures'), 1);
    const skipped = kids(pod, 'testcase').flatMap((c) => kids(c, 'skipped'));
    assert.deepEqual(
      skipped.map((s) => s.attrs.message),
      ['excepted by EXC-7: setup needs host access once', 'excepted by annotation: agent is the node monitor'],
    );
    assert.ok(skipped[0]!.text.includes('Owner: team-ops'));
    assert.ok(skipped[0]!.text.includes('Expires: 2030-01-31'));
  });

  it('writes input errors as error cases of palisade.inputs and the rest as its output', () => {
    const result = scanSources([BROKEN_YAML, NOT_K8S_YAML, DEPLOYMENT_YAML, MULTI_DOC_YAML], { controls: [privilegedControl(), crashingControl] });
    const errors = result.diagnostics.filter((d) => d.level === 'error');
    assert.ok(errors.length >= 1 && result.diagnostics.length > errors.length, 'the fixture has errors and warnings/notes');
    const root = renderJunit(result);
    const inputs = suiteNamed(root, INPUTS_SUITE);
    assert.equal(kids(root, 'testsuite').at(-1), inputs, 'input problems come last');
    assert.equal(num(inputs, 'errors'), errors.length);
    assert.equal(num(root, 'errors'), errors.length);
    const first = kids(inputs, 'testcase')[0]!;
    const error = kids(first, 'error')[0]!;
    assert.equal(error.attrs.type, 'PALISADE_SOURCE_YAML_SYNTAX');
    assert.equal(first.attrs.classname, INPUTS_SUITE);
    assert.equal(first.attrs.file, 'broken/bad.yaml');
    assert.equal(first.attrs.name, `broken/bad.yaml:${errors[0]!.line} PALISADE_SOURCE_YAML_SYNTAX`);
    assert.ok(error.text.startsWith(`broken/bad.yaml:${errors[0]!.line}:`), error.text);
    const out = kids(inputs, 'system-out')[0]!.text;
    assert.ok(out.includes('PALISADE_SOURCE_NOT_K8S'), out);
    assert.ok(out.includes('PALISADE_ENGINE_CONTROL_FAILED'), out);
  });

  it('leaves out palisade.inputs when the input was clean, and renders an empty scan', () => {
    const clean = renderJunit(scanSources([DEPLOYMENT_YAML]));
    assert.equal(kids(clean, 'testsuite').some((s) => s.attrs.name === INPUTS_SUITE), false);

    const empty = renderJunit(scanSources([]));
    assert.equal(num(empty, 'tests'), 0);
    const suite = suiteNamed(empty, 'PAL-POD-001');
    assert.equal(kids(suite, 'testcase').length, 0, 'nothing evaluated, nothing to report');
    assert.equal(empty.attrs.time, '1.234');

    const none = renderJunit(scanSources([], { controls: [] }));
    assert.deepEqual(none.children, []);
  });

  it('escapes markup and drops characters XML 1.0 cannot carry', () => {
    // The container name reaches the message, the test case text and attribute values.
    const nasty = 'a<b>&c"d\'e]]>f\tg\u0001h\u001bi\uFFFEj\uD800k\u{1F600}';
    const yaml = `apiVersion: v1
kind: Pod
metadata: { name: "p&q<r>", namespace: ns }
spec:
  containers:
    - name: ${JSON.stringify(nasty)}
      image: x:1
      securityContext: { privileged: true }
`;
    const result = scanSources([{ file: 'odd & "quoted" <dir>/pod.yaml', text: yaml }]);
    assert.equal(result.findings.length, 1);
    assert.ok(result.findings[0]!.message.includes('\u0001'), 'the fixture really carries a control character');
    const xml = junitFormatter.render(result, { color: false });
    const root = renderJunit(result);
    const tc = kids(kids(root, 'testsuite')[0]!, 'testcase')[0]!;
    const failure = kids(tc, 'failure')[0]!;
    const expected = stripInvalidXmlChars(`Container "${nasty}" runs privileged`);
    assert.equal(failure.attrs.message, expected, 'attribute round-trips, tab included');
    assert.ok(failure.text.startsWith(expected + '\n'));
    assert.equal(tc.attrs.file, 'odd & "quoted" <dir>/pod.yaml');
    assert.equal(tc.attrs.name, 'Pod ns/p&q<r> spec.containers[0].securityContext.privileged');
    assert.ok(!xml.includes('\u0001') && !xml.includes('\uFFFE') && !xml.includes(']]>'));
    assert.ok(xml.includes('\u{1F600}'), 'characters outside the BMP are kept');
  });

  it('is deterministic', () => {
    const make = () => junitFormatter.render(scanSources([DEPLOYMENT_YAML, MULTI_DOC_YAML, BROKEN_YAML], { exceptionFor: exceptApiAndAgent }), { color: false });
    assert.equal(make(), make());
  });

  it('still reports findings whose control is not among the runs', () => {
    const result = scanSources([DEPLOYMENT_YAML]);
    result.controls = [];
    result.diagnostics.push(diagnostic('PALISADE_SOURCE_NOT_FOUND', {}, { file: 'missing.yaml' }));
    const root = renderJunit(result);
    const orphan = suiteNamed(root, 'PAL-POD-001');
    assert.equal(num(orphan, 'failures'), 1);
    const missing = kids(suiteNamed(root, INPUTS_SUITE), 'testcase')[0]!;
    assert.equal(missing.attrs.name, 'missing.yaml PALISADE_SOURCE_NOT_FOUND');
    assert.equal(missing.attrs.line, undefined);
  });
});

describe('XML escaping', () => {
  it('escapes text and attributes', () => {
    assert.equal(escapeXmlText('a<b>&c]]>"\''), 'a&lt;b&gt;&amp;c]]&gt;"\'');
    assert.equal(escapeXmlAttr('a"b\tc\nd\re<&'), 'a&quot;b&#9;c&#10;d&#13;e&lt;&amp;');
  });

  it('drops only characters outside the XML 1.0 Char production', () => {
    assert.equal(stripInvalidXmlChars('\u0000\u0008\t\n\u000B\u000C\r\u001F ok\uD7FF\uE000\uFFFD\uFFFE\uFFFF'), '\t\n\r ok\uD7FF\uE000\uFFFD');
    assert.equal(stripInvalidXmlChars('x\uDC00y\uD83D\uDE00z\uD83D'), 'xy\u{1F600}z', 'lone surrogates go, pairs stay');
  });
});
