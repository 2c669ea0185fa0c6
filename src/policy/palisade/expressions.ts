/**
 * CEL expressions as policies use them: compiled once with the type their field demands,
 * and evaluated with ValidatingAdmissionPolicy's composited `variables`.
 *
 * Kubernetes evaluates a variable lazily, the first time an expression refers to it, and
 * remembers its value or error for the rest of that evaluation (one policy × binding × param);
 * its cost counts once. cel-js has no lazy activation, so each expression's references to
 * `variables.<name>` are found when it is compiled, and exactly those variables (and the ones
 * they refer to) are evaluated, in definition order, before the expression runs. A variable
 * whose evaluation failed is left out of `variables`; when the expression then touches it,
 * the variable's own error is reported, as Kubernetes does. An expression that never reaches
 * the failed variable (`false && variables.broken`) succeeds, as in Kubernetes.
 */
import { compile, evaluate, positionOf, toCelValue, DEFAULT_COST_BUDGET, type CelError, type CelProgram } from '../cel/index.js';

/** What a field's expression must produce. */
export type ResultType = 'bool' | 'string' | 'string-or-null' | 'any';

const ACCEPTED: Record<ResultType, readonly string[] | undefined> = {
  bool: ['bool', 'dyn'],
  string: ['string', 'dyn'],
  'string-or-null': ['string', 'null', 'dyn'],
  any: undefined,
};

const EXPECTED_TEXT: Record<ResultType, string> = { bool: 'bool', string: 'string', 'string-or-null': 'string or null', any: 'any value' };

export interface CompiledExpression {
  readonly source: string;
  readonly program?: CelProgram;
  /** Set when the expression does not compile (or produces the wrong type). */
  readonly error?: CelError;
  /** Names of `variables.<name>` it refers to; 'all' when it uses `variables` as a whole. */
  readonly variableRefs: ReadonlySet<string> | 'all';
}

export interface CompileContext {
  /** Variables defined before this expression (in order); others are undefined references. */
  knownVariables?: readonly string[];
  /** Top-level variables besides object, oldObject, request, params, namespaceObject, variables. */
  extraVariables?: readonly string[];
}

function celError(code: CelError['code'], message: string, expression: string, offset: number): CelError {
  return { code, message, expression, position: positionOf(expression, offset) };
}

/** Compiles `source` and checks that it can produce `expect`. */
export function compileExpression(source: string, expect: ResultType, ctx: CompileContext = {}): CompiledExpression {
  if (typeof source !== 'string' || source.trim() === '') {
    return { source: String(source ?? ''), error: celError('PALISADE_CEL_SYNTAX', 'CEL syntax error: the expression is empty', String(source ?? ''), 0), variableRefs: new Set() };
  }
  const refs = variableReferences(source);
  const c = compile(source, ctx.extraVariables ? { extraVariables: ctx.extraVariables } : {});
  if (!c.ok) return { source, error: c.error, variableRefs: refs.names };
  const accepted = ACCEPTED[expect];
  if (accepted && !accepted.includes(c.program.outputType)) {
    return {
      source,
      error: celError('PALISADE_CEL_TYPE', `CEL type error: the expression must evaluate to ${EXPECTED_TEXT[expect]}, not ${c.program.outputType}`, source, 0),
      variableRefs: refs.names,
    };
  }
  if (ctx.knownVariables && refs.names !== 'all') {
    for (const [name, offset] of refs.offsets) {
      if (!ctx.knownVariables.includes(name)) {
        return {
          source,
          error: celError('PALISADE_CEL_TYPE', `CEL type error: undefined variable '${name}' (a variable can only use variables defined before it)`, source, offset),
          variableRefs: refs.names,
        };
      }
    }
  }
  return { source, program: c.program, variableRefs: refs.names };
}

/**
 * The `variables.<name>` references of an expression, with the offset of each name. String
 * literals are blanked first so that text inside them is not taken for a reference.
 */
export function variableReferences(source: string): { names: ReadonlySet<string> | 'all'; offsets: Map<string, number> } {
  const code = blankStrings(source);
  const offsets = new Map<string, number>();
  let whole = false;
  const re = /\bvariables\b(\s*(?:\.\s*\??\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*(["'])([^"']*)\3\s*\]))?/g;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    // A field named "variables" (object.variables) is not the variable.
    const before = code.slice(0, m.index).trimEnd();
    if (before.endsWith('.')) continue;
    if (m[2] !== undefined) {
      if (!offsets.has(m[2])) offsets.set(m[2], m.index + m[0].length - m[2].length);
    } else if (m[4] !== undefined) {
      // The name sits inside a (blanked) literal: read it from the source.
      const start = m.index + m[0].indexOf(m[3]!) + 1;
      const name = source.slice(start, start + m[4].length);
      if (!offsets.has(name)) offsets.set(name, start);
    } else whole = true;
  }
  return { names: whole ? 'all' : new Set(offsets.keys()), offsets };
}

/** Replaces the contents of string literals with spaces (offsets are kept). */
function blankStrings(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      const triple = s.startsWith(c.repeat(3), i);
      const close = triple ? c.repeat(3) : c;
      const raw = i > 0 && /[rR]/.test(s[i - 1]!) && (i < 2 || !/[\w]/.test(s[i - 2]!));
      let j = i + close.length;
      while (j < s.length && !s.startsWith(close, j)) {
        if (!raw && s[j] === '\\') j++;
        else if (!triple && s[j] === '\n') break;
        j++;
      }
      const end = Math.min(s.length, j + close.length);
      // Keep the quotes so `variables['x']` can still be recognised, blank the rest.
      out += close + s.slice(i + close.length, Math.min(j, s.length)).replace(/[^\n]/g, ' ') + s.slice(Math.min(j, s.length), end);
      i = end;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** Conversions of scanned objects, shared by every policy that judges them (they are not mutated). */
const converted = new WeakMap<object, unknown>();

function celValueOf(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return toCelValue(v);
  let c = converted.get(v);
  if (c === undefined) {
    c = toCelValue(v);
    converted.set(v, c);
  }
  return c;
}

export interface VariableDefinition {
  name: string;
  expression: CompiledExpression;
}

export type Outcome = { ok: true; value: unknown; cost: number } | { ok: false; error: CelError; cost: number };

/**
 * One evaluation context: the activation (object, request, params, …) and the variables of
 * one policy × binding × param. Variables are evaluated at most once each.
 */
export class EvaluationScope {
  private readonly results = new Map<string, Outcome>();
  private readonly byName: Map<string, VariableDefinition>;

  constructor(
    private readonly definitions: readonly VariableDefinition[],
    activation: Readonly<Record<string, unknown>>,
    /** Budget of one expression (and of one variable). */
    private readonly perCallBudget: number = DEFAULT_COST_BUDGET,
  ) {
    this.byName = new Map(definitions.map((d) => [d.name, d]));
    // Converted once: evaluate() passes already-converted values through untouched.
    const converted: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(activation)) {
      try {
        converted[k] = celValueOf(v);
      } catch {
        converted[k] = v; // evaluate() reports the problem
      }
    }
    this.activation = converted;
  }

  private readonly activation: Readonly<Record<string, unknown>>;

  /**
   * Evaluates `expr`; the cost includes the variables evaluated for it for the first time.
   * Compile errors come back as errors (the caller applies its failure policy).
   */
  run(expr: CompiledExpression): Outcome {
    if (expr.error || !expr.program) return { ok: false, error: expr.error ?? celError('PALISADE_CEL_SYNTAX', 'CEL syntax error: not compiled', expr.source, 0), cost: 0 };
    const names = expr.variableRefs === 'all' ? this.definitions.map((d) => d.name) : [...expr.variableRefs];
    let cost = 0;
    const values: Record<string, unknown> = {};
    const failed = new Map<string, CelError>();
    for (const name of names) {
      const had = this.results.has(name);
      const r = this.variable(name);
      if (!r) continue;
      // Billed once, to the first expression that needs it.
      if (!had) cost += this.costs.get(name) ?? 0;
      if (r.ok) values[name] = r.value;
      else failed.set(name, r.error);
    }
    const r = evaluate(expr.program, { ...this.activation, variables: values }, this.perCallBudget);
    cost += r.cost;
    if (r.ok) return { ok: true, value: r.value, cost };
    if (r.error.reason === 'no_such_key') {
      for (const [name, error] of failed) {
        if (r.error.message.includes(`: ${name}`)) return { ok: false, error: { ...error, message: `variable '${name}': ${error.message}` }, cost };
      }
    }
    return { ok: false, error: r.error, cost };
  }

  private readonly costs = new Map<string, number>();

  private readonly inProgress = new Set<string>();

  private variable(name: string): Outcome | undefined {
    const hit = this.results.get(name);
    if (hit) return hit;
    const def = this.byName.get(name);
    // A variable that uses `variables` as a whole sees only the ones before it.
    if (!def || this.inProgress.has(name)) return undefined;
    this.inProgress.add(name);
    let r: Outcome;
    try {
      r = this.run(def.expression);
    } finally {
      this.inProgress.delete(name);
    }
    this.results.set(name, r);
    this.costs.set(name, r.cost);
    return r;
  }
}
