/**
 * CEL for Kyverno's `validate.cel` rules and `celPreconditions`, behind a small interface.
 *
 * The default backend is Palisade's CEL environment (src/policy/cel): the Kubernetes CEL
 * libraries, RE2 regular expressions and the per-evaluation cost budget, the same
 * environment ValidatingAdmissionPolicy evaluation uses. `setCelBackend()` swaps it (tests,
 * embedders) without touching the Kyverno engine.
 */
import { compile, evaluate, fromCelValue } from '../cel/index.js';

export interface CelProgram {
  /** Evaluates with the given variables (plain JSON values); throws on evaluation errors. */
  evaluate(activation: Record<string, unknown>): unknown;
}

export interface CelBackend {
  /** Compiles (parses and checks) an expression; throws with a readable message on errors. */
  compile(expression: string): CelProgram;
  /** A short name for messages and caches. */
  readonly name: string;
}

const palisadeCel: CelBackend = {
  name: 'palisade-cel',
  compile(expression: string): CelProgram {
    const c = compile(expression);
    if (!c.ok) throw new Error(c.error.message);
    const program = c.program;
    return {
      evaluate(activation) {
        const r = evaluate(program, activation);
        if (!r.ok) throw new Error(r.error.message);
        return fromCelValue(r.value);
      },
    };
  },
};

let backend: CelBackend = palisadeCel;

export function setCelBackend(b: CelBackend | undefined): void {
  backend = b ?? palisadeCel;
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

export { fromCelValue };
