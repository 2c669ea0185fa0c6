/**
 * CEL for policies: compile once (cached by source text), evaluate many times under a
 * cost budget, get structured errors with positions.
 *
 *   const c = compile('object.spec.replicas <= 5');
 *   if (!c.ok) report(c.error);                       // PALISADE_CEL_SYNTAX / _TYPE / _TOO_LONG
 *   const r = evaluate(c.program, { object });        // budget defaults to 1,000,000 units
 *   if (!r.ok) report(r.error);                       // PALISADE_CEL_RUNTIME / _COST_EXCEEDED
 *
 * Values: activations are converted with `toCelValue` — integral JS numbers become CEL
 * ints (bigint), other numbers doubles; see values.ts for the rule. Results are CEL
 * values (bigint ints, Optional, …); `fromCelValue` turns them into plain JSON.
 */
import { CostMeter, DEFAULT_COST_BUDGET, withMeter } from './cost.js';
import { instrument, POLICY_VARIABLES, policyEnvironment, RegexCompileError, rewriteCalls, type AstNode } from './environment.js';
import { celError, toCelError, type CelError } from './errors.js';
import { toCelValue } from './values.js';

export { DEFAULT_COST_BUDGET } from './cost.js';
export { POLICY_VARIABLES } from './environment.js';
export { CEL_ERRORS, positionInYaml, positionOf, type CelError, type CelErrorCode, type CelPosition, type YamlScalarLocation, type YamlScalarStyle } from './errors.js';
export { fromCelValue, toCelValue } from './values.js';

export const DEFAULT_MAX_EXPRESSION_LENGTH = 5_000;

export interface CompileOptions {
  /** Top-level variables beyond object, oldObject, request, params, namespaceObject, variables. */
  extraVariables?: readonly string[];
  /** Longest accepted expression in characters (default 5,000). */
  maxLength?: number;
  /** Deepest accepted nesting (default 100). */
  maxDepth?: number;
}

export interface CelProgram {
  readonly expression: string;
  /** The statically inferred result type (`bool`, `string`, `dyn`, …). */
  readonly outputType: string;
  /** @internal */
  readonly run: (activation: Record<string, unknown>) => unknown;
  /** @internal */
  readonly variables: readonly string[];
}

export type CompileResult = { ok: true; program: CelProgram } | { ok: false; error: CelError };
export type EvalResult = { ok: true; value: unknown; cost: number } | { ok: false; error: CelError; cost: number };

const CACHE_LIMIT = 2_000;
const cache = new Map<string, CompileResult>();

/** Compiles (parses and type-checks) an expression; results are cached by source text and options. */
export function compile(expression: string, options: CompileOptions = {}): CompileResult {
  const maxLength = options.maxLength ?? DEFAULT_MAX_EXPRESSION_LENGTH;
  const key = `${maxLength}|${options.maxDepth ?? ''}|${(options.extraVariables ?? []).join(',')}\0${expression}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const result = compileUncached(expression, maxLength, options);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, result);
  return result;
}

function compileUncached(expression: string, maxLength: number, options: CompileOptions): CompileResult {
  if (typeof expression !== 'string') {
    return { ok: false, error: celError('PALISADE_CEL_SYNTAX', 'expression must be a string', String(expression)) };
  }
  if (expression.length > maxLength) {
    return {
      ok: false,
      error: celError('PALISADE_CEL_TOO_LONG', `${expression.length} characters, over the limit of ${maxLength}`, expression, maxLength),
    };
  }
  const envOptions = { ...(options.extraVariables ? { extraVariables: options.extraVariables } : {}), ...(options.maxDepth ? { maxDepth: options.maxDepth } : {}) };
  const env = policyEnvironment(envOptions);
  let parsed: ReturnType<typeof env.parse>;
  try {
    parsed = env.parse(expression);
    rewriteCalls(parsed.ast as unknown as AstNode);
  } catch (e) {
    if (e instanceof RegexCompileError) return { ok: false, error: celError('PALISADE_CEL_SYNTAX', e.message, expression, e.offset) };
    return { ok: false, error: toCelError(e, expression, 'compile') };
  }
  const checked = parsed.check();
  if (!checked.valid) return { ok: false, error: toCelError(checked.error, expression, 'compile') };
  instrument(parsed.ast as unknown as AstNode);
  const variables = [...POLICY_VARIABLES, ...(options.extraVariables ?? [])];
  return {
    ok: true,
    program: { expression, outputType: checked.type ?? 'dyn', run: (activation) => parsed(activation), variables },
  };
}

/**
 * Evaluates a compiled program. Missing variables are null (as `oldObject` on CREATE).
 * The budget is in cost units (see cost.ts); an evaluation that spends more is stopped
 * with PALISADE_CEL_COST_EXCEEDED.
 */
export function evaluate(program: CelProgram, activation: Record<string, unknown> = {}, budget: number = DEFAULT_COST_BUDGET): EvalResult {
  const meter = new CostMeter(budget);
  const vars: Record<string, unknown> = Object.create(null);
  try {
    for (const name of program.variables) vars[name] = toCelValue(activation[name] ?? null);
  } catch (e) {
    return { ok: false, error: toCelError(e, program.expression, 'evaluate'), cost: 0 };
  }
  let value: unknown;
  try {
    value = withMeter(meter, () => program.run(vars));
  } catch (e) {
    const error = meter.exceeded ? celError('PALISADE_CEL_COST_EXCEEDED', String(budget), program.expression) : toCelError(e, program.expression, 'evaluate');
    return { ok: false, error, cost: meter.spent };
  }
  if (meter.exceeded) {
    // A comprehension may have swallowed the abort and still produced a value.
    return { ok: false, error: celError('PALISADE_CEL_COST_EXCEEDED', String(budget), program.expression), cost: meter.spent };
  }
  if (value instanceof Promise) {
    return { ok: false, error: celError('PALISADE_CEL_RUNTIME', 'expression produced an asynchronous value', program.expression), cost: meter.spent };
  }
  return { ok: true, value, cost: meter.spent };
}

/** Compiles and evaluates in one call (compilation is cached). */
export function evaluateExpression(
  expression: string,
  activation: Record<string, unknown> = {},
  options: CompileOptions & { budget?: number } = {},
): EvalResult {
  const c = compile(expression, options);
  if (!c.ok) return { ok: false, error: c.error, cost: 0 };
  return evaluate(c.program, activation, options.budget);
}
