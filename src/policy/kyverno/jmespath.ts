/**
 * JMESPath as Kyverno evaluates it. The grammar (JMESPath Community: let, arithmetic,
 * ternaries, `$` root) is parsed by @jmespath-community/jmespath; evaluation is ours because
 * Kyverno's fork differs from the specification in one way policies depend on: reading a
 * key that an object does not have is an error ("Unknown key \"x\" in path"), not null.
 * That error is why Kyverno policies write `{{ request.object.spec.foo || '' }}`: the
 * left side of `||` may be missing. Inside projections, filters, multi-selects
 * (`spec.[initContainers, containers][]`) and expression references missing keys are null,
 * as the specification says.
 *
 * Functions are the standard ones plus Kyverno's (jmespath-functions.ts), in a table of our
 * own, so nothing is registered globally.
 *
 * Bounds: expressions longer than MAX_EXPRESSION_LENGTH are refused, every evaluation
 * step is counted against a budget, and nesting depth is capped, so a hostile policy or
 * resource cannot make one evaluation run away.
 */
import { compile } from '@jmespath-community/jmespath';
import { FUNCTIONS, type JmesFunction } from './jmespath-functions.js';
import { deepEqual, isTruthy, jmesType, JmesPathError, type EvalState, type ExpressionRef, type Node } from './jmespath-values.js';

export { deepEqual, isExpressionRef, isTruthy, jmesType, JmesPathError, type ExpressionRef, type JmesErrorKind } from './jmespath-values.js';

export const MAX_EXPRESSION_LENGTH = 4096;
export const DEFAULT_STEP_BUDGET = 1_000_000;
const MAX_DEPTH = 200;

const compiled = new Map<string, Node>();

export function compileExpression(expression: string): Node {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new JmesPathError('limit', `JMESPath expression is ${expression.length} characters long, over the limit of ${MAX_EXPRESSION_LENGTH}`);
  }
  let node = compiled.get(expression);
  if (node) return node;
  try {
    node = compile(expression) as unknown as Node;
  } catch (e) {
    throw new JmesPathError('syntax', `invalid JMESPath expression "${expression}": ${(e as Error).message}`);
  }
  if (compiled.size > 5000) compiled.clear();
  compiled.set(expression, node);
  return node;
}

/** Evaluates `expression` on `data` with Kyverno's semantics. Throws JmesPathError. */
export function jmesSearch(expression: string, data: unknown, opts: { budget?: number } = {}): unknown {
  const node = compileExpression(expression);
  const interp = new Interpreter(data, opts.budget ?? DEFAULT_STEP_BUDGET);
  return interp.visit(node, data, true, {}, 0);
}

type Scope = Record<string, unknown>;

class Interpreter {
  private steps = 0;
  constructor(
    private readonly root: unknown,
    private readonly budget: number,
  ) {}

  private tick(depth: number): void {
    if (++this.steps > this.budget) throw new JmesPathError('limit', `JMESPath evaluation exceeded ${this.budget} steps`);
    if (depth > MAX_DEPTH) throw new JmesPathError('limit', `JMESPath evaluation nested deeper than ${MAX_DEPTH}`);
  }

  /** `strict`: a missing key is an error (Kyverno); false inside projections and filters. */
  visit(node: Node, value: unknown, strict: boolean, scope: Scope, depth: number): unknown {
    this.tick(depth);
    const d = depth + 1;
    switch (node.type) {
      case 'Field': {
        const name = node.name as string;
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          if (Object.prototype.hasOwnProperty.call(value, name)) return (value as Record<string, unknown>)[name] ?? null;
          if (strict) throw new JmesPathError('notFound', `Unknown key "${name}" in path`);
        }
        return null;
      }
      case 'Subexpression':
      case 'IndexExpression': {
        const left = this.visit(node.left as Node, value, strict, scope, d);
        return this.visit(node.right as Node, left, strict, scope, d);
      }
      case 'Index': {
        if (!Array.isArray(value)) return null;
        let i = node.value as number;
        if (i < 0) i += value.length;
        return value[i] ?? null;
      }
      case 'Slice':
        return this.slice(node, value);
      case 'Projection': {
        const base = this.visit(node.left as Node, value, strict, scope, d);
        if (!Array.isArray(base)) return null;
        const out: unknown[] = [];
        for (const el of base) {
          const r = this.visit(node.right as Node, el, false, scope, d);
          if (r !== null && r !== undefined) out.push(r);
        }
        return out;
      }
      case 'ValueProjection': {
        const base = this.visit(node.left as Node, value, strict, scope, d);
        if (base === null || typeof base !== 'object' || Array.isArray(base)) return null;
        const out: unknown[] = [];
        for (const el of Object.values(base as object)) {
          const r = this.visit(node.right as Node, el, false, scope, d);
          if (r !== null && r !== undefined) out.push(r);
        }
        return out;
      }
      case 'FilterProjection': {
        const base = this.visit(node.left as Node, value, strict, scope, d);
        if (!Array.isArray(base)) return null;
        const out: unknown[] = [];
        for (const el of base) {
          if (!isTruthy(this.visit(node.condition as Node, el, false, scope, d))) continue;
          const r = this.visit(node.right as Node, el, false, scope, d);
          if (r !== null && r !== undefined) out.push(r);
        }
        return out;
      }
      case 'Flatten': {
        const base = this.visit(node.child as Node, value, strict, scope, d);
        if (!Array.isArray(base)) return null;
        const out: unknown[] = [];
        for (const el of base) {
          if (Array.isArray(el)) out.push(...el);
          else out.push(el);
        }
        return out;
      }
      case 'Identity':
      case 'Current':
        return value ?? null;
      case 'Root':
        return this.root ?? null;
      case 'Literal':
        return node.value ?? null;
      case 'Comparator':
        return this.compare(node, value, strict, scope, d);
      case 'OrExpression': {
        let left: unknown;
        try {
          left = this.visit(node.left as Node, value, strict, scope, d);
        } catch (e) {
          if (!(e instanceof JmesPathError) || e.kind !== 'notFound') throw e;
          left = null;
        }
        return isTruthy(left) ? left : this.visit(node.right as Node, value, strict, scope, d);
      }
      case 'AndExpression': {
        const left = this.visit(node.left as Node, value, strict, scope, d);
        return isTruthy(left) ? this.visit(node.right as Node, value, strict, scope, d) : left;
      }
      case 'NotExpression':
        return !isTruthy(this.visit(node.child as Node, value, strict, scope, d));
      case 'Pipe': {
        const left = this.visit(node.left as Node, value, strict, scope, d);
        return this.visit(node.right as Node, left, strict, scope, d);
      }
      case 'MultiSelectList': {
        if (value === null || value === undefined) return null;
        // Missing keys inside a multi-select are null: Kyverno policies rely on
        // spec.[initContainers, containers][] working when initContainers is absent.
        return (node.children as Node[]).map((c) => this.visit(c, value, false, scope, d));
      }
      case 'MultiSelectHash': {
        if (value === null || value === undefined) return null;
        const out: Record<string, unknown> = {};
        for (const kv of node.children as Node[]) out[kv.name as string] = this.visit(kv.value as Node, value, false, scope, d);
        return out;
      }
      case 'ExpressionReference':
        return { __expref: true, node: node.child as Node } satisfies ExpressionRef;
      case 'Function':
        return this.call(node, value, strict, scope, d);
      case 'Arithmetic':
        return this.arithmetic(node, value, strict, scope, d);
      case 'Unary': {
        const v = this.visit(node.operand as Node, value, strict, scope, d);
        if (typeof v !== 'number') throw new JmesPathError('type', `invalid type for unary ${String(node.operator)}: ${jmesType(v)}`);
        return node.operator === 'Minus' ? -v : v;
      }
      case 'Ternary':
        return isTruthy(this.visit(node.condition as Node, value, strict, scope, d))
          ? this.visit(node.trueExpr as Node, value, strict, scope, d)
          : this.visit(node.falseExpr as Node, value, strict, scope, d);
      case 'LetExpression': {
        const inner: Scope = Object.create(scope) as Scope;
        for (const b of node.bindings as Node[]) inner[b.variable as string] = this.visit(b.reference as Node, value, strict, scope, d);
        return this.visit(node.expression as Node, value, strict, inner, d);
      }
      case 'Variable': {
        const name = node.name as string;
        if (!(name in scope)) throw new JmesPathError('notFound', `variable $${name} is not defined`);
        return scope[name];
      }
      default:
        throw new JmesPathError('syntax', `unsupported JMESPath construct ${node.type}`);
    }
  }

  private slice(node: Node, value: unknown): unknown {
    const isString = typeof value === 'string';
    if (!Array.isArray(value) && !isString) return null;
    const arr: unknown[] = isString ? Array.from(value as string) : (value as unknown[]);
    const len = arr.length;
    const step = (node.step as number | null) ?? 1;
    if (step === 0) throw new JmesPathError('type', 'slice step cannot be 0');
    const cap = (v: number | null, dflt: number) => {
      if (v === null) return dflt;
      if (v < 0) return Math.max(step < 0 ? -1 : 0, len + v);
      return Math.min(v, step < 0 ? len - 1 : len);
    };
    const start = cap(node.start as number | null, step < 0 ? len - 1 : 0);
    const stop = cap(node.stop as number | null, step < 0 ? -1 : len);
    const out: unknown[] = [];
    if (step > 0) for (let i = start; i < stop; i += step) out.push(arr[i]);
    else for (let i = start; i > stop; i += step) out.push(arr[i]);
    return isString ? out.join('') : out;
  }

  private compare(node: Node, value: unknown, strict: boolean, scope: Scope, d: number): unknown {
    const l = this.visit(node.left as Node, value, strict, scope, d);
    const r = this.visit(node.right as Node, value, strict, scope, d);
    switch (node.name) {
      case 'EQ':
        return deepEqual(l, r);
      case 'NE':
        return !deepEqual(l, r);
    }
    const comparable = (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string');
    if (!comparable) return null;
    const a = l as number | string;
    const b = r as number | string;
    switch (node.name) {
      case 'GT':
        return a > b;
      case 'GTE':
        return a >= b;
      case 'LT':
        return a < b;
      case 'LTE':
        return a <= b;
      default:
        return null;
    }
  }

  private arithmetic(node: Node, value: unknown, strict: boolean, scope: Scope, d: number): unknown {
    const l = this.visit(node.left as Node, value, strict, scope, d);
    const r = this.visit(node.right as Node, value, strict, scope, d);
    if (typeof l !== 'number' || typeof r !== 'number') {
      throw new JmesPathError('type', `arithmetic ${String(node.operator)} needs numbers, got ${jmesType(l)} and ${jmesType(r)}`);
    }
    switch (node.operator) {
      case 'Plus':
        return l + r;
      case 'Minus':
        return l - r;
      case 'Multiply':
      case 'Star':
        return l * r;
      case 'Divide':
        if (r === 0) throw new JmesPathError('type', 'division by zero');
        return l / r;
      case 'Div':
        if (r === 0) throw new JmesPathError('type', 'division by zero');
        return Math.floor(l / r);
      case 'Modulo':
        if (r === 0) throw new JmesPathError('type', 'division by zero');
        return l % r;
      default:
        throw new JmesPathError('syntax', `unsupported arithmetic operator ${String(node.operator)}`);
    }
  }

  private call(node: Node, value: unknown, strict: boolean, scope: Scope, d: number): unknown {
    const name = node.name as string;
    const fn: JmesFunction | undefined = FUNCTIONS[name];
    if (!fn) throw new JmesPathError('function', `unknown function: ${name}()`);
    const args = (node.children as Node[]).map((c) => this.visit(c, value, strict, scope, d));
    if (args.length < fn.min || (fn.max !== undefined && args.length > fn.max)) {
      const want = fn.max === undefined ? `at least ${fn.min}` : fn.min === fn.max ? `${fn.min}` : `${fn.min} to ${fn.max}`;
      throw new JmesPathError('function', `function ${name}() expects ${want} argument(s), got ${args.length}`);
    }
    const state: EvalState = {
      steps: this.steps,
      budget: this.budget,
      root: this.root,
      callRef: (ref, v) => this.visit(ref.node, v, false, scope, d),
    };
    try {
      return fn.fn(args, state) ?? null;
    } catch (e) {
      if (e instanceof JmesPathError) throw e;
      throw new JmesPathError('function', `JMESPath function '${name}': ${(e as Error).message}`);
    }
  }
}
