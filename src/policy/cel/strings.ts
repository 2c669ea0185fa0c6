/**
 * The cel-go strings extension (version 3, as Kubernetes enables it) and the Kubernetes
 * regex library. Indexes count Unicode code points, as in cel-go; `lowerAscii` and
 * `upperAscii` change ASCII letters only; `trim` removes Go's unicode.IsSpace set.
 * cel-js ships its own `indexOf`, `lastIndexOf`, `substring`, `lowerAscii`, `upperAscii`,
 * `trim`, `split` and `matches` with JavaScript (UTF-16, backtracking-regex) semantics;
 * the environment routes those calls to the overloads registered here (see RENAMED).
 */
import { Environment } from '@marcbachmann/cel-js';
import { charge, chargeSize } from './cost.js';
import { INTERNAL_PREFIX as P } from './errors.js';
import { compileRegex, regexFind, regexFindAll, regexMatches, RegexSyntaxError, type Regex } from './regex.js';
import { celTypeName, Duration, fail, goFormatG, isUint, mapEntries, CelType } from './values.js';

/** cel-js built-ins whose calls are redirected to our overloads. */
export const RENAMED = new Set(['indexOf', 'lastIndexOf', 'substring', 'lowerAscii', 'upperAscii', 'trim', 'split', 'matches']);

const runes = (s: string) => Array.from(s);
const idx = (n: bigint) => (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER) ? Number(n > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER) : Number(n));

function charAt(s: string, i: bigint): string {
  const r = runes(s);
  const n = idx(i);
  if (n < 0 || n > r.length) fail(`index out of range: ${i}`);
  return n === r.length ? '' : r[n]!;
}

function indexOfOffset(s: string, sub: string, offset: bigint): bigint {
  if (sub === '') return offset;
  const r = runes(s);
  const sr = runes(sub);
  const off = idx(offset);
  if (off < 0 || off >= r.length) fail(`index out of range: ${offset}`);
  charge(Math.floor((r.length * sr.length) / 100));
  for (let i = off; i < r.length - (sr.length - 1); i++) {
    let found = true;
    for (let j = 0; j < sr.length; j++) {
      if (r[i + j] !== sr[j]) {
        found = false;
        break;
      }
    }
    if (found) return BigInt(i);
  }
  return -1n;
}

function lastIndexOfOffset(s: string, sub: string, offset: bigint): bigint {
  if (sub === '') return offset;
  const r = runes(s);
  const sr = runes(sub);
  let off = idx(offset);
  if (off < 0 || off >= r.length) fail(`index out of range: ${offset}`);
  if (off > r.length - sr.length) off = r.length - sr.length;
  charge(Math.floor((r.length * sr.length) / 100));
  for (let i = off; i >= 0; i--) {
    let found = true;
    for (let j = 0; j < sr.length; j++) {
      if (r[i + j] !== sr[j]) {
        found = false;
        break;
      }
    }
    if (found) return BigInt(i);
  }
  return -1n;
}

function substr(s: string, start: bigint, end?: bigint): string {
  const r = runes(s);
  if (end !== undefined && start > end) fail(`invalid substring range. start: ${start}, end: ${end}`);
  const a = idx(start);
  if (a < 0 || a > r.length) fail(`index out of range: ${start}`);
  if (end === undefined) return r.slice(a).join('');
  const b = idx(end);
  if (b < 0 || b > r.length) fail(`index out of range: ${end}`);
  return r.slice(a, b).join('');
}

const mapAscii = (s: string, f: (c: string) => string) => s.replace(/[A-Za-z]+/g, f);

/** Go's unicode.IsSpace. */
const GO_SPACE = '\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
function goTrimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && GO_SPACE.includes(s[a]!)) a++;
  while (b > a && GO_SPACE.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** Go's strings.Replace(s, old, new, n); n < 0 replaces all. */
function goReplace(s: string, old: string, rep: string, n: number): string {
  if (n === 0 || old === rep) return s;
  if (old === '') {
    const r = runes(s);
    let out = '';
    let done = 0;
    for (let i = 0; i <= r.length; i++) {
      if (n < 0 || done < n) {
        out += rep;
        done++;
      }
      if (i < r.length) out += r[i];
    }
    return out;
  }
  let out = '';
  let pos = 0;
  let done = 0;
  while (n < 0 || done < n) {
    const k = s.indexOf(old, pos);
    if (k < 0) break;
    out += s.slice(pos, k) + rep;
    pos = k + old.length;
    done++;
  }
  return out + s.slice(pos);
}

/** Go's strings.SplitN; n < 0 means all. An empty separator splits into code points. */
function goSplitN(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const r = runes(s);
    if (n < 0 || n > r.length) return r;
    return [...r.slice(0, n - 1), r.slice(n - 1).join('')];
  }
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

/** strings.quote: CEL double-quoted literal; lone surrogates become U+FFFD. */
export function celQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '\x07':
        out += '\\a';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\v':
        out += '\\v';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      default:
        out += c >= 0xd800 && c <= 0xdfff ? '\ufffd' : ch;
    }
  }
  return out + '"';
}

// --- string.format ----------------------------------------------------------------------

const goQuote = (s: string) => JSON.stringify(s);

function formatDecimal(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (isUint(v)) return v.valueOf().toString();
  return fail(`decimal clause can only be used on integers, was given ${celTypeName(v)}`);
}

function formatString(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (isUint(v)) return v.valueOf().toString();
  if (typeof v === 'number') return goFormatG(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (v instanceof Duration) return String(v);
  if (v instanceof CelType) return (v as { name: string }).name;
  if (Array.isArray(v)) return `[${v.map(formatListElement).join(', ')}]`;
  const entries = mapEntries(v);
  if (entries) {
    const pairs = entries.map(([k, e]) => {
      if (typeof k !== 'string' && typeof k !== 'boolean' && typeof k !== 'bigint' && !isUint(k)) {
        fail(`no formatting function for map key of type ${celTypeName(k)}`);
      }
      return [typeof k === 'string' ? goQuote(k) : String(typeof k === 'object' ? k.valueOf() : k), formatListElement(e)] as const;
    });
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return `{${pairs.map(([k, e]) => `${k}:${e}`).join(', ')}}`;
  }
  return fail(
    `string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given ${celTypeName(v)}`,
  );
}

function formatListElement(v: unknown): string {
  if (typeof v === 'string') return goQuote(v);
  if (v instanceof Uint8Array) return 'b' + goQuote(Buffer.from(v).toString('utf8'));
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return goQuote(goFormatG(v).replace('+Inf', 'Infinity').replace('-Inf', '-Infinity'));
    return goFixed(v, 6);
  }
  if (v instanceof Date) return `timestamp(${goQuote(formatString(v))})`;
  if (v instanceof Duration) return `duration(${goQuote(formatString(v))})`;
  if (v instanceof CelType) return `type(${formatString(v)})`;
  return formatString(v);
}

function goFixed(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (Math.abs(x) < 1e21) return x.toFixed(precision);
  const int = BigInt(Math.trunc(x)).toString();
  return precision > 0 ? `${int}.${'0'.repeat(precision)}` : int;
}

function goExp(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const [m, e] = x.toExponential(precision).split('e') as [string, string];
  const n = Number(e);
  return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

function asDoubleForFloatClause(v: unknown, clause: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return fail(`${clause} clause can only be used on doubles, was given ${celTypeName(v)}`);
}

function intBase(v: unknown, base: number, what: string): string {
  if (typeof v === 'bigint') return v.toString(base);
  if (isUint(v)) return v.valueOf().toString(base);
  return fail(what);
}

/** `"...".format([args])` with cel-go's clauses: %s %d %f %e %b %o %x %X %% and `.N` precision. */
export function celFormat(fmt: string, args: unknown[]): string {
  let out = '';
  let argIndex = 0;
  chargeSize(fmt.length);
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    i++;
    if (i >= fmt.length) fail('unexpected end of string');
    if (fmt[i] === '%') {
      out += '%';
      continue;
    }
    let precision: number | undefined;
    if (fmt[i] === '.') {
      let j = i + 1;
      while (j < fmt.length && fmt[j]! >= '0' && fmt[j]! <= '9') j++;
      if (j === i + 1) fail('unable to find end of precision specifier');
      precision = Number(fmt.slice(i + 1, j));
      i = j;
      if (i >= fmt.length) fail('unable to find end of precision specifier');
    }
    const verb = fmt[i]!;
    if (argIndex >= args.length) fail(`index ${argIndex} out of range`);
    const v = args[argIndex++];
    switch (verb) {
      case 's':
        out += formatString(v);
        break;
      case 'd':
        out += formatDecimal(v);
        break;
      case 'f':
        out += goFixed(asDoubleForFloatClause(v, 'fixed-point'), precision ?? 6);
        break;
      case 'e':
        // cel-go passes the precision as a width; the digits are always the default 6.
        out += goExp(asDoubleForFloatClause(v, 'scientific'), 6).padStart(precision ?? 0);
        break;
      case 'b':
        if (typeof v === 'boolean') out += v ? '1' : '0';
        else out += intBase(v, 2, `only integers and bools can be formatted as binary, was given ${celTypeName(v)}`);
        break;
      case 'o':
        out += intBase(v, 8, `octal clause can only be used on integers, was given ${celTypeName(v)}`);
        break;
      case 'x':
      case 'X': {
        let h: string;
        if (typeof v === 'string') h = Buffer.from(v, 'utf8').toString('hex');
        else if (v instanceof Uint8Array) h = Buffer.from(v).toString('hex');
        else h = intBase(v, 16, `only integers, byte buffers, and strings can be formatted as hex, was given ${celTypeName(v)}`);
        out += verb === 'X' ? h.toUpperCase() : h;
        break;
      }
      default:
        fail(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
    }
  }
  return out;
}

// --- Registration -------------------------------------------------------------------------

function regex(pattern: string): Regex {
  try {
    return compileRegex(pattern);
  } catch (e) {
    if (e instanceof RegexSyntaxError) fail(e.message);
    throw e;
  }
}

class StringsNamespace {}

export function registerStrings(env: Environment): void {
  const fn = (sig: string, handler: (...args: never[]) => unknown) => env.registerFunction(sig, handler as never);

  fn('string.charAt(int): string', (s: string, i: bigint) => charAt(s, i));
  fn(`string.${P}indexOf(string): int`, (s: string, sub: string) => indexOfOffset(s, sub, 0n));
  fn(`string.${P}indexOf(string, int): int`, (s: string, sub: string, o: bigint) => indexOfOffset(s, sub, o));
  fn(`string.${P}lastIndexOf(string): int`, (s: string, sub: string) =>
    sub === '' ? BigInt(runes(s).length) : lastIndexOfOffset(s, sub, BigInt(runes(s).length - 1)),
  );
  fn(`string.${P}lastIndexOf(string, int): int`, (s: string, sub: string, o: bigint) => lastIndexOfOffset(s, sub, o));
  fn(`string.${P}lowerAscii(): string`, (s: string) => mapAscii(s, (m) => m.toLowerCase()));
  fn(`string.${P}upperAscii(): string`, (s: string) => mapAscii(s, (m) => m.toUpperCase()));
  fn('string.replace(string, string): string', (s: string, a: string, b: string) => goReplace(s, a, b, -1));
  fn('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => goReplace(s, a, b, idx(n)));
  fn(`string.${P}split(string): list<string>`, (s: string, sep: string) => goSplitN(s, sep, -1));
  fn(`string.${P}split(string, int): list<string>`, (s: string, sep: string, n: bigint) => goSplitN(s, sep, idx(n)));
  fn(`string.${P}substring(int): string`, (s: string, a: bigint) => substr(s, a));
  fn(`string.${P}substring(int, int): string`, (s: string, a: bigint, b: bigint) => substr(s, a, b));
  fn(`string.${P}trim(): string`, (s: string) => goTrimSpace(s));
  fn('string.reverse(): string', (s: string) => runes(s).reverse().join(''));
  fn('string.format(list): string', (s: string, args: unknown[]) => celFormat(s, args));
  env.registerType('StringsNamespace', StringsNamespace);
  env.registerConstant('strings', 'StringsNamespace', new StringsNamespace());
  fn('StringsNamespace.quote(string): string', (_ns: StringsNamespace, s: string) => celQuote(s));

  // Regex library (Kubernetes) and the standard `matches`, all on RE2 semantics.
  fn(`string.${P}matches(string): bool`, (s: string, re: string) => regexMatches(regex(re), s));
  fn(`${P}matches(string, string): bool`, (s: string, re: string) => regexMatches(regex(re), s));
  fn('string.find(string): string', (s: string, re: string) => regexFind(regex(re), s) ?? '');
  fn('string.findAll(string): list<string>', (s: string, re: string) => regexFindAll(regex(re), s, -1));
  fn('string.findAll(string, int): list<string>', (s: string, re: string, n: bigint) => regexFindAll(regex(re), s, idx(n)));
}

