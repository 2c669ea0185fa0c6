/**
 * CEL for Kyverno's `validate.cel` rules and `celPreconditions`, behind a small interface.
 *
 * Palisade's full CEL environment (Kubernetes libraries, cost budget, RE2 regexes) lives in
 * src/policy/cel, written alongside this module; until its public entry point exists this
 * folder evaluates with plain @marcbachmann/cel-js, which covers the CEL language itself
 * (macros, has(), size(), string functions) but not the Kubernetes libraries (quantity(),
 * url(), isSorted(), …). `setCelBackend()` swaps in the full environment without touching
 * the Kyverno engine.
 */
import { parse } from '@marcbachmann/cel-js';

export interface CelProgram {
  /** Evaluates with the given variables; throws on evaluation errors. */
  evaluate(activation: Record<string, unknown>): unknown;
}

export interface CelBackend {
  /** Compiles (parses and checks) an expression; throws with a readable message on errors. */
  compile(expression: string): CelProgram;
  /** A short name for messages ("cel-js", "palisade-cel"). */
  readonly name: string;
}

/** JSON integers are CEL ints (BigInt in cel-js); other values pass through. */
export function toCelValue(v: unknown, depth = 0): unknown {
  if (depth > 200) throw new Error('value nested too deeply for CEL');
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map((x) => toCelValue(x, depth + 1));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toCelValue(x, depth + 1);
    return out;
  }
  return v;
}

/** CEL results back to JSON values (BigInt → number). */
export function fromCelValue(v: unknown, depth = 0): unknown {
  if (depth > 200) return null;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map((x) => fromCelValue(x, depth + 1));
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), fromCelValue(x, depth + 1)]));
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromCelValue(x, depth + 1)]));
  }
  return v;
}

const MAX_CEL_EXPRESSION = 20_000;

const celJsBackend: CelBackend = {
  name: 'cel-js',
  compile(expression: string): CelProgram {
    if (expression.length > MAX_CEL_EXPRESSION) throw new Error(`CEL expression longer than ${MAX_CEL_EXPRESSION} characters`);
    const program = parse(expression);
    return {
      evaluate(activation) {
        const converted: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(activation)) converted[k] = toCelValue(v);
        return program(converted);
      },
    };
  },
};

let backend: CelBackend = celJsBackend;

export function setCelBackend(b: CelBackend | undefined): void {
  backend = b ?? celJsBackend;
}

export function celBackend(): CelBackend {
  return backend;
}

const programs = new Map<string, CelProgram>();

/** Compiles with the current backend (cached per backend and expression). */
export function compileCel(expression: string): CelProgram {
  const key = `${backend.name}\u0000${expression}`;
  let p = programs.get(key);
  if (!p) {
    p = backend.compile(expression);
    if (programs.size > 2000) programs.clear();
    programs.set(key, p);
  }
  return p;
}
