import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isQuantity, Quantity } from './quantity.js';

const q = (s: string) => Quantity.parse(s);
const value = (s: string) => q(s).toString();

test('decimal SI suffixes scale by powers of 1000', () => {
  assert.equal(value('1k'), '1000');
  assert.equal(value('1M'), '1000000');
  assert.equal(value('2G'), '2000000000');
  assert.equal(value('1T'), '1000000000000');
  assert.equal(value('1P'), '1000000000000000');
  assert.equal(value('1E'), '1000000000000000000');
  assert.equal(value('100m'), '0.1');
  assert.equal(value('5u'), '0.000005');
  assert.equal(value('7n'), '0.000000007');
});

test('binary SI suffixes scale by powers of 1024', () => {
  assert.equal(value('1Ki'), '1024');
  assert.equal(value('1Mi'), String(1024 ** 2));
  assert.equal(value('1Gi'), String(1024 ** 3));
  assert.equal(value('1Ti'), String(1024 ** 4));
  assert.equal(value('1Pi'), String(1024n ** 5n));
  assert.equal(value('1Ei'), String(1024n ** 6n));
  assert.equal(value('1.5Gi'), String(1.5 * 1024 ** 3));
  assert.equal(value('0.5Ki'), '512');
});

test('decimal exponents, signs, fractions and bare numbers', () => {
  assert.equal(value('1e3'), '1000');
  assert.equal(value('1E3'), '1000');
  assert.equal(value('1.5e-3'), '0.0015');
  assert.equal(value('12e+2'), '1200');
  assert.equal(value('-1.5'), '-1.5');
  assert.equal(value('+2'), '2');
  assert.equal(value('.5'), '0.5');
  assert.equal(value('5.'), '5');
  assert.equal(value('0'), '0');
  assert.equal(value('000'), '0');
  assert.equal(value('0010'), '10');
});

test('invalid quantities are rejected with Kubernetes messages', () => {
  for (const bad of ['', '1.5x', '200K', 'Three', '1,3G', '1 Gi', '1Gi ', '--1', '1e', '1e3.5', '1Kii', '1.2.3']) {
    assert.equal(isQuantity(bad), false, bad);
  }
  assert.throws(() => q('1.5x'), /quantities must match the regular expression/);
  assert.throws(() => q('200K'), /unable to parse quantity's suffix/);
  // Kubernetes' scanner reads a missing number as 0, so a bare suffix parses (the CEL
  // library's doc comment claims otherwise; the apimachinery code is what runs).
  assert.equal(value('Mi'), '0');
  assert.throws(() => q('1,3G'), /quantities must match the regular expression/);
  for (const good of ['1', '1.3G', '1.3Gi', '10000k', '-1m', '1e-3', '+.5']) assert.equal(isQuantity(good), true, good);
});

test('comparison is exact, across suffix families and beyond int64', () => {
  assert.equal(q('200M').compareTo(q('0.2G')), 0n);
  assert.equal(q('50M').compareTo(q('50Mi')), -1n);
  assert.equal(q('50Mi').compareTo(q('50M')), 1n);
  assert.equal(q('1000m').compareTo(q('1')), 0n);
  assert.equal(q('1Ki').compareTo(q('1024')), 0n);
  assert.equal(q('-1').compareTo(q('1m')), -1n);
  // Fast-path values are not capped: 10E and 1e100 are exact.
  assert.equal(q('10E').toString(), '10000000000000000000');
  assert.equal(q('1e100').compareTo(q('1e99')), 1n);
  assert.equal(q('1e100').compareTo(q('10e99')), 0n);
  assert.equal(q('123456789012345678.9e-1').compareTo(q('12345678901234567.89')), 0n);
});

test('the slow path rounds up to nano units and caps at 2^63-1', () => {
  assert.equal(q('1e-20').toString(), '0.000000001');
  assert.equal(q('-1e-20').toString(), '-0.000000001');
  assert.equal(q('0.0000000015').toString(), '0.000000002');
  assert.equal(q('99999999999999999999999').toString(), '9223372036854775807');
  assert.equal(q('-99999999999999999999999').toString(), '-9223372036854775807');
  assert.equal(q('9999999999999999999999999999999999999G').toString(), '9223372036854775807');
});

test('isInteger/asInt64 follow the internal form Kubernetes keeps', () => {
  assert.equal(q('50k').asInt64(), 50000n);
  assert.equal(q('50000000G').asInt64(), 50000000000000000n);
  assert.equal(q('1Gi').asInt64(), 1073741824n);
  // int64 form with a negative scale is not converted even when integral.
  assert.equal(q('1000m').asInt64(), undefined);
  // Slow-path (decimal form) values are never converted.
  assert.equal(q('1.5Ki').form, 'dec');
  assert.equal(q('1.5Ki').asInt64(), undefined);
  assert.equal(q('9999999999999999999999999999999999999G').asInt64(), undefined);
  assert.equal(q('10E').asInt64(), undefined); // overflows int64
});

test('add, sub and mul are exact and switch forms like Kubernetes', () => {
  assert.equal(q('50k').add(q('20k')).compareTo(q('70k')), 0n);
  assert.equal(q('50k').add(Quantity.fromInt(20n)).compareTo(q('50020')), 0n);
  assert.equal(q('50k').sub(Quantity.fromInt(20000n)).compareTo(q('30k')), 0n);
  assert.equal(q('50k').add(Quantity.fromInt(20n)).sub(q('100k')).sub(Quantity.fromInt(-50000n)).compareTo(q('20')), 0n);
  assert.equal(q('0.5').add(q('0.5')).toString(), '1');
  assert.equal(q('0.5').add(q('0.5')).asInt64(), undefined); // {10, -1}
  assert.equal(q('9E').add(q('9E')).form, 'int64'); // {9,18} + {9,18} = {18,18}
  const big = q('9223372036854775807').add(q('1'));
  assert.equal(big.form, 'dec'); // int64 overflow moves to the decimal form
  assert.equal(big.toString(), '9223372036854775808');
  assert.equal(q('3k').mul(3n).asInt64(), 9000n);
});

test('sign and approximate float', () => {
  assert.equal(q('-5m').sign(), -1n);
  assert.equal(q('0').sign(), 0n);
  assert.equal(q('5Mi').sign(), 1n);
  assert.equal(q('50k').asApproximateFloat(), 50000);
  assert.equal(q('1.5Gi').asApproximateFloat(), 1610612736);
  assert.equal(q('100m').asApproximateFloat(), 0.1);
  assert.equal(q('1e400').asApproximateFloat(), Infinity);
});
