/**
 * The Falco condition language: parser from text to an AST whose nodes carry their
 * offset in the condition text, so errors point at the exact column in the rules file.
 *
 * Grammar (precedence low → high, as in Falco's libsinsp):
 *   expr    := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | primary
 *   primary := '(' expr ')' | check | MACRO
 *   check   := field OP [value | '(' list ')' | val(field)]   |   field 'exists'
 *   field   := NAME ['[' ARG ']'] | TRANSFORMER '(' field ')'
 */

export type CmpOp =
  | '=' | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'contains' | 'icontains' | 'bcontains' | 'startswith' | 'bstartswith' | 'endswith'
  | 'in' | 'intersects' | 'pmatch' | 'glob' | 'iglob' | 'regex' | 'exists';

export const TRANSFORMERS = ['tolower', 'toupper', 'b64', 'basename', 'len'] as const;
export type Transformer = (typeof TRANSFORMERS)[number];

export interface FieldRef {
  name: string;
  arg?: string;
  /** Applied innermost first: tolower(b64(f)) → ['b64', 'tolower']. */
  transformers: Transformer[];
  pos: number;
  /** Offset of the argument text (inside the brackets), for argument errors. */
  argPos?: number;
}

export interface ValueItem {
  value: string;
  /** Bare words may name a list; quoted strings never do. */
  quoted: boolean;
  pos: number;
}

export type Rhs =
  | { kind: 'value'; item: ValueItem }
  | { kind: 'list'; items: ValueItem[]; pos: number }
  | { kind: 'field'; field: FieldRef; pos: number };

export type CondNode =
  | { kind: 'and' | 'or'; children: CondNode[]; pos: number }
  | { kind: 'not'; child: CondNode; pos: number }
  | { kind: 'macro'; name: string; pos: number }
  | { kind: 'cmp'; field: FieldRef; op: CmpOp; rhs?: Rhs; pos: number }
  /** Constant, used for empty exception sets and disabled parts. */
  | { kind: 'const'; value: boolean; pos: number };

export class ConditionSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

const LIST_OPS: ReadonlySet<CmpOp> = new Set(['in', 'intersects', 'pmatch']);
const WORD_OPS: readonly CmpOp[] = ['contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'intersects', 'in', 'pmatch', 'glob', 'iglob', 'regex', 'exists'];
const SYMBOL_OPS: readonly CmpOp[] = ['==', '!=', '<=', '>=', '=', '<', '>'];
const IDENT = /[a-zA-Z_][a-zA-Z0-9_]*(?:\.[a-zA-Z0-9_]+)*/y;
const SPACE = /\s*/y;
const BARE = /[^\s(),"']+/y;

export function isListOp(op: CmpOp): boolean {
  return LIST_OPS.has(op);
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): CondNode {
    this.ws();
    if (this.i >= this.s.length) throw new ConditionSyntaxError('empty condition', 0);
    const node = this.or();
    this.ws();
    if (this.i < this.s.length) throw new ConditionSyntaxError(`unexpected "${this.s.slice(this.i, this.i + 20)}"`, this.i);
    return node;
  }

  private ws(): void {
    SPACE.lastIndex = this.i;
    SPACE.exec(this.s);
    this.i = SPACE.lastIndex;
  }

  /** Matches a keyword that ends at a word boundary. */
  private keyword(word: string): boolean {
    this.ws();
    if (!this.s.startsWith(word, this.i)) return false;
    const next = this.s[this.i + word.length];
    if (next !== undefined && /[a-zA-Z0-9_.]/.test(next)) return false;
    this.i += word.length;
    return true;
  }

  private or(): CondNode {
    this.ws();
    const pos = this.i;
    const children = [this.and()];
    while (this.keyword('or')) children.push(this.and());
    return children.length === 1 ? children[0]! : { kind: 'or', children, pos };
  }

  private and(): CondNode {
    this.ws();
    const pos = this.i;
    const children = [this.not()];
    while (this.keyword('and')) children.push(this.not());
    return children.length === 1 ? children[0]! : { kind: 'and', children, pos };
  }

  private not(): CondNode {
    this.ws();
    const pos = this.i;
    if (this.keyword('not')) return { kind: 'not', child: this.not(), pos };
    return this.primary();
  }

  private primary(): CondNode {
    this.ws();
    const pos = this.i;
    if (this.s[this.i] === '(') {
      this.i++;
      const inner = this.or();
      this.ws();
      if (this.s[this.i] !== ')') throw new ConditionSyntaxError(this.i >= this.s.length ? 'missing ")" at the end of the condition' : `expected ")" or "and"/"or", found "${this.s.slice(this.i, this.i + 20)}"`, this.i >= this.s.length ? pos : this.i);
      this.i++;
      return inner;
    }
    IDENT.lastIndex = this.i;
    const m = IDENT.exec(this.s);
    if (!m) throw new ConditionSyntaxError(this.i >= this.s.length ? 'unexpected end of condition; expected a field or macro' : `expected a field, macro or "(", found "${this.s.slice(this.i, this.i + 20)}"`, this.i);
    const name = m[0];
    if (name === 'and' || name === 'or') throw new ConditionSyntaxError(`unexpected "${name}"`, pos);
    const after = IDENT.lastIndex;
    // A transformer call or a bracketed argument means this is a field; so does a following operator.
    if ((TRANSFORMERS as readonly string[]).includes(name) && this.s[after] === '(') {
      const field = this.field();
      return this.comparison(field, pos);
    }
    this.i = after;
    const save = this.i;
    if (this.s[this.i] === '[' || this.peekOperator()) {
      this.i = pos;
      const field = this.field();
      return this.comparison(field, pos);
    }
    this.i = save;
    if (name.includes('.')) throw new ConditionSyntaxError(`expected an operator after field ${name}`, this.i);
    return { kind: 'macro', name, pos };
  }

  private peekOperator(): CmpOp | undefined {
    const save = this.i;
    const op = this.operator();
    this.i = save;
    return op;
  }

  private operator(): CmpOp | undefined {
    this.ws();
    for (const op of SYMBOL_OPS) {
      if (this.s.startsWith(op, this.i)) {
        this.i += op.length;
        return op;
      }
    }
    for (const op of WORD_OPS) if (this.keyword(op)) return op;
    return undefined;
  }

  private field(): FieldRef {
    this.ws();
    const pos = this.i;
    IDENT.lastIndex = this.i;
    const m = IDENT.exec(this.s);
    if (!m) throw new ConditionSyntaxError('expected a field name', this.i);
    this.i = IDENT.lastIndex;
    if ((TRANSFORMERS as readonly string[]).includes(m[0]) && this.s[this.i] === '(') {
      this.i++;
      const inner = this.field();
      this.ws();
      if (this.s[this.i] !== ')') throw new ConditionSyntaxError(`expected ")" to close ${m[0]}(`, this.i);
      this.i++;
      return { ...inner, transformers: [...inner.transformers, m[0] as Transformer], pos };
    }
    const ref: FieldRef = { name: m[0], transformers: [], pos };
    if (this.s[this.i] === '[') {
      this.i++;
      const q = this.s[this.i];
      if (q === '"' || q === "'") {
        ref.argPos = this.i + 1;
        ref.arg = this.quoted();
        if (this.s[this.i] !== ']') throw new ConditionSyntaxError('expected "]" after the field argument', this.i);
      } else {
        const end = this.s.indexOf(']', this.i);
        if (end < 0) throw new ConditionSyntaxError(`missing "]" after ${m[0]}[`, this.i - 1);
        ref.argPos = this.i;
        ref.arg = this.s.slice(this.i, end);
        this.i = end;
      }
      this.i++;
    }
    return ref;
  }

  private comparison(field: FieldRef, pos: number): CondNode {
    const opPos = this.i;
    const op = this.operator();
    if (!op) {
      this.ws();
      throw new ConditionSyntaxError(`expected an operator after field ${field.name}, found ${this.i >= this.s.length ? 'the end of the condition' : `"${this.s.slice(this.i, this.i + 20)}"`}`, this.i >= this.s.length ? opPos : this.i);
    }
    if (op === 'exists') return { kind: 'cmp', field, op, pos };
    this.ws();
    const rpos = this.i;
    if (LIST_OPS.has(op)) {
      if (this.s[this.i] !== '(') throw new ConditionSyntaxError(`operator ${op} needs a list in parentheses, e.g. (a, b)`, this.i);
      return { kind: 'cmp', field, op, rhs: { kind: 'list', items: this.list(), pos: rpos }, pos };
    }
    if (this.s.startsWith('val(', this.i)) {
      this.i += 4;
      const other = this.field();
      this.ws();
      if (this.s[this.i] !== ')') throw new ConditionSyntaxError('expected ")" to close val(', this.i);
      this.i++;
      return { kind: 'cmp', field, op, rhs: { kind: 'field', field: other, pos: rpos }, pos };
    }
    if (this.s[this.i] === '(') {
      // Falco accepts a parenthesised single value for = and friends; a list only for list operators.
      const items = this.list();
      if (items.length !== 1) throw new ConditionSyntaxError(`operator ${op} takes one value, not a list`, rpos);
      return { kind: 'cmp', field, op, rhs: { kind: 'value', item: items[0]! }, pos };
    }
    const item = this.value();
    if (!item) throw new ConditionSyntaxError(`expected a value after ${op}`, this.i);
    return { kind: 'cmp', field, op, rhs: { kind: 'value', item }, pos };
  }

  private value(): ValueItem | undefined {
    this.ws();
    const pos = this.i;
    const c = this.s[this.i];
    if (c === '"' || c === "'") return { value: this.quoted(), quoted: true, pos: pos + 1 };
    BARE.lastIndex = this.i;
    const m = BARE.exec(this.s);
    if (!m) return undefined;
    this.i = BARE.lastIndex;
    return { value: m[0], quoted: false, pos };
  }

  private list(): ValueItem[] {
    const open = this.i;
    this.i++; // (
    const items: ValueItem[] = [];
    this.ws();
    if (this.s[this.i] === ')') {
      this.i++;
      return items;
    }
    for (;;) {
      const item = this.value();
      if (!item) throw new ConditionSyntaxError(this.i >= this.s.length ? 'missing ")" to close the list' : `expected a list value, found "${this.s[this.i]}"`, this.i >= this.s.length ? open : this.i);
      items.push(item);
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.s[this.i] === ')') {
        this.i++;
        return items;
      }
      throw new ConditionSyntaxError(this.i >= this.s.length ? 'missing ")" to close the list' : `expected "," or ")" in the list, found "${this.s[this.i]}"`, this.i >= this.s.length ? open : this.i);
    }
  }

  /** A quoted string with backslash escapes, as libsinsp reads them. */
  private quoted(): string {
    const q = this.s[this.i]!;
    const start = this.i;
    this.i++;
    let out = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === '\\' && this.i + 1 < this.s.length) {
        const n = this.s[this.i + 1]!;
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
        this.i += 2;
        continue;
      }
      if (c === q) {
        this.i++;
        return out;
      }
      out += c;
      this.i++;
    }
    throw new ConditionSyntaxError('unterminated quoted string', start);
  }
}

export function parseCondition(text: string): CondNode {
  return new Parser(text).parse();
}
