/**
 * RE2-syntax regular expressions, matched in linear time.
 *
 * Kubernetes evaluates `matches`, `find` and `findAll` with Go's regexp package (RE2
 * semantics): no backreferences, no lookaround, and matching time linear in the input.
 * JavaScript's RegExp backtracks, so a pattern like `(a+)+$` on a long input would hang
 * the process and no budget could interrupt it. We therefore parse RE2 syntax ourselves
 * and run a Pike VM (a Thompson NFA simulation with thread priorities, which gives
 * leftmost-first, Perl-like match selection as RE2 does). Every thread step is billed
 * to the cost meter, so even a slow match is bounded by the expression's budget.
 *
 * Supported: literals, `.`, classes (`[a-z]`, `[^…]`, `[[:alpha:]]`, `\d\s\w` and their
 * negations, `\pL`/`\p{Greek}`), anchors `^ $ \A \z \b \B`, groups `(…)`, `(?:…)`,
 * `(?P<name>…)`, `(?<name>…)`, flags `(?imsU)` and `(?i:…)`, repetition `* + ? {n,m}`
 * with lazy variants, escapes `\x41 \x{263a} \123 \a\f\t\n\r\v \Q…\E`.
 * Rejected like RE2: backreferences, lookaround, possessive and nested repetition,
 * repeat counts above 1000. Matching works on Unicode code points.
 */
import { charge } from './cost.js';

export class RegexSyntaxError extends Error {
  constructor(code: string, fragment: string) {
    super(`error parsing regexp: ${code}: \`${fragment}\``);
    this.name = 'RegexSyntaxError';
  }
}

type Test = (cp: number) => boolean;
type AssertKind = 'bol' | 'eol' | 'bot' | 'eot' | 'wb' | 'nwb';
type Node =
  | { t: 'char'; test: Test }
  | { t: 'assert'; kind: AssertKind }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; sub: Node; min: number; max: number; greedy: boolean }
  | { t: 'empty' };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const MAX_REPEAT = 1000;
const MAX_PROGRAM = 50_000;

// ASCII classes, as RE2 defines them (\d, \s, \w and word boundaries are ASCII-only).
const isDigit: Test = (c) => c >= 48 && c <= 57;
const isSpace: Test = (c) => c === 9 || c === 10 || c === 12 || c === 13 || c === 32;
const isWord: Test = (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const POSIX: Record<string, Test> = {
  alnum: (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  ascii: (c) => c <= 0x7f,
  blank: (c) => c === 9 || c === 32,
  cntrl: (c) => c <= 0x1f || c === 0x7f,
  digit: isDigit,
  graph: (c) => c >= 0x21 && c <= 0x7e,
  lower: (c) => c >= 97 && c <= 122,
  print: (c) => c >= 0x20 && c <= 0x7e,
  punct: (c) => (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e),
  space: (c) => c === 9 || c === 10 || c === 11 || c === 12 || c === 13 || c === 32,
  upper: (c) => c >= 65 && c <= 90,
  word: isWord,
  xdigit: (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
};

const GENERAL_CATEGORIES = new Set([
  'L', 'Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'M', 'Mn', 'Mc', 'Me', 'N', 'Nd', 'Nl', 'No', 'P', 'Pc', 'Pd', 'Ps', 'Pe', 'Pi',
  'Pf', 'Po', 'S', 'Sm', 'Sc', 'Sk', 'So', 'Z', 'Zs', 'Zl', 'Zp', 'C', 'Cc', 'Cf', 'Cs', 'Co',
]);

function unicodeClass(name: string, fragment: string): Test {
  if (name === 'Any') return () => true;
  let re: RegExp;
  try {
    re = GENERAL_CATEGORIES.has(name) ? new RegExp(`^\\p{${name}}$`, 'u') : new RegExp(`^\\p{Script=${name}}$`, 'u');
  } catch {
    throw new RegexSyntaxError('invalid character class range', fragment);
  }
  const cache = new Map<number, boolean>();
  return (c) => {
    let r = cache.get(c);
    if (r === undefined) {
      r = re.test(String.fromCodePoint(c));
      if (cache.size < 4096) cache.set(c, r);
    }
    return r;
  };
}

function simpleFold(c: number): number[] {
  const s = String.fromCodePoint(c);
  const out = [c];
  for (const v of [s.toLowerCase(), s.toUpperCase()]) {
    const cp = v.codePointAt(0)!;
    if (v.length === String.fromCodePoint(cp).length && !out.includes(cp)) out.push(cp);
  }
  return out;
}

function foldTest(test: Test): Test {
  return (c) => {
    if (test(c)) return true;
    for (const f of simpleFold(c)) if (f !== c && test(f)) return true;
    // The Kelvin sign and long s fold onto ASCII letters in RE2's case folding.
    if ((c === 0x6b || c === 0x4b) && test(0x212a)) return true;
    if ((c === 0x73 || c === 0x53) && test(0x17f)) return true;
    return false;
  };
}

class Parser {
  private pos = 0;
  readonly cps: number[];

  constructor(readonly pattern: string) {
    this.cps = Array.from(pattern, (ch) => ch.codePointAt(0)!);
  }

  private err(code: string, from: number, to = this.pos): never {
    throw new RegexSyntaxError(code, String.fromCodePoint(...this.cps.slice(from, Math.max(to, from + 1))));
  }

  private peek(o = 0): number | undefined {
    return this.cps[this.pos + o];
  }

  private is(ch: string, o = 0): boolean {
    return this.cps[this.pos + o] === ch.codePointAt(0);
  }

  parse(): Node {
    const node = this.parseAlt({ i: false, m: false, s: false, U: false }, 0);
    if (this.pos < this.cps.length) this.err('unexpected )', this.pos, this.cps.length);
    return node;
  }

  private parseAlt(outer: Flags, depth: number): Node {
    if (depth > 1000) this.err('expression nests too deeply', this.pos);
    const flags = { ...outer };
    const items: Node[] = [this.parseSeq(flags, depth)];
    while (this.is('|')) {
      this.pos++;
      items.push(this.parseSeq(flags, depth));
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private parseSeq(flags: Flags, depth: number): Node {
    const items: Node[] = [];
    while (this.pos < this.cps.length && !this.is('|') && !this.is(')')) {
      const atomStart = this.pos;
      const atom = this.parseAtom(flags, depth);
      if (atom === undefined) continue;
      items.push(this.parseRepeat(atom, flags, atomStart));
    }
    return items.length === 1 ? items[0]! : items.length === 0 ? { t: 'empty' } : { t: 'cat', items };
  }

  /** Reads `{n}`, `{n,}` or `{n,m}` at the cursor; undefined (cursor unchanged) if it is not one. */
  private readBraces(): { min: number; max: number } | undefined {
    const save = this.pos;
    if (!this.is('{')) return undefined;
    this.pos++;
    const num = (): number | undefined => {
      const s = this.pos;
      while (this.peek() !== undefined && isDigit(this.peek()!)) this.pos++;
      if (this.pos === s) return undefined;
      const text = String.fromCodePoint(...this.cps.slice(s, this.pos));
      return text.length > 8 ? Number.MAX_SAFE_INTEGER : Number(text);
    };
    const min = num();
    if (min === undefined) return ((this.pos = save), undefined);
    let max = min;
    if (this.is(',')) {
      this.pos++;
      max = this.is('}') ? -1 : (num() ?? NaN);
      if (Number.isNaN(max)) return ((this.pos = save), undefined);
    }
    if (!this.is('}')) return ((this.pos = save), undefined);
    this.pos++;
    return { min, max };
  }

  private parseRepeat(atom: Node, flags: Flags, atomStart: number): Node {
    let node = atom;
    let repeated = false;
    for (;;) {
      const opStart = this.pos;
      let min: number;
      let max: number;
      if (this.is('*')) ((min = 0), (max = -1), this.pos++);
      else if (this.is('+')) ((min = 1), (max = -1), this.pos++);
      else if (this.is('?')) ((min = 0), (max = 1), this.pos++);
      else {
        const b = this.readBraces();
        if (b === undefined) return node;
        ({ min, max } = b);
        if (min > MAX_REPEAT || max > MAX_REPEAT || (max !== -1 && max < min)) this.err('invalid repeat count', opStart);
      }
      if (repeated) this.err('invalid nested repetition operator', atomStart === opStart ? opStart : opStart - 1);
      let greedy = true;
      if (this.is('?')) {
        greedy = false;
        this.pos++;
      }
      if (flags.U) greedy = !greedy;
      if (atom.t === 'assert' || atom.t === 'empty') {
        // Repeating an empty-width item is allowed and matches as the item itself or nothing.
      }
      node = { t: 'rep', sub: node, min, max, greedy };
      repeated = true;
    }
  }

  private parseAtom(flags: Flags, depth: number): Node | undefined {
    const start = this.pos;
    const c = this.peek()!;
    const ch = String.fromCodePoint(c);
    switch (ch) {
      case '(':
        return this.parseGroup(flags, depth);
      case '[':
        return this.parseClass(flags);
      case '.':
        this.pos++;
        return { t: 'char', test: flags.s ? () => true : (x) => x !== 10 };
      case '^':
        this.pos++;
        return { t: 'assert', kind: flags.m ? 'bol' : 'bot' };
      case '$':
        this.pos++;
        return { t: 'assert', kind: flags.m ? 'eol' : 'eot' };
      case '*':
      case '+':
      case '?':
        this.err('missing argument to repetition operator', start, start + 1);
      // falls through (err never returns)
      case '{': {
        const b = this.readBraces();
        if (b !== undefined) this.err('missing argument to repetition operator', start);
        this.pos++;
        return this.literal(c, flags);
      }
      case '\\':
        return this.parseEscape(flags);
      default:
        this.pos++;
        return this.literal(c, flags);
    }
  }

  private literal(c: number, flags: Flags): Node {
    if (flags.i) {
      const set = new Set(simpleFold(c));
      if (c === 0x6b || c === 0x4b || c === 0x212a) (set.add(0x6b), set.add(0x4b), set.add(0x212a));
      if (c === 0x73 || c === 0x53 || c === 0x17f) (set.add(0x73), set.add(0x53), set.add(0x17f));
      if (set.size > 1) return { t: 'char', test: (x) => set.has(x) };
    }
    return { t: 'char', test: (x) => x === c };
  }

  private parseGroup(flags: Flags, depth: number): Node | undefined {
    const start = this.pos;
    this.pos++;
    if (this.is('?')) {
      if (this.is('P', 1) && this.is('<', 2)) {
        this.pos += 3;
        this.readGroupName(start);
      } else if (this.is('<', 1) && !this.is('=', 2) && !this.is('!', 2)) {
        this.pos += 2;
        this.readGroupName(start);
      } else if (this.is('=', 1) || this.is('!', 1) || this.is('<', 1) || this.is('P', 1)) {
        this.err('invalid or unsupported Perl syntax', start, this.pos + 2);
      } else {
        // Flags: (?flags) or (?flags:re)
        this.pos++;
        const next = { ...flags };
        let negate = false;
        let sawFlag = false;
        for (;;) {
          const f = this.peek();
          if (f === undefined) this.err('missing closing )', start);
          const fc = String.fromCodePoint(f);
          if (fc === 'i' || fc === 'm' || fc === 's' || fc === 'U') {
            next[fc] = !negate;
            sawFlag = true;
            this.pos++;
          } else if (fc === '-') {
            if (negate) this.err('invalid or unsupported Perl syntax', start, this.pos + 1);
            negate = true;
            sawFlag = false;
            this.pos++;
          } else if (fc === ')' || fc === ':') {
            if (negate && !sawFlag) this.err('invalid or unsupported Perl syntax', start, this.pos + 1);
            this.pos++;
            if (fc === ')') {
              Object.assign(flags, next);
              return undefined;
            }
            const inner = this.parseAlt(next, depth + 1);
            if (!this.is(')')) this.err('missing closing )', start, this.cps.length);
            this.pos++;
            return inner;
          } else {
            this.err('invalid or unsupported Perl syntax', start, this.pos + 1);
          }
        }
      }
    }
    const inner = this.parseAlt(flags, depth + 1);
    if (!this.is(')')) this.err('missing closing )', start, this.cps.length);
    this.pos++;
    return inner;
  }

  private readGroupName(start: number): void {
    const s = this.pos;
    while (this.peek() !== undefined && !this.is('>')) this.pos++;
    if (this.peek() === undefined) this.err('invalid named capture', start, this.cps.length);
    const name = String.fromCodePoint(...this.cps.slice(s, this.pos));
    if (name === '' || !/^\w+$/.test(name)) this.err('invalid named capture', start, this.pos + 1);
    this.pos++;
  }

  private parseEscape(flags: Flags): Node | undefined {
    const start = this.pos;
    const n = this.peek(1);
    if (n === undefined) this.err('trailing backslash at end of expression', start, start + 1);
    const nc = String.fromCodePoint(n);
    switch (nc) {
      case 'A':
        this.pos += 2;
        return { t: 'assert', kind: 'bot' };
      case 'z':
        this.pos += 2;
        return { t: 'assert', kind: 'eot' };
      case 'b':
        this.pos += 2;
        return { t: 'assert', kind: 'wb' };
      case 'B':
        this.pos += 2;
        return { t: 'assert', kind: 'nwb' };
      case 'Q': {
        this.pos += 2;
        const items: Node[] = [];
        while (this.pos < this.cps.length) {
          if (this.is('\\') && this.is('E', 1)) {
            this.pos += 2;
            break;
          }
          items.push(this.literal(this.cps[this.pos++]!, flags));
        }
        return items.length === 1 ? items[0]! : { t: 'cat', items };
      }
    }
    const cls = this.classEscape(flags);
    if (cls !== undefined) return { t: 'char', test: flags.i ? foldTest(cls) : cls };
    return this.literal(this.escapedChar(), flags);
  }

  /** `\d \D \s \S \w \W \pX \p{Name} \PX \P{Name}` at the cursor, or undefined. */
  private classEscape(_flags: Flags): Test | undefined {
    const start = this.pos;
    const nc = String.fromCodePoint(this.peek(1)!);
    const simple: Record<string, Test> = { d: isDigit, s: isSpace, w: isWord };
    if (nc.toLowerCase() in simple && 'dswDSW'.includes(nc)) {
      this.pos += 2;
      const t = simple[nc.toLowerCase()]!;
      return nc === nc.toLowerCase() ? t : (c) => !t(c);
    }
    if (nc === 'p' || nc === 'P') {
      this.pos += 2;
      let name: string;
      if (this.is('{')) {
        const close = this.cps.indexOf('}'.codePointAt(0)!, this.pos);
        if (close < 0) this.err('invalid character class range', start, this.cps.length);
        name = String.fromCodePoint(...this.cps.slice(this.pos + 1, close));
        this.pos = close + 1;
      } else {
        if (this.peek() === undefined) this.err('invalid character class range', start);
        name = String.fromCodePoint(this.cps[this.pos++]!);
      }
      let negate = nc === 'P';
      if (name.startsWith('^')) ((negate = !negate), (name = name.slice(1)));
      const t = unicodeClass(name, String.fromCodePoint(...this.cps.slice(start, this.pos)));
      return negate ? (c) => !t(c) : t;
    }
    return undefined;
  }

  /** A single escaped character (the cursor is on the backslash). */
  private escapedChar(): number {
    const start = this.pos;
    const n = this.peek(1)!;
    const nc = String.fromCodePoint(n);
    this.pos += 2;
    switch (nc) {
      case 'a':
        return 7;
      case 'f':
        return 12;
      case 't':
        return 9;
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 'v':
        return 11;
      case 'x': {
        if (this.is('{')) {
          const close = this.cps.indexOf('}'.codePointAt(0)!, this.pos);
          const hex = close < 0 ? '' : String.fromCodePoint(...this.cps.slice(this.pos + 1, close));
          if (!/^[0-9a-fA-F]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) this.err('invalid escape sequence', start, close < 0 ? this.cps.length : close + 1);
          this.pos = close + 1;
          return parseInt(hex, 16);
        }
        const hex = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 2));
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) this.err('invalid escape sequence', start, this.pos + 2);
        this.pos += 2;
        return parseInt(hex, 16);
      }
    }
    if (n >= 0x30 && n <= 0x37) {
      // \0 starts an octal escape; \1-\7 only when followed by another octal digit
      // (a lone \1 would be a backreference, which RE2 does not support).
      const more = this.peek();
      if (n !== 0x30 && (more === undefined || more < 0x30 || more > 0x37)) this.err('invalid escape sequence', start, this.pos);
      let v = n - 0x30;
      for (let k = 0; k < 2; k++) {
        const d = this.peek();
        if (d === undefined || d < 0x30 || d > 0x37) break;
        v = v * 8 + (d - 0x30);
        this.pos++;
      }
      return v;
    }
    if (n < 0x80 && !isWord(n)) return n;
    this.err('invalid escape sequence', start, this.pos);
  }

  private parseClass(flags: Flags): Node {
    const start = this.pos;
    this.pos++;
    let negate = false;
    if (this.is('^')) {
      negate = true;
      this.pos++;
    }
    const tests: Test[] = [];
    const ranges: [number, number][] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.err('missing closing ]', start, this.cps.length);
      if (c === 93 /* ] */ && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === 91 /* [ */ && this.is(':', 1)) {
        const close = this.pattern.indexOf(':]', this.offsetOfCp(this.pos + 2));
        if (close >= 0) {
          const nameEnd = this.cpIndexOfOffset(close);
          let name = String.fromCodePoint(...this.cps.slice(this.pos + 2, nameEnd));
          let neg = false;
          if (name.startsWith('^')) ((neg = true), (name = name.slice(1)));
          const t = POSIX[name];
          if (t === undefined) this.err('invalid character class range', this.pos, nameEnd + 2);
          tests.push(neg ? (x) => !t(x) : t);
          this.pos = nameEnd + 2;
          continue;
        }
      }
      if (c === 92 /* \ */) {
        const cls = this.classEscape(flags);
        if (cls !== undefined) {
          tests.push(cls);
          continue;
        }
      }
      const lo = this.classChar();
      if (this.is('-') && this.peek(1) !== undefined && this.peek(1) !== 93) {
        const rangeStart = this.pos - 1;
        this.pos++;
        const hi = this.classChar();
        if (hi < lo) this.err('invalid character class range', rangeStart, this.pos);
        ranges.push([lo, hi]);
      } else {
        ranges.push([lo, lo]);
      }
    }
    const inClass: Test = (x) => {
      for (const [lo, hi] of ranges) if (x >= lo && x <= hi) return true;
      for (const t of tests) if (t(x)) return true;
      return false;
    };
    const test = flags.i ? foldTest(inClass) : inClass;
    return { t: 'char', test: negate ? (x) => !test(x) : test };
  }

  private classChar(): number {
    const c = this.peek()!;
    if (c === 92) return this.escapedChar();
    this.pos++;
    return c;
  }

  private offsetOfCp(i: number): number {
    return String.fromCodePoint(...this.cps.slice(0, i)).length;
  }

  private cpIndexOfOffset(o: number): number {
    return Array.from(this.pattern.slice(0, o)).length;
  }
}

// --- Compilation to a Pike VM program --------------------------------------------------

const enum Op {
  Char,
  Split,
  Jmp,
  Assert,
  Match,
}

interface Inst {
  op: Op;
  test?: Test;
  x?: number;
  y?: number;
  kind?: AssertKind;
}

class Compiler {
  readonly prog: Inst[] = [];

  private emit(i: Inst): number {
    if (this.prog.length >= MAX_PROGRAM) throw new RegexSyntaxError('expression too large', '');
    this.prog.push(i);
    return this.prog.length - 1;
  }

  compile(n: Node): void {
    switch (n.t) {
      case 'char':
        this.emit({ op: Op.Char, test: n.test });
        return;
      case 'assert':
        this.emit({ op: Op.Assert, kind: n.kind });
        return;
      case 'empty':
        return;
      case 'cat':
        for (const i of n.items) this.compile(i);
        return;
      case 'alt': {
        const jumps: number[] = [];
        for (let k = 0; k < n.items.length; k++) {
          if (k < n.items.length - 1) {
            const split = this.emit({ op: Op.Split });
            this.prog[split]!.x = split + 1;
            this.compile(n.items[k]!);
            jumps.push(this.emit({ op: Op.Jmp }));
            this.prog[split]!.y = this.prog.length;
          } else {
            this.compile(n.items[k]!);
          }
        }
        for (const j of jumps) this.prog[j]!.x = this.prog.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) this.compile(n.sub);
        if (n.max === -1) this.star(n.sub, n.greedy);
        else for (let k = n.min; k < n.max; k++) this.optional(n.sub, n.greedy);
        return;
      }
    }
  }

  private split(greedy: boolean, a: number, b: number): Inst {
    return greedy ? { op: Op.Split, x: a, y: b } : { op: Op.Split, x: b, y: a };
  }

  private star(sub: Node, greedy: boolean): void {
    const loop = this.emit({ op: Op.Split });
    this.compile(sub);
    this.emit({ op: Op.Jmp, x: loop });
    this.prog[loop] = this.split(greedy, loop + 1, this.prog.length);
  }

  private optional(sub: Node, greedy: boolean): void {
    const s = this.emit({ op: Op.Split });
    this.compile(sub);
    this.prog[s] = this.split(greedy, s + 1, this.prog.length);
  }
}

export interface Regex {
  readonly source: string;
  readonly prog: readonly Inst[];
}

const cache = new Map<string, Regex>();

/** Parses and compiles an RE2 pattern (cached); throws RegexSyntaxError. */
export function compileRegex(pattern: string): Regex {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  const ast = new Parser(pattern).parse();
  const c = new Compiler();
  c.compile(ast);
  c.prog.push({ op: Op.Match });
  const re: Regex = { source: pattern, prog: c.prog };
  if (cache.size >= 512) cache.delete(cache.keys().next().value!);
  cache.set(pattern, re);
  return re;
}

// --- Matching -----------------------------------------------------------------------

function cpAt(s: string, i: number): number {
  return i < s.length ? s.codePointAt(i)! : -1;
}

function cpBefore(s: string, i: number): number {
  if (i <= 0) return -1;
  const lo = s.charCodeAt(i - 1);
  if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
    const hi = s.charCodeAt(i - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return s.codePointAt(i - 2)!;
  }
  return lo;
}

function assertHolds(kind: AssertKind, s: string, i: number): boolean {
  switch (kind) {
    case 'bot':
      return i === 0;
    case 'eot':
      return i === s.length;
    case 'bol':
      return i === 0 || s.charCodeAt(i - 1) === 10;
    case 'eol':
      return i === s.length || s.charCodeAt(i) === 10;
    case 'wb':
    case 'nwb': {
      const a = cpBefore(s, i);
      const b = cpAt(s, i);
      const boundary = (a >= 0 && isWord(a)) !== (b >= 0 && isWord(b));
      return kind === 'wb' ? boundary : !boundary;
    }
  }
}

/** Thread steps are billed in batches of this many, 1 unit per STEPS_PER_UNIT steps. */
const BILL_EVERY = 1000;
/** About 25M thread steps run per second here; 4 per unit keeps a full budget near 0.2 s. */
const STEPS_PER_UNIT = 4;

class Matcher {
  private readonly n: number;
  private readonly mark: Int32Array;
  private gen = 0;
  private steps = 0;
  private readonly stack: number[] = [];

  constructor(private readonly prog: readonly Inst[]) {
    this.n = prog.length;
    this.mark = new Int32Array(this.n).fill(-1);
  }

  private bill(k: number): void {
    this.steps += k;
    if (this.steps >= BILL_EVERY) {
      charge(Math.floor(this.steps / STEPS_PER_UNIT));
      this.steps %= STEPS_PER_UNIT;
    }
  }

  finish(): void {
    if (this.steps >= STEPS_PER_UNIT) charge(Math.floor(this.steps / STEPS_PER_UNIT));
    this.steps = 0;
  }

  /** Adds the epsilon closure of `pc` to (pcs, starts), in priority order. */
  private add(pcs: number[], starts: number[], pc0: number, start: number, s: string, i: number): void {
    const stack = this.stack;
    stack.length = 0;
    stack.push(pc0);
    let visited = 0;
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (this.mark[pc] === this.gen) continue;
      this.mark[pc] = this.gen;
      visited++;
      const inst = this.prog[pc]!;
      switch (inst.op) {
        case Op.Jmp:
          stack.push(inst.x!);
          break;
        case Op.Split:
          stack.push(inst.y!, inst.x!);
          break;
        case Op.Assert:
          if (assertHolds(inst.kind!, s, i)) stack.push(pc + 1);
          break;
        default:
          pcs.push(pc);
          starts.push(start);
      }
    }
    this.bill(visited);
  }

  /**
   * Leftmost-first search from `from`. Returns [start, end) in UTF-16 offsets, or
   * undefined. With `anyMatch` it stops at the first match found (for `matches`).
   */
  search(s: string, from: number, anyMatch: boolean): [number, number] | undefined {
    let cpcs: number[] = [];
    let cstarts: number[] = [];
    let npcs: number[] = [];
    let nstarts: number[] = [];
    let matched: [number, number] | undefined;
    let i = from;
    this.gen++;
    for (;;) {
      if (matched === undefined) this.add(cpcs, cstarts, 0, i, s, i);
      // With no live thread and a match in hand we are done; without a match the
      // unanchored search moves on to the next start position.
      if (cpcs.length === 0 && matched !== undefined) break;
      const c = cpAt(s, i);
      const w = c > 0xffff ? 2 : 1;
      this.gen++;
      this.bill(cpcs.length);
      for (let k = 0; k < cpcs.length; k++) {
        const inst = this.prog[cpcs[k]!]!;
        if (inst.op === Op.Match) {
          matched = [cstarts[k]!, i];
          if (anyMatch) return matched;
          break; // lower-priority threads are cut off
        }
        if (c >= 0 && inst.test!(c)) this.add(npcs, nstarts, cpcs[k]! + 1, cstarts[k]!, s, i + w);
      }
      if (c < 0) break;
      i += w;
      [cpcs, npcs] = [npcs, cpcs];
      [cstarts, nstarts] = [nstarts, cstarts];
      npcs.length = 0;
      nstarts.length = 0;
    }
    return matched;
  }
}

/** RE2 `MatchString`: does the pattern match anywhere in `s`? */
export function regexMatches(re: Regex, s: string): boolean {
  const m = new Matcher(re.prog);
  try {
    return m.search(s, 0, true) !== undefined;
  } finally {
    m.finish();
  }
}

/** RE2 `FindString`: the leftmost-first match, or undefined. */
export function regexFind(re: Regex, s: string): string | undefined {
  const m = new Matcher(re.prog);
  try {
    const r = m.search(s, 0, false);
    return r === undefined ? undefined : s.slice(r[0], r[1]);
  } finally {
    m.finish();
  }
}

/** RE2 `FindAllString(s, n)`: n < 0 means all; an empty match right after a match is skipped. */
export function regexFindAll(re: Regex, s: string, n: number): string[] {
  const out: string[] = [];
  if (n === 0) return out;
  const limit = n < 0 ? s.length + 1 : n;
  const m = new Matcher(re.prog);
  try {
    let pos = 0;
    let prevEnd = -1;
    while (out.length < limit && pos <= s.length) {
      const r = m.search(s, pos, false);
      if (r === undefined) break;
      let accept = true;
      if (r[1] === r[0] && r[1] === pos) {
        if (r[0] === prevEnd) accept = false;
        pos += pos < s.length ? (cpAt(s, pos) > 0xffff ? 2 : 1) : 1;
      } else {
        pos = r[1];
      }
      prevEnd = r[1];
      if (accept) out.push(s.slice(r[0], r[1]));
    }
    return out;
  } finally {
    m.finish();
  }
}
