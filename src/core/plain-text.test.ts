import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPlainText, isPlainValue } from './plain-text.js';

// The definition the single regular expression must agree with.
const plainByDefinition = (s: string) => {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false;
    if (c > 0xffff) return false; // a surrogate pair
    if (c >= 0xd800 && c <= 0xdfff) return false;
    if (/\s/.test(ch) && ch !== ' ') return false;
  }
  return !s.startsWith(' ') && !s.endsWith(' ') && !s.includes('  ');
};

describe('plain text', () => {
  it('agrees with the definition on random strings over a hostile alphabet', () => {
    const alphabet = ['a', 'Z', '"', '…', 'é', ' ', '\t', '\n', '\r', '\v', '\f', '\u0000', '\u001f', '\u007f', '\u0085', '\u009f', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\uD83D', '\uDE00', '\u180e'];
    let seed = 11;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let n = 0; n < 20_000; n++) {
      let s = '';
      const len = Math.floor(rnd() * 8);
      for (let i = 0; i < len; i++) s += rnd() < 0.5 ? 'x' : alphabet[Math.floor(rnd() * alphabet.length)];
      assert.equal(isPlainText(s), plainByDefinition(s), JSON.stringify(s));
      assert.equal(isPlainValue(s), s.length > 0 && plainByDefinition(s), JSON.stringify(s));
    }
  });

  it('takes names, images and sentences, and refuses what would need sanitising', () => {
    assert.ok(isPlainText('Container "api" uses image registry.example.com/a:1.2 without a digest'));
    assert.ok(isPlainText(''));
    assert.ok(!isPlainValue(''));
    for (const s of [' lead', 'trail ', 'two  spaces', 'tab\there', 'nbsp\u00a0x', 'bell\u0007', 'lone \uD800', 'emoji 😀']) assert.ok(!isPlainText(s), JSON.stringify(s));
  });
});
