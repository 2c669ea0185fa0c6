import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRegex, regexFind, regexFindAll, regexMatches } from './regex.js';

const m = (re: string, s: string) => regexMatches(compileRegex(re), s);
const find = (re: string, s: string) => regexFind(compileRegex(re), s);
const all = (re: string, s: string, n = -1) => regexFindAll(compileRegex(re), s, n);

test('unanchored matching, anchors and RE2 line semantics', () => {
  assert.equal(m('b', 'abc'), true);
  assert.equal(m('^b', 'abc'), false);
  assert.equal(m('^a.c$', 'abc'), true);
  assert.equal(m('^abc$', 'abc\n'), false); // $ is end of text without (?m)
  assert.equal(m('(?m)^b$', 'a\nb\nc'), true);
  assert.equal(m('a.c', 'a\nc'), false);
  assert.equal(m('(?s)a.c', 'a\nc'), true);
  assert.equal(m('\\Aab\\z', 'ab'), true);
  assert.equal(m('\\bfoo\\b', 'a foo b'), true);
  assert.equal(m('\\bfoo\\b', 'afoob'), false);
  assert.equal(m('\\Bfoo', 'afoo'), true);
  assert.equal(m('', ''), true);
});

test('classes, escapes, case folding and Unicode', () => {
  assert.equal(m('^[a-c]+$', 'abcba'), true);
  assert.equal(m('^[^a-c]+$', 'xyz'), true);
  assert.equal(m('^[[:digit:]]+$', '0123'), true);
  assert.equal(m('^[[:^alpha:]]+$', '12'), true);
  assert.equal(m('^\\d\\s\\w$', '1 _'), true);
  assert.equal(m('^\\d$', '٣'), false); // \d is ASCII-only in RE2
  assert.equal(m('^\\pL+$', 'héllo'), true);
  assert.equal(m('^\\p{Greek}+$', 'αβγ'), true);
  assert.equal(m('^\\PL$', '1'), true);
  assert.equal(m('(?i)^hello$', 'HeLLo'), true);
  assert.equal(m('(?i:a)b', 'AB'), false);
  assert.equal(m('(?i:a)b', 'Ab'), true);
  assert.equal(m('^\\x41\\x{263a}\\101$', 'A☺A'), true);
  assert.equal(m('^\\Q.*\\E$', '.*'), true);
  assert.equal(m('^.$', '😀'), true); // one code point
  assert.equal(m('^[😀-😂]$', '😁'), true);
  assert.equal(m('^a{2,3}$', 'aaa'), true);
  assert.equal(m('^a{2,3}$', 'aaaa'), false);
  assert.equal(m('^a{2,}$', 'aaaaa'), true);
  assert.equal(m('a{,2}', 'a{,2}'), true); // not a repetition: literal
  assert.equal(m('^(?P<year>\\d{4})-(?<m>\\d{2})$', '2024-01'), true);
});

test('leftmost-first match selection, greedy and lazy', () => {
  assert.equal(find('a+', 'baaa'), 'aaa');
  assert.equal(find('a+?', 'baaa'), 'a');
  assert.equal(find('(?U)a+', 'baaa'), 'a');
  assert.equal(find('a|ab', 'ab'), 'a');
  assert.equal(find('ab|a', 'ab'), 'ab');
  assert.equal(find('x*', 'abc'), '');
  assert.equal(find('[0-9]+', 'abc'), undefined);
  assert.equal(find('b.', 'abcd'), 'bc');
});

test('findAll follows Go FindAllString, including empty matches and limits', () => {
  assert.deepEqual(all('[0-9]+', 'a1b22c333'), ['1', '22', '333']);
  assert.deepEqual(all('[0-9]+', 'a1b22c333', 2), ['1', '22']);
  assert.deepEqual(all('[0-9]+', 'a1b22c333', 0), []);
  assert.deepEqual(all('a*', 'baaac'), ['', 'aaa', '']); // the empty match right after 'aaa' is skipped
  assert.deepEqual(all('', 'ab'), ['', '', '']);
  assert.deepEqual(all('x', 'abc'), []);
});

test('syntax outside RE2 is rejected with Go-style messages', () => {
  const bad: [string, RegExp][] = [
    ['(', /missing closing \)/],
    [')', /unexpected \)/],
    ['[a', /missing closing \]/],
    ['*a', /missing argument to repetition operator/],
    ['a**', /invalid nested repetition operator/],
    ['a++', /invalid nested repetition operator/],
    ['(a)\\1', /invalid escape sequence/],
    ['(?=a)', /invalid or unsupported Perl syntax/],
    ['(?!a)', /invalid or unsupported Perl syntax/],
    ['(?<=a)b', /invalid or unsupported Perl syntax/],
    ['(?<!a)b', /invalid or unsupported Perl syntax/],
    ['a{1001}', /invalid repeat count/],
    ['a{3,2}', /invalid repeat count/],
    ['[z-a]', /invalid character class range/],
    ['\\', /trailing backslash/],
    ['\\y', /invalid escape sequence/],
    ['\\p{Nope}', /invalid character class range/],
  ];
  for (const [re, msg] of bad) assert.throws(() => compileRegex(re), msg, re);
});

test('catastrophic-backtracking patterns run in linear time', () => {
  const started = Date.now();
  assert.equal(m('(a+)+$', 'a'.repeat(20000) + 'b'), false);
  assert.equal(m('(a+)+b$', 'a'.repeat(20000) + 'b'), true);
  assert.equal(m('^(a+)+$', 'a'.repeat(20000) + 'b'), false);
  assert.equal(m('^(a|aa)*c$', 'a'.repeat(20000)), false);
  assert.equal(m('^(\\w+\\s?)*$', 'word '.repeat(4000) + '!'), false);
  assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
});
