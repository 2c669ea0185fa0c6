/**
 * The CEL environment for policies: the variables a ValidatingAdmissionPolicy (and a
 * Kyverno CEL rule, and a Palisade policy file) sees, all dynamically typed, and the
 * Kubernetes CEL libraries on top of @marcbachmann/cel-js.
 *
 * Two things are done to each parsed expression before it is type-checked:
 *  1. Calls of cel-js built-ins whose semantics differ from cel-go/Kubernetes (UTF-16
 *     string indexes, non-ASCII case mapping, backtracking `matches`) are redirected to
 *     our overloads by renaming the call (see strings.ts RENAMED). Literal regex patterns
 *     are compiled at this point, so a bad pattern is a compile error, as in Kubernetes.
 *  2. After type-checking, every AST node gets a metering `evaluate` that bills the cost
 *     meter (cost.ts) before delegating to cel-js: one unit per node, plus data-size
 *     units for concatenation, equality, membership and function arguments/results.
 * Both rely on cel-js's AST node shape (`op`, `args`, `meta`), pinned by our tests.
 */
import { Environment } from '@marcbachmann/cel-js';
import { charge, chargeSize, deepSize, shallowSize } from './cost.js';
import { INTERNAL_PREFIX } from './errors.js';
import { registerKubernetesLibraries } from './libraries.js';
import { compileRegex } from './regex.js';
import { registerStrings, RENAMED } from './strings.js';

/** Variables of a ValidatingAdmissionPolicy expression (`authorizer` is not offered). */
export const POLICY_VARIABLES = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables'] as const;

export interface EnvironmentOptions {
  /** Further top-level variables (dynamically typed), e.g. Kyverno's or our own. */
  extraVariables?: readonly string[];
  /** Maximum nesting depth of the expression (default 100; Kubernetes' parser allows 250). */
  maxDepth?: number;
}

const environments = new Map<string, Environment>();
let base: Environment | undefined;

function baseEnvironment(): Environment {
  if (base !== undefined) return base;
  const env = new Environment({
    // cel-go (and so Kubernetes) types `[1, 'a']` as list(dyn) rather than rejecting it.
    homogeneousAggregateLiterals: false,
    enableOptionalTypes: true,
  });
  registerStrings(env);
  registerKubernetesLibraries(env);
  base = env;
  return env;
}

/** A (cached) environment with the policy variables plus `extraVariables`. */
export function policyEnvironment(options: EnvironmentOptions = {}): Environment {
  const extra = [...new Set(options.extraVariables ?? [])].filter((v) => !(POLICY_VARIABLES as readonly string[]).includes(v)).sort();
  const maxDepth = options.maxDepth ?? 100;
  const key = `${maxDepth}|${extra.join(',')}`;
  const hit = environments.get(key);
  if (hit !== undefined) return hit;
  const env = baseEnvironment().clone({ limits: { maxDepth, maxAstNodes: 10_000 } });
  for (const v of [...POLICY_VARIABLES, ...extra]) env.registerVariable(v, 'dyn');
  environments.set(key, env);
  return env;
}

// --- AST instrumentation ------------------------------------------------------------------

interface Meta {
  alternate?: AstNode;
  macro?: { evaluate(ev: unknown, macro: unknown, ctx: unknown): unknown };
  evaluate(ev: unknown, ast: AstNode, ctx: unknown): unknown;
}

export interface AstNode {
  op: string;
  args: unknown;
  pos: number;
  start: number;
  end: number;
  readonly meta: Meta;
  evaluate: (ev: unknown, ast: AstNode, ctx: unknown) => unknown;
  // Set by cel-js's checker:
  receiverWithArgs?: AstNode[];
  handle?: (...a: unknown[]) => unknown;
}

function isNode(v: unknown): v is AstNode {
  return v !== null && typeof v === 'object' && typeof (v as AstNode).op === 'string' && 'meta' in v && 'args' in v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

/** Visits every AST node reachable from `root`, including macro expansions. */
function walk(root: AstNode, visit: (n: AstNode) => void): void {
  const seen = new Set<unknown>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (isNode(v)) {
      visit(v);
      stack.push(v.args, v.meta.alternate, v.meta.macro);
    } else if (Array.isArray(v)) {
      stack.push(...v);
    } else if (isPlainObject(v)) {
      stack.push(...Object.values(v));
    }
  }
}

export class RegexCompileError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'RegexCompileError';
  }
}

const REGEX_FUNCTIONS = new Set(['matches', 'find', 'findAll']);

/** Step 1: redirect built-ins to our overloads and pre-compile literal regexes. */
export function rewriteCalls(root: AstNode): void {
  walk(root, (n) => {
    if (n.op !== 'rcall' && n.op !== 'call') return;
    const args = n.args as unknown[];
    const name = args[0] as string;
    const callArgs = (n.op === 'rcall' ? args[2] : args[1]) as AstNode[];
    if (REGEX_FUNCTIONS.has(name)) {
      const pattern = n.op === 'rcall' ? callArgs[0] : callArgs[1];
      if (pattern !== undefined && pattern.op === 'value' && typeof pattern.args === 'string') {
        try {
          compileRegex(pattern.args);
        } catch (e) {
          throw new RegexCompileError((e as Error).message, pattern.start);
        }
      }
    }
    if (RENAMED.has(name) && (n.op === 'rcall' || name === 'matches')) args[0] = INTERNAL_PREFIX + name;
  });
}

const SIZE_CHARGED_BINARY = new Set(['+', 'in']);
const DEEP_CHARGED_BINARY = new Set(['==', '!=']);

function sizeUnits(values: readonly unknown[]): number {
  let n = 0;
  for (const v of values) n += shallowSize(v);
  return n;
}

/** Step 2: make every node bill the active cost meter. */
export function instrument(root: AstNode): void {
  walk(root, (node) => {
    node.evaluate = function metered(ev, ast, ctx) {
      charge(1);
      const meta = ast.meta;
      if (meta.alternate !== undefined) return meta.alternate.evaluate(ev, meta.alternate, ctx);
      if (meta.macro !== undefined) return meta.macro.evaluate(ev, meta.macro, ctx);
      const handle = ast.handle;
      if (handle !== undefined) {
        const run = (a: AstNode) => a.evaluate(ev, a, ctx);
        if (SIZE_CHARGED_BINARY.has(ast.op) || DEEP_CHARGED_BINARY.has(ast.op)) {
          const [l, r] = ast.args as [AstNode, AstNode];
          const lv = run(l);
          const rv = run(r);
          if (DEEP_CHARGED_BINARY.has(ast.op)) chargeSize(Math.min(deepSize(lv), deepSize(rv)));
          else chargeSize(shallowSize(lv) + shallowSize(rv));
          return handle(lv, rv, ast, ev);
        }
        if (ast.op === 'rcall' && ast.receiverWithArgs !== undefined) {
          const values = ast.receiverWithArgs.map(run);
          chargeSize(sizeUnits(values));
          const result = handle(values, ev, ast);
          chargeSize(shallowSize(result));
          return result;
        }
        if (ast.op === 'call') {
          const values = ((ast.args as unknown[])[1] as AstNode[]).map(run);
          chargeSize(sizeUnits(values));
          const result = handle(values, ast, ev);
          chargeSize(shallowSize(result));
          return result;
        }
      }
      return meta.evaluate(ev, ast, ctx);
    };
  });
}
