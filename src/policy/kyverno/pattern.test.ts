import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAnchor } from './anchors.js';
import { formatDuration, parseDuration } from './duration.js';
import { matchPattern } from './pattern.js';
import { canonicalQuantityText } from './quantity-format.js';
import { matchValue, operatorOf } from './value-pattern.js';
import { wildcardMatch } from './wildcard.js';

const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }) => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });

describe('wildcards', () => {
  it('* matches any run, also none; ? exactly one character', () => {
    assert.ok(wildcardMatch('*', ''));
    assert.ok(wildcardMatch('nginx:*', 'nginx:1.25'));
    assert.ok(wildcardMatch('*:latest', 'a/b:latest'));
    assert.ok(wildcardMatch('kube-*', 'kube-system'));
    assert.ok(!wildcardMatch('kube-*', 'my-kube-system'));
    assert.ok(wildcardMatch('shop-?', 'shop-1'));
    assert.ok(!wildcardMatch('shop-?', 'shop-10'));
    assert.ok(!wildcardMatch('shop-?', 'shop-'));
    assert.ok(wildcardMatch('a*b*c', 'aXXbYYc'));
    assert.ok(!wildcardMatch('a*b*c', 'aXXbYY'));
    assert.ok(wildcardMatch('exact', 'exact'));
    assert.ok(!wildcardMatch('exact', 'exactly'));
  });

  it('stays fast on patterns that make backtracking matchers explode', () => {
    const start = Date.now();
    assert.ok(!wildcardMatch('*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000)));
    assert.ok(Date.now() - start < 1000);
  });
});

describe('value operators in patterns', () => {
  it('parses operators, ranges and outside-ranges', () => {
    assert.equal(operatorOf('>=1'), '>=');
    assert.equal(operatorOf('<=1'), '<=');
    assert.equal(operatorOf('>1'), '>');
    assert.equal(operatorOf('<1'), '<');
    assert.equal(operatorOf('!x'), '!');
    assert.equal(operatorOf('1-10'), '-');
    assert.equal(operatorOf('1Gi-2Gi'), '-');
    assert.equal(operatorOf('1!-10'), '!-');
    assert.equal(operatorOf('x'), '');
  });

  it('compares numbers, quantities and durations', () => {
    assert.ok(matchValue(5, '>3'));
    assert.ok(!matchValue(3, '>3'));
    assert.ok(matchValue(3, '>=3'));
    assert.ok(matchValue('512Mi', '<1Gi'));
    assert.ok(matchValue('1Gi', '>=1024Mi'));
    assert.ok(!matchValue('2Gi', '<=1Gi'));
    assert.ok(matchValue('250m', '<1'));
    assert.ok(matchValue('90s', '>1m'));
    assert.ok(matchValue('60m', '<=1h'));
    assert.ok(matchValue('30m', '<1h'));
    assert.ok(!matchValue('abc', '>1'), 'ordering operators do not apply to strings');
  });

  it('supports ranges a-b and outside ranges a!-b', () => {
    assert.ok(matchValue(5, '1-10'));
    assert.ok(matchValue(10, '1-10'));
    assert.ok(!matchValue(11, '1-10'));
    assert.ok(matchValue('3Gi', '1Gi-4Gi'));
    assert.ok(matchValue(8080, '1!-1023'));
    assert.ok(!matchValue(80, '1!-1023'));
  });

  it('supports | (or), & (and) and ! (not) with wildcards', () => {
    assert.ok(matchValue('Recreate', 'RollingUpdate | Recreate'));
    assert.ok(!matchValue('Blue', 'RollingUpdate | Recreate'));
    assert.ok(matchValue(5, '>=1 & <=10'));
    assert.ok(!matchValue(0, '>=1 & <=10'));
    assert.ok(matchValue('nginx:1.25', '!*:latest'));
    assert.ok(!matchValue('nginx:latest', '!*:latest'));
    assert.ok(matchValue('x', '?*'));
    assert.ok(!matchValue('', '?*'));
  });

  it('matches typed leaves by type: numbers, booleans, null and maps', () => {
    assert.ok(matchValue(1, 1));
    assert.ok(matchValue('1', 1), 'an integer pattern accepts an integer string');
    assert.ok(!matchValue(1.5, 1));
    assert.ok(matchValue(1.5, 1.5));
    assert.ok(matchValue(true, true));
    assert.ok(!matchValue('true', true));
    assert.ok(matchValue(undefined, null));
    assert.ok(matchValue('', null));
    assert.ok(matchValue(false, null));
    assert.ok(!matchValue({}, null));
    assert.ok(matchValue({ a: 1 }, { b: 2 }), 'a map pattern leaf only checks the type');
    assert.ok(!matchValue([1], [1]), 'arrays are not value patterns');
    assert.ok(matchValue(false, 'false'), 'booleans compare as text with string patterns');
  });
});

describe('anchors', () => {
  it('parses every anchor kind', () => {
    assert.deepEqual(
      ['(a)', '<(a)', '=(a)', 'X(a)', '^(a)', '+(a)', 'a', '(a'].map((k) => parseAnchor(k)?.type),
      ['condition', 'global', 'equality', 'negation', 'existence', 'addIfNotPresent', undefined, undefined],
    );
  });

  it('conditional anchor: the rest of the map must match only when the condition holds', () => {
    const pattern = { spec: { containers: [{ '(image)': '*:latest', imagePullPolicy: 'Always' }] } };
    assert.equal(matchPattern(pod({ containers: [{ image: 'a:latest', imagePullPolicy: 'Always' }] }), pattern).status, 'pass');
    const failed = matchPattern(pod({ containers: [{ image: 'a:1' }, { image: 'a:latest', imagePullPolicy: 'Never' }] }), pattern);
    assert.equal(failed.status, 'fail');
    assert.deepEqual(failed.status === 'fail' && failed.path, ['spec', 'containers', 1, 'imagePullPolicy']);
    const skipped = matchPattern(pod({ containers: [{ image: 'a:1' }] }), pattern);
    assert.equal(skipped.status, 'skip');
    assert.match(skipped.status === 'skip' ? skipped.message : '', /conditional anchor mismatch/);
  });

  it('conditional anchor on a missing key skips', () => {
    assert.equal(matchPattern(pod({}, { name: 'p' }), { metadata: { labels: { '(app)': 'web', tier: 'front' } } }).status, 'fail');
    assert.equal(matchPattern(pod({}, { name: 'p', labels: {} }), { metadata: { labels: { '(app)': 'web', tier: 'front' } } }).status, 'skip');
    assert.equal(matchPattern(pod({}, { name: 'p', labels: { app: 'web', tier: 'front' } }), { metadata: { labels: { '(app)': 'web', tier: 'front' } } }).status, 'pass');
  });

  it('equality anchor: checked only when the key is present', () => {
    const pattern = { spec: { '=(hostNetwork)': false } };
    assert.equal(matchPattern(pod({}), pattern).status, 'pass');
    assert.equal(matchPattern(pod({ hostNetwork: false }), pattern).status, 'pass');
    const r = matchPattern(pod({ hostNetwork: true }), pattern);
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.status === 'fail' && r.path, ['spec', 'hostNetwork']);
  });

  it('negation anchor: the key must be absent', () => {
    const pattern = { spec: { '=(volumes)': [{ 'X(hostPath)': 'null' }] } };
    assert.equal(matchPattern(pod({ volumes: [{ name: 'a', emptyDir: {} }] }), pattern).status, 'pass');
    const r = matchPattern(pod({ volumes: [{ name: 'a', emptyDir: {} }, { name: 'b', hostPath: { path: '/' } }] }), pattern);
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.status === 'fail' && r.path, ['spec', 'volumes', 1, 'hostPath']);
    assert.match(r.status === 'fail' ? r.message : '', /negation anchor matched in resource/);
  });

  it('existence anchor: at least one list element must match each pattern element', () => {
    const pattern = { spec: { '^(containers)': [{ image: 'log-shipper:*' }] } };
    assert.equal(matchPattern(pod({ containers: [{ image: 'app:1' }, { image: 'log-shipper:2' }] }), pattern).status, 'pass');
    assert.equal(matchPattern(pod({ containers: [{ image: 'app:1' }] }), pattern).status, 'fail');
    assert.equal(matchPattern(pod({}), pattern).status, 'pass', 'an absent list is not checked');
    assert.equal(matchPattern(pod({ containers: 'x' }), pattern).status, 'fail');
  });

  it('global anchor: when it does not hold anywhere the whole rule is skipped', () => {
    const pattern = { spec: { containers: [{ '<(image)': 'corp/*' }], imagePullSecrets: [{ name: '?*' }] } };
    assert.equal(matchPattern(pod({ containers: [{ image: 'public:1' }] }), pattern).status, 'skip');
    assert.equal(matchPattern(pod({ containers: [{ image: 'corp/a:1' }] }), pattern).status, 'fail');
    assert.equal(matchPattern(pod({ containers: [{ image: 'corp/a:1' }], imagePullSecrets: [{ name: 's' }] }), pattern).status, 'pass');
  });

  it('add-if-not-present anchor is mutate-only: in validate it fails with an explanation', () => {
    const r = matchPattern(pod({}, { name: 'p', labels: { a: 'b' } }), { metadata: { labels: { '+(a)': 'b' } } });
    assert.equal(r.status, 'fail');
    assert.match(r.status === 'fail' ? r.message : '', /only has a meaning in mutate rules/);
  });
});

describe('patterns', () => {
  it('a scalar pattern against a list checks every element', () => {
    assert.equal(matchPattern({ a: ['x:1', 'y:2'] }, { a: '*:*' }).status, 'pass');
    assert.equal(matchPattern({ a: ['x:1', 'y'] }, { a: '*:*' }).status, 'fail');
  });

  it('"*" requires the key to be present and not null', () => {
    assert.equal(matchPattern({ a: { b: 1 } }, { a: '*' }).status, 'pass');
    const r = matchPattern({}, { a: '*' });
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.status === 'fail' && r.path, ['a']);
  });

  it('structure mismatches fail with the path', () => {
    const r = matchPattern({ spec: { containers: 'x' } }, { spec: { containers: [{ name: '*' }] } });
    assert.equal(r.status, 'fail');
    assert.deepEqual(r.status === 'fail' && r.path, ['spec', 'containers']);
  });

  it('wildcard keys in metadata labels and annotations match the resource keys', () => {
    const pattern = { metadata: { labels: { 'app.kubernetes.io/*': '?*' } } };
    assert.equal(matchPattern({ metadata: { labels: { 'app.kubernetes.io/name': 'x' } } }, pattern).status, 'pass');
    assert.equal(matchPattern({ metadata: { labels: { other: 'x' } } }, pattern).status, 'fail');
    assert.equal(matchPattern({ metadata: { labels: { 'app.kubernetes.io/name': 'x' } } }, { metadata: { labels: { 'X(app.kubernetes.io/*)': 'null' } } }).status, 'fail');
  });

  it('positional list patterns compare element by element', () => {
    assert.equal(matchPattern({ a: [[1], [2]] }, { a: [[1], [2]] }).status, 'pass');
    assert.equal(matchPattern({ a: [[1]] }, { a: [[1], [2]] }).status, 'fail');
  });
});

describe('durations and quantities', () => {
  it('parses and prints Go durations', () => {
    assert.equal(parseDuration('1h30m'), 5_400_000_000_000n);
    assert.equal(parseDuration('1.5s'), 1_500_000_000n);
    assert.equal(parseDuration('-2m'), -120_000_000_000n);
    assert.equal(parseDuration('0'), 0n);
    assert.equal(parseDuration('10'), undefined);
    assert.equal(parseDuration(''), undefined);
    assert.equal(formatDuration(5_400_000_000_000n), '1h30m0s');
    assert.equal(formatDuration(1_500_000_000n), '1.5s');
    assert.equal(formatDuration(500_000n), '500µs');
    assert.equal(formatDuration(0n), '0s');
    assert.equal(formatDuration(-90_000_000_000n), '-1m30s');
  });

  it('prints quantities the way Kubernetes canonicalises them', () => {
    assert.equal(canonicalQuantityText('1536Mi'), '1536Mi');
    assert.equal(canonicalQuantityText('1024Mi'), '1Gi');
    assert.equal(canonicalQuantityText('1000m'), '1');
    assert.equal(canonicalQuantityText('1.5'), '1500m');
    assert.equal(canonicalQuantityText('2000'), '2k');
    assert.equal(canonicalQuantityText('100Mi'), '100Mi');
    assert.equal(canonicalQuantityText('0.5Ki'), '512');
    assert.equal(canonicalQuantityText('1e3'), '1e3');
    assert.equal(canonicalQuantityText('abc'), undefined);
  });
});
