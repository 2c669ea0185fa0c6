/**
 * Compiles a condition AST to a JavaScript closure once, at load time: macros inlined,
 * lists expanded into Sets, regexes and globs built, field arguments bound. Evaluation
 * then does no parsing. `and` children run cheapest first (no side effects, so order is
 * free), and the compiler reports which ka.verb / ka.target.resource values a condition
 * can match so the engine can skip rules by index.
 */
import { isListOp, type CmpOp, type CondNode, type FieldRef, type Rhs, type ValueItem } from './condition.js';
import type { EventSource, FieldDef, FieldValue } from './fields.js';

export type Predicate<E> = (event: E) => boolean;

export class CompileError extends Error {
  constructor(
    readonly code: 'PALISADE_RULES_UNKNOWN_FIELD' | 'PALISADE_RULES_UNKNOWN_MACRO' | 'PALISADE_RULES_BAD_VALUE' | 'PALISADE_RULES_SYNTAX',
    readonly data: Record<string, string>,
    /** Offset in the condition text of `where`. */
    readonly offset: number,
    readonly where: unknown,
  ) {
    super(code);
  }
}

export interface MacroDef {
  ast: CondNode;
  /** Opaque location context for errors inside the macro (its condition text). */
  where: unknown;
}

export interface CompileContext<E> {
  source: EventSource<E>;
  macros: ReadonlyMap<string, MacroDef>;
  /** Fully expanded lists. */
  lists: ReadonlyMap<string, readonly string[]>;
}

export interface Compiled<E> {
  test: Predicate<E>;
  cost: number;
  /** Values of the named field this condition requires (one of), or undefined = any. */
  constraints: Map<string, Set<string> | undefined>;
}

/** Fields the engine indexes rules by (src/detect/audit/rule-index.ts). */
export const INDEX_FIELDS = ['ka.verb', 'ka.target.resource', 'ka.target.subresource', 'ka.stage'] as const;

type Getter<E> = (e: E) => FieldValue | number;

interface BoundField<E> {
  get: Getter<E>;
  numeric: boolean;
  list: boolean;
  cost: number;
  def: FieldDef<E>;
}

function b64decode(s: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) return undefined;
  return Buffer.from(s, 'base64').toString('utf8');
}

function basename(s: string): string {
  const trimmed = s.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return i < 0 ? trimmed : trimmed.slice(i + 1);
}

/** fnmatch without FNM_PATHNAME (libsinsp's glob): * ? [set] [!set]. */
export function globToRegExp(glob: string, flags = ''): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let set = glob.slice(i + 1, end);
        if (set.startsWith('!')) set = '^' + set.slice(1);
        re += `[${set.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      re += glob[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, flags);
}

/** Falco's pmatch: the path equals one of the prefixes or lies under it. */
function pathMatcher(prefixes: readonly string[]): (v: string) => boolean {
  const norm = prefixes.map((p) => (p.length > 1 ? p.replace(/\/+$/, '') : p));
  return (v) => {
    for (const p of norm) {
      if (v === p) return true;
      if (v.startsWith(p) && (p.endsWith('/') || v[p.length] === '/')) return true;
    }
    return false;
  };
}

function hexBytes(s: string): Buffer | undefined {
  return /^(?:[0-9a-fA-F]{2})+$/.test(s) ? Buffer.from(s, 'hex') : undefined;
}

export class ConditionCompiler<E> {
  private readonly stack: string[] = [];
  private readonly macroCache = new Map<string, Compiled<E>>();
  constructor(private readonly ctx: CompileContext<E>) {}

  compile(node: CondNode, where: unknown): Compiled<E> {
    return this.node(node, where);
  }

  private node(n: CondNode, where: unknown): Compiled<E> {
    switch (n.kind) {
      case 'const': {
        const v = n.value;
        return { test: () => v, cost: 0, constraints: new Map() };
      }
      case 'macro': {
        const m = this.ctx.macros.get(n.name);
        if (!m) throw new CompileError('PALISADE_RULES_UNKNOWN_MACRO', { name: n.name }, n.pos, where);
        if (this.stack.includes(n.name)) throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `macro ${n.name} refers to itself (${[...this.stack, n.name].join(' → ')})` }, n.pos, where);
        const shared = this.macroCache.get(n.name);
        if (shared) return shared;
        this.stack.push(n.name);
        try {
          const c = this.node(m.ast, m.where);
          // One closure per macro, remembering its result for the last event: rules share
          // macros (kevt, response_successful) and run one event at a time.
          const t = c.test;
          let last: E | undefined;
          let result = false;
          const memo = { test: (e: E) => (e === last ? result : ((result = t(e)), (last = e), result)), cost: c.cost, constraints: c.constraints };
          this.macroCache.set(n.name, memo);
          return memo;
        } finally {
          this.stack.pop();
        }
      }
      case 'not': {
        const c = this.node(n.child, where);
        const t = c.test;
        return { test: (e) => !t(e), cost: c.cost, constraints: new Map() };
      }
      case 'and': {
        const parts = n.children.map((c) => this.node(c, where));
        const constraints = new Map<string, Set<string> | undefined>();
        for (const p of parts) {
          for (const [k, set] of p.constraints) {
            if (!set) continue;
            const prev = constraints.get(k);
            constraints.set(k, prev ? new Set([...prev].filter((x) => set.has(x))) : set);
          }
        }
        const sorted = [...parts].sort((a, b) => a.cost - b.cost);
        const tests = sorted.map((p) => p.test);
        const cost = parts.reduce((s, p) => s + p.cost, 0);
        if (tests.length === 2) {
          const [a, b] = tests as [Predicate<E>, Predicate<E>];
          return { test: (e) => a(e) && b(e), cost, constraints };
        }
        return {
          test: (e) => {
            for (let i = 0; i < tests.length; i++) if (!tests[i]!(e)) return false;
            return true;
          },
          cost,
          constraints,
        };
      }
      case 'or': {
        const parts = n.children.map((c) => this.node(c, where));
        const constraints = new Map<string, Set<string> | undefined>();
        for (const k of INDEX_FIELDS) {
          let union: Set<string> | undefined = new Set();
          for (const p of parts) {
            const s = p.constraints.get(k);
            if (!s) {
              union = undefined;
              break;
            }
            for (const x of s) union.add(x);
          }
          if (union) constraints.set(k, union);
        }
        const tests = parts.map((p) => p.test);
        return {
          test: (e) => {
            for (let i = 0; i < tests.length; i++) if (tests[i]!(e)) return true;
            return false;
          },
          cost: parts.reduce((s, p) => s + p.cost, 0),
          constraints,
        };
      }
      case 'cmp':
        return this.comparison(n.field, n.op, n.rhs, n.pos, where);
    }
  }

  bindField(ref: FieldRef, where: unknown): BoundField<E> {
    const def = this.ctx.source.fields.get(ref.name);
    if (!def) throw new CompileError('PALISADE_RULES_UNKNOWN_FIELD', { field: ref.name, source: this.ctx.source.name }, ref.pos, where);
    const argPos = ref.argPos ?? ref.pos;
    if (ref.arg !== undefined && def.arg === 'none') throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `field ${ref.name} takes no argument` }, argPos, where);
    if (ref.arg === undefined && def.arg === 'key') throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `field ${ref.name} needs an argument: ${ref.name}[...]` }, ref.pos, where);
    if (ref.arg !== undefined && def.arg === 'index' && !/^\d+$/.test(ref.arg)) throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `field ${ref.name} takes a numeric index, not "${ref.arg}"` }, argPos, where);
    if (def.name === 'jevt.value' && ref.arg !== '' && !ref.arg!.startsWith('/')) throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `jevt.value takes a JSON pointer starting with "/", not "${ref.arg}"` }, argPos, where);
    const raw = def.bind(ref.arg);
    let get: Getter<E> = raw;
    let numeric = def.type === 'uint64';
    let list = def.list;
    for (const t of ref.transformers) {
      const inner = get as (e: E) => FieldValue;
      if (t === 'len') {
        if (numeric) throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: 'len() applies to string and list fields' }, ref.pos, where);
        get = (e) => {
          const v = inner(e);
          return v === undefined ? (list ? 0 : undefined) : Array.isArray(v) ? v.length : v.length;
        };
        numeric = true;
        list = false;
        continue;
      }
      if (numeric) throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `${t}() applies to string fields` }, ref.pos, where);
      const f: (s: string) => string | undefined = t === 'tolower' ? (s) => s.toLowerCase() : t === 'toupper' ? (s) => s.toUpperCase() : t === 'b64' ? b64decode : basename;
      get = (e) => {
        const v = inner(e);
        if (v === undefined) return undefined;
        if (Array.isArray(v)) {
          const out: string[] = [];
          for (const x of v) {
            const y = f(x);
            if (y !== undefined) out.push(y);
          }
          return out.length ? out : undefined;
        }
        return f(v);
      };
    }
    const cost = (def.list ? 3 : 1) + ref.transformers.length + (def.name.startsWith('jevt.') ? 2 : 0);
    return { get, numeric, list, cost, def };
  }

  private listValues(items: ValueItem[]): string[] {
    const out: string[] = [];
    for (const it of items) {
      const l = !it.quoted ? this.ctx.lists.get(it.value) : undefined;
      if (l) out.push(...l);
      else out.push(it.value);
    }
    return out;
  }

  private comparison(ref: FieldRef, op: CmpOp, rhs: Rhs | undefined, pos: number, where: unknown): Compiled<E> {
    const field = this.bindField(ref, where);
    const get = field.get;
    const constraints = new Map<string, Set<string> | undefined>();
    if (op === 'exists') return { test: (e) => get(e) !== undefined, cost: field.cost, constraints };
    // As in libsinsp: a list field (even with an [index]) compares only as a set.
    if (field.list && op !== 'in' && op !== 'intersects') throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `list field ${ref.name} only supports the operators exists, in and intersects, not ${op}` }, pos, where);
    if (!rhs) throw new CompileError('PALISADE_RULES_SYNTAX', { detail: `operator ${op} needs a value` }, pos, where);

    // Field-to-field comparison: val(other).
    if (rhs.kind === 'field') {
      const other = this.bindField(rhs.field, where);
      if (other.list || other.numeric !== field.numeric) throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `val(${rhs.field.name}) has a different type than ${ref.name}` }, rhs.pos, where);
      if (isListOp(op)) throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `operator ${op} cannot take val()` }, rhs.pos, where);
      const og = other.get;
      const cmp = this.scalarMatcherDynamic(op, field.numeric || other.numeric);
      return {
        test: (e) => {
          const a = get(e);
          const b = og(e);
          if (a === undefined || b === undefined) return false;
          const bv = Array.isArray(b) ? b[0] : b;
          if (bv === undefined) return false;
          return anyOf(a, (x) => cmp(x, bv));
        },
        cost: field.cost + other.cost,
        constraints,
      };
    }

    const values = rhs.kind === 'list' ? this.listValues(rhs.items) : [rhs.item.value];
    const vpos = rhs.kind === 'list' ? rhs.pos : rhs.item.pos;
    const cost = field.cost + (op === 'regex' || op === 'glob' || op === 'iglob' ? 4 : 0) + (op === 'pmatch' ? 2 : 0);

    if (op === 'in' || op === 'intersects') {
      const set: Set<unknown> = field.numeric ? new Set<unknown>(values.map((v) => this.number(v, vpos, where))) : new Set<unknown>(values);
      const has = field.numeric ? (x: string | number) => set.has(Number(x)) : (x: string | number) => set.has(x);
      if ((INDEX_FIELDS as readonly string[]).includes(ref.name) && !ref.transformers.length && !field.list) constraints.set(ref.name, new Set(values));
      if (field.list && op === 'in') {
        // A list field is `in` a set when every value is in it.
        return {
          test: (e) => {
            const v = get(e);
            if (v === undefined) return false;
            if (!Array.isArray(v)) return has(v);
            for (const x of v) if (!has(x)) return false;
            return true;
          },
          cost,
          constraints,
        };
      }
      return { test: (e) => anyOf(get(e), has), cost, constraints };
    }
    if (op === 'pmatch') {
      const m = pathMatcher(values);
      return { test: (e) => anyOf(get(e), (x) => m(String(x))), cost, constraints };
    }

    const value = values[0]!;
    if ((op === '=' || op === '==') && (INDEX_FIELDS as readonly string[]).includes(ref.name) && !ref.transformers.length && !field.list) constraints.set(ref.name, new Set([value]));
    let m: (x: string | number) => boolean;
    if (field.numeric) {
      const n = this.number(value, vpos, where);
      switch (op) {
        case '=':
        case '==': m = (x) => Number(x) === n; break;
        case '!=': m = (x) => Number(x) !== n; break;
        case '<': m = (x) => Number(x) < n; break;
        case '<=': m = (x) => Number(x) <= n; break;
        case '>': m = (x) => Number(x) > n; break;
        case '>=': m = (x) => Number(x) >= n; break;
        default: throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `operator ${op} does not apply to numeric field ${ref.name}` }, pos, where);
      }
    } else {
      m = this.stringMatcher(op, value, vpos, where);
    }
    if (op === '!=') {
      // Negation of =: true when no value equals (and the field exists).
      const eq = field.numeric ? (x: string | number) => !m(x) : (x: string | number) => x === value;
      return {
        test: (e) => {
          const v = get(e);
          return v !== undefined && !anyOf(v, eq);
        },
        cost,
        constraints,
      };
    }
    return { test: (e) => anyOf(get(e), m), cost, constraints };
  }

  private number(v: string, pos: number, where: unknown): number {
    const n = Number(v);
    if (v.trim() === '' || Number.isNaN(n)) throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `"${v}" is not a number` }, pos, where);
    return n;
  }

  private stringMatcher(op: CmpOp, value: string, pos: number, where: unknown): (x: string | number) => boolean {
    switch (op) {
      case '=':
      case '==':
      case '!=':
        return (x) => x === value;
      case '<': return (x) => String(x) < value;
      case '<=': return (x) => String(x) <= value;
      case '>': return (x) => String(x) > value;
      case '>=': return (x) => String(x) >= value;
      case 'contains': return (x) => String(x).includes(value);
      case 'icontains': {
        const low = value.toLowerCase();
        return (x) => String(x).toLowerCase().includes(low);
      }
      case 'startswith': return (x) => String(x).startsWith(value);
      case 'endswith': return (x) => String(x).endsWith(value);
      case 'bcontains':
      case 'bstartswith': {
        const bytes = hexBytes(value);
        if (!bytes) throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `${op} takes a hexadecimal byte string, not "${value}"` }, pos, where);
        return op === 'bcontains' ? (x) => Buffer.from(String(x)).includes(bytes) : (x) => Buffer.from(String(x)).subarray(0, bytes.length).equals(bytes);
      }
      case 'glob':
      case 'iglob': {
        const re = globToRegExp(value, op === 'iglob' ? 'i' : '');
        return (x) => re.test(String(x));
      }
      case 'regex': {
        let re: RegExp;
        try {
          // RE2 semantics via JS RegExp; the whole value must match, as libsinsp does.
          re = new RegExp(`^(?:${value})$`);
        } catch (e) {
          throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `invalid regular expression: ${(e as Error).message}` }, pos, where);
        }
        return (x) => re.test(String(x));
      }
      default:
        throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `operator ${op} needs a list` }, pos, where);
    }
  }

  private scalarMatcherDynamic(op: CmpOp, numeric: boolean): (a: string | number, b: string | number) => boolean {
    const conv = numeric ? (x: string | number) => Number(x) : (x: string | number) => String(x);
    switch (op) {
      case '=': case '==': return (a, b) => conv(a) === conv(b);
      case '!=': return (a, b) => conv(a) !== conv(b);
      case '<': return (a, b) => conv(a) < conv(b);
      case '<=': return (a, b) => conv(a) <= conv(b);
      case '>': return (a, b) => conv(a) > conv(b);
      case '>=': return (a, b) => conv(a) >= conv(b);
      case 'contains': return (a, b) => String(a).includes(String(b));
      case 'icontains': return (a, b) => String(a).toLowerCase().includes(String(b).toLowerCase());
      case 'startswith': return (a, b) => String(a).startsWith(String(b));
      case 'endswith': return (a, b) => String(a).endsWith(String(b));
      default: return () => false;
    }
  }
}

/** A comparison on a list field holds when any value satisfies it; absent values never do. */
function anyOf(v: FieldValue | number, m: (x: string | number) => boolean): boolean {
  if (v === undefined) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (m(v[i]!)) return true;
    return false;
  }
  return m(v);
}
