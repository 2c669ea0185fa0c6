import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Optional } from '@marcbachmann/cel-js';
import { evaluateExpression, type CelErrorCode } from './index.js';

/** Evaluates and returns the value, failing the test on any error. */
function ev(expr: string, activation: Record<string, unknown> = {}): unknown {
  const r = evaluateExpression(expr, activation);
  if (!r.ok) assert.fail(`${expr}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

/** Evaluates and returns the error, failing the test when there is none. */
function err(expr: string, code: CelErrorCode = 'PALISADE_CEL_RUNTIME', activation: Record<string, unknown> = {}): string {
  const r = evaluateExpression(expr, activation);
  if (r.ok) assert.fail(`${expr}: expected ${code}, got ${String(r.value)}`);
  assert.equal(r.error.code, code, `${expr}: ${r.error.message}`);
  return r.error.message;
}

const cases = (pairs: [string, unknown][]) => {
  for (const [expr, want] of pairs) assert.deepEqual(ev(expr), want, expr);
};

test('lists: isSorted, sum, min, max, indexOf, lastIndexOf', () => {
  cases([
    ['[1, 2, 3].isSorted()', true],
    ['[1, 3, 2].isSorted()', false],
    ['["a", "b", "b"].isSorted()', true],
    ['[].isSorted()', true],
    ['[1, 2, 3].sum()', 6n],
    ['[1.5, 2.5].sum()', 4],
    ['[1u, 2u].sum() == 3u', true],
    ['[].sum()', 0n],
    ['[3, 1, 2].min()', 1n],
    ['[3, 1, 2].max()', 3n],
    ['["b", "a"].min()', 'a'],
    ['[1, 2.5].max()', 2.5],
    ['[1, 2, 3, 2].indexOf(2)', 1n],
    ['[1, 2, 3, 2].lastIndexOf(2)', 3n],
    ['[1, 2, 3].indexOf(4)', -1n],
    ['[1, 2, 3].indexOf(2.0)', 1n],
    ['[[1], [2]].indexOf([2])', 1n],
  ]);
  assert.match(err('[].min()'), /min called on empty list/);
  assert.match(err('[].max()'), /max called on empty list/);
  err('[9223372036854775807, 1].sum()');
});

test('regex: matches, find, findAll on RE2 semantics', () => {
  cases([
    ['"abc".matches("^a.c$")', true],
    ['matches("abc", "b")', true],
    ['"abc 123 def 456".find("[0-9]+")', '123'],
    ['"abc".find("[0-9]+")', ''],
    ['"abc 123 def 456".findAll("[0-9]+")', ['123', '456']],
    ['"abc 123 def 456".findAll("[0-9]+", 1)', ['123']],
    ['"abc".findAll("[0-9]+")', []],
  ]);
  assert.match(err('"abc".matches("(?=a)")', 'PALISADE_CEL_SYNTAX'), /invalid or unsupported Perl syntax/);
  assert.match(err('"abc".matches(object.re)', 'PALISADE_CEL_RUNTIME', { object: { re: '(a)\\1' } }), /invalid escape sequence/);
});

test('URLs', () => {
  const u = 'url("https://user@example.com:8080/a%20b/c?x=1&x=2&y=#frag")';
  cases([
    ['isURL("https://example.com/path")', true],
    ['isURL("/absolute/path")', true],
    ['isURL("relative/path")', false],
    ['isURL("")', false],
    [`${u}.getScheme()`, 'https'],
    [`${u}.getHost()`, 'example.com:8080'],
    [`${u}.getHostname()`, 'example.com'],
    [`${u}.getPort()`, '8080'],
    [`${u}.getEscapedPath()`, '/a%20b/c'],
    ['url("https://[::1]:80/").getHostname()', '::1'],
    ['url("https://[::1]:80/").getHost()', '[::1]:80'],
    ['url("https://example.com").getPort()', ''],
    ['url("https://example.com").getEscapedPath()', ''],
    ['url("/a b").getEscapedPath()', '/a%20b'],
    ['url("HTTPS://x.io").getScheme()', 'https'],
    ['url("mailto:a@b.c").getHost()', ''],
  ]);
  assert.deepEqual({ ...(ev('url("https://a.io/?q=a+b&r=%41&s&bad=%zz").getQuery()') as object) }, { q: ['a b'], r: ['A'], s: [''] });
  assert.match(err('url("relative")'), /URL parse error during conversion from string: parse "relative": invalid URI for request/);
  assert.match(err('url("https://a.io:port/")'), /invalid port ":port" after host/);
});

test('quantity library', () => {
  cases([
    ['quantity("1.5G").isGreaterThan(quantity("1G"))', true],
    ['isQuantity("200k")', true],
    ['isQuantity("200K")', false],
    ['quantity("200M").compareTo(quantity("0.2G"))', 0n],
    ['quantity("50M").compareTo(quantity("50Mi"))', -1n],
    ['quantity("50M").isLessThan(quantity("100M"))', true],
    ['quantity("50k").add(quantity("20k")) == quantity("70k")', true],
    ['quantity("50k").add(20) == quantity("50020")', true],
    ['quantity("50k").sub(quantity("20k")) == quantity("30k")', true],
    ['quantity("50k").sub(20000) == quantity("30k")', true],
    ['quantity("50k").add(20).sub(quantity("100k")).sub(-50000) == quantity("20")', true],
    ['quantity("50000000G").isInteger()', true],
    ['quantity("9999999999999999999999999999999999999G").isInteger()', false],
    ['quantity("50k").asInteger()', 50000n],
    ['quantity("50k").sub(20000).asApproximateFloat()', 30000],
    ['quantity("-1").sign()', -1n],
    ['sign(quantity("1m"))', 1n],
    ['quantity("2k").mul(3) == quantity("6k")', true],
    ['quantity("1Gi") == quantity("1073741824")', true],
  ]);
  assert.match(err('quantity("1.5x")'), /quantities must match the regular expression/);
  assert.match(err('quantity("200K")'), /unable to parse quantity's suffix/);
  assert.match(err('quantity("Three")'), /quantities must match/);
  assert.match(err('quantity("9999999999999999999999999999999999999G").asInteger()'), /cannot convert value to integer/);
});

test('IP and CIDR libraries', () => {
  cases([
    ['ip("127.0.0.1").family()', 4n],
    ['ip("::1").family()', 6n],
    ['isIP("127.0.0.1")', true],
    ['isIP("127.0.0.01")', false],
    ['isIP("::ffff:1.2.3.4")', false],
    ['isIP("fe80::1%eth0")', false],
    ['ip.isCanonical("2001:db8::abcd")', true],
    ['ip.isCanonical("2001:DB8::ABCD")', false],
    ['string(ip("2001:DB8::ABCD"))', '2001:db8::abcd'],
    ['ip("0.0.0.0").isUnspecified()', true],
    ['ip("127.0.0.1").isLoopback()', true],
    ['ip("224.0.0.1").isLinkLocalMulticast()', true],
    ['ip("169.254.169.254").isLinkLocalUnicast()', true],
    ['ip("192.168.0.1").isGlobalUnicast()', true],
    ['ip("255.255.255.255").isGlobalUnicast()', false],
    ['ip("10.0.0.1") == ip("10.0.0.1")', true],
    ['ip("10.0.0.1") == ip("10.0.0.2")', false],
    ['cidr("192.168.0.0/24").containsIP(ip("192.168.0.1"))', true],
    ['cidr("192.168.0.0/24").containsIP("192.168.1.1")', false],
    ['cidr("192.168.0.0/16").containsCIDR(cidr("192.168.10.0/24"))', true],
    ['cidr("192.168.0.0/24").containsCIDR("192.168.0.0/16")', false],
    ['cidr("192.168.0.1/24").ip() == ip("192.168.0.1")', true],
    ['string(cidr("192.168.0.1/24").masked())', '192.168.0.0/24'],
    ['cidr("::1/128").prefixLength()', 128n],
    ['isCIDR("10.0.0.0/8")', true],
    ['isCIDR("10.0.0.0/08")', false],
    ['cidr("10.0.0.0/8") == cidr("10.0.0.0/8")', true],
  ]);
  assert.match(err('ip("127.0.0.256")'), /parse error during conversion from string/);
  assert.match(err('ip("fe80::1%eth0")'), /zone value is not allowed/);
  assert.match(err('cidr("10.0.0.0/33")'), /prefix length out of range/);
  assert.match(err('cidr("10.0.0.0/8").containsIP("nope")'), /parse error/);
});

test('semver library', () => {
  cases([
    ['semver("1.2.3").major()', 1n],
    ['semver("1.2.3").minor()', 2n],
    ['semver("1.2.3").patch()', 3n],
    ['isSemver("1.0.0")', true],
    ['isSemver("v1.0")', false],
    ['isSemver("v1.0", true)', true],
    ['isSemver("01.01.01")', false],
    ['semver("01.01.01", true) == semver("1.1.1")', true],
    ['semver("1.0", true) == semver("1.0.0")', true],
    ['semver("1.2.3").compareTo(semver("2.0.0"))', -1n],
    ['semver("1.2.3").compareTo(semver("0.1.2"))', 1n],
    ['semver("1.0.0-alpha").isLessThan(semver("1.0.0"))', true],
    ['semver("1.0.0-alpha.1").isLessThan(semver("1.0.0-alpha.beta"))', true],
    ['semver("1.0.0-2").isLessThan(semver("1.0.0-10"))', true],
    ['semver("1.0.0+build1") == semver("1.0.0+build2")', true],
    ['semver("1.10.0").isGreaterThan(semver("1.9.9"))', true],
  ]);
  assert.match(err('semver("Three")'), /No Major.Minor.Patch elements found/);
  assert.match(err('semver("1.0-alpha", true)'), /short version cannot contain PreRelease\/Build meta data/);
  assert.match(err('semver("1.02.3")'), /Minor number must not contain leading zeroes/);
});

test('format library', () => {
  cases([
    ['format.dns1123Label().validate("my-name").hasValue()', false],
    ['format.dns1123Label().validate("My_Name").hasValue()', true],
    ['format.dns1123Label().validate("a.b").value()', ['must not contain dots']],
    ['format.dns1123Subdomain().validate("apiextensions.k8s.io").hasValue()', false],
    ['format.dns1035Label().validate("1abc").hasValue()', true],
    ['format.qualifiedName().validate("apiextensions.k8s.io/v1beta1").hasValue()', false],
    ['format.qualifiedName().validate("a/b/c").hasValue()', true],
    ['format.dns1123LabelPrefix().validate("my-label-prefix-").hasValue()', false],
    ['format.dns1123SubdomainPrefix().validate("mysubdomain.prefix.-").hasValue()', false],
    ['format.dns1035LabelPrefix().validate("my-label-prefix-").hasValue()', false],
    ['format.labelValue().validate("").hasValue()', false],
    ['format.labelValue().validate("-bad").hasValue()', true],
    ['format.uri().validate("http://example.com").hasValue()', false],
    ['format.uri().validate("example").value()', ['parse "example": invalid URI for request']],
    ['format.uuid().validate("123e4567-e89b-12d3-a456-426614174000").hasValue()', false],
    ['format.uuid().validate("not-a-uuid").value()', ['does not match the UUID format']],
    ['format.byte().validate("aGVsbG8=").hasValue()', false],
    ['format.byte().validate("aGVsbG8").value()', ['invalid base64']],
    ['format.date().validate("2021-01-01").hasValue()', false],
    ['format.date().validate("2021-02-30").hasValue()', true],
    ['format.datetime().validate("2021-01-01T00:00:00Z").hasValue()', false],
    ['format.datetime().validate("2021-01-01 00:00:00").hasValue()', true],
    ['format.named("dns1123Label").hasValue()', true],
    ['format.named("nope").hasValue()', false],
    ['format.named("labelValue").value().validate("ok").hasValue()', false],
  ]);
  const long = ev(`format.dns1123Label().validate("${'a'.repeat(64)}").value()`) as string[];
  assert.deepEqual(long, ['must be no more than 63 characters']);
  const msg = ev('format.dns1123Label().validate("Abc").value()') as string[];
  assert.deepEqual(msg, [
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
});

test('strings extension: code-point indexes and Go semantics', () => {
  cases([
    ['"hello".charAt(1)', 'e'],
    ['"hello".charAt(5)', ''],
    ['"héllo😀x".charAt(5)', '😀'],
    ['"hello mellow".indexOf("")', 0n],
    ['"hello mellow".indexOf("ello")', 1n],
    ['"hello mellow".indexOf("ello", 6)', 7n],
    ['"hello mellow".indexOf("jello")', -1n],
    ['"😀é".indexOf("é")', 1n],
    ['"hello mellow".lastIndexOf("")', 12n],
    ['"hello mellow".lastIndexOf("ello")', 7n],
    ['"hello mellow".lastIndexOf("ello", 6)', 1n],
    ['"TacoCat".lowerAscii()', 'tacocat'],
    ['"TacoCÆt Xii".lowerAscii()', 'tacocÆt xii'],
    ['"TacoCat".upperAscii()', 'TACOCAT'],
    ['"tacocæt".upperAscii()', 'TACOCæT'],
    ['"hello hello".replace("he", "we")', 'wello wello'],
    ['"hello hello".replace("he", "we", -1)', 'wello wello'],
    ['"hello hello".replace("he", "we", 1)', 'wello hello'],
    ['"hello hello".replace("he", "we", 0)', 'hello hello'],
    ['"ab".replace("", "-")', '-a-b-'],
    ['"hello hello hello".split(" ")', ['hello', 'hello', 'hello']],
    ['"hello hello hello".split(" ", 0)', []],
    ['"hello hello hello".split(" ", 1)', ['hello hello hello']],
    ['"hello hello hello".split(" ", 2)', ['hello', 'hello hello']],
    ['"hello hello hello".split(" ", -1)', ['hello', 'hello', 'hello']],
    ['"a😀b".split("")', ['a', '😀', 'b']],
    ['"tacocat".substring(4)', 'cat'],
    ['"tacocat".substring(0, 4)', 'taco'],
    ['"😀bc".substring(1)', 'bc'],
    ['"  \\ttrim\\n    ".trim()', 'trim'],
    ['"\\u0085x\\u0085".trim()', 'x'],
    ['"\\ufeffx".trim()', '\ufeffx'],
    ['["hello", "mellow"].join()', 'hellomellow'],
    ['["hello", "mellow"].join(" ")', 'hello mellow'],
    ['[].join("/")', ''],
    ['strings.quote("first\\nsecond")', '"first\\nsecond"'],
    ['strings.quote("bell\\a")', '"bell\\a"'],
    ['strings.quote("\\"quoted\\"")', '"\\"quoted\\""'],
    ['"gums".reverse()', 'smug'],
    ['"John Smith".reverse()', 'htimS nhoJ'],
    ['"😀ab".reverse()', 'ba😀'],
  ]);
  assert.match(err('"hello".charAt(6)'), /index out of range: 6/);
  assert.match(err('"hello".charAt(-1)'), /index out of range: -1/);
  assert.match(err('"hello".indexOf("l", 10)'), /index out of range: 10/);
  assert.match(err('"tacocat".substring(40)'), /index out of range: 40/);
  assert.match(err('"tacocat".substring(4, 2)'), /invalid substring range. start: 4, end: 2/);
  assert.match(err('"tacocat".substring(-1)'), /index out of range: -1/);
});

test('strings.format clauses', () => {
  cases([
    ['"%s, %s".format(["a", 1])', 'a, 1'],
    ['"%d items".format([3])', '3 items'],
    ['"%d".format([3u])', '3'],
    ['"%.2f".format([3.14159])', '3.14'],
    ['"%f".format([1.5])', '1.500000'],
    ['"%e".format([1234.5678])', '1.234568e+03'],
    ['"%b".format([5])', '101'],
    ['"%b".format([true])', '1'],
    ['"%o".format([8])', '10'],
    ['"%x".format([255])', 'ff'],
    ['"%X".format([255])', 'FF'],
    ['"%x".format(["hi"])', '6869'],
    ['"100%%".format([])', '100%'],
    ['"%s".format([[1, "a", 2.5]])', '[1, "a", 2.500000]'],
    ['"%s".format([{"b": 1, "a": true}])', '{"a":true, "b":1}'],
    ['"%s".format([null])', 'null'],
    ['"%s".format([1.0])', '1'],
    ['"%s".format([1000000.0])', '1e+06'],
    ['"%s".format([0.5])', '0.5'],
    ['"%s".format([type(1)])', 'int'],
  ]);
  assert.match(err('"%d".format([1.5])'), /decimal clause can only be used on integers, was given double/);
  assert.match(err('"%f".format([1])'), /fixed-point clause can only be used on doubles/);
  assert.match(err('"%s %s".format(["a"])'), /index 1 out of range/);
  assert.match(err('"%q".format(["a"])'), /unrecognized formatting clause/);
});

test('sets extension', () => {
  cases([
    ['sets.contains([], [])', true],
    ['sets.contains([1, 2, 3], [2, 3])', true],
    ['sets.contains([1, 2, 3], [4])', false],
    ['sets.contains([1, 2, 3], [1.0, 2u])', true],
    ['sets.contains([[1], [2]], [[2]])', true],
    ['sets.equivalent([1, 2, 2], [2, 1])', true],
    ['sets.equivalent([1, 2], [1, 2, 3])', false],
    ['sets.intersects([1, 2], [2, 3])', true],
    ['sets.intersects([1, 2], [3, 4])', false],
    ['sets.intersects([], [1])', false],
  ]);
});

test('optional types', () => {
  cases([
    ['optional.of(1).hasValue()', true],
    ['optional.none().hasValue()', false],
    ['optional.of(1).value()', 1n],
    ['optional.none().orValue(2)', 2n],
    ['optional.none().or(optional.of(3)).value()', 3n],
    ['optional.ofNonZeroValue(0).hasValue()', false],
    ['optional.ofNonZeroValue("").hasValue()', false],
    ['optional.ofNonZeroValue([]).hasValue()', false],
    ['optional.ofNonZeroValue({}).hasValue()', false],
    ['optional.ofNonZeroValue(false).hasValue()', false],
    ['optional.ofNonZeroValue(1).value()', 1n],
    ['{"a": 1}.?a.orValue(0)', 1n],
    ['{"a": 1}.?b.orValue(0)', 0n],
    ['[1, 2][?5].orValue(0)', 0n],
    ['[1, 2][?1].value()', 2n],
  ]);
  assert.ok(ev('optional.none()') instanceof Optional);
  const obj = { object: { metadata: { labels: { app: 'web' } } } };
  assert.equal(ev('object.metadata.?labels.?app.orValue("none")', obj), 'web');
  assert.equal(ev('object.metadata.?annotations.?app.orValue("none")', obj), 'none');
  assert.match(err('optional.none().value()'), /Optional value is not present/);
  assert.equal(ev('has(object.metadata.labels)', obj), true);
  assert.equal(ev('has(object.metadata.annotations)', obj), false);
});

test('macros and core language as Kubernetes uses them', () => {
  cases([
    ['[1, 2, 3].all(x, x > 0)', true],
    ['[1, 2, 3].exists(x, x > 2)', true],
    ['[1, 2, 3].exists_one(x, x > 2)', true],
    ['[1, 2, 3].map(x, x * 2)', [2n, 4n, 6n]],
    ['[1, 2, 3].filter(x, x > 1)', [2n, 3n]],
    ['[1, 2, 3].map(x, x > 1, x * 10)', [20n, 30n]],
    ['{"a": 1, "b": 2}.all(k, k in ["a", "b"])', true],
    ['cel.bind(x, 2, x * x)', 4n],
    ['[1, "a"].size()', 2n],
    ['size("héllo")', 5n],
    ['dyn(1) == 1.0', true],
    ['type(1) == int', true],
    ['10 / 3', 3n],
    ['-7 % 3', -1n],
    ['int("42") + 1', 43n],
  ]);
  err('1 == 1.0', 'PALISADE_CEL_TYPE'); // as in cel-go: no (int, double) overload statically
  err('1 / 0');
  err('9223372036854775807 + 1');
});
