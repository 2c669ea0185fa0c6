/** Values, errors and helpers shared by the JMESPath interpreter and its functions. */

export type JmesErrorKind = 'syntax' | 'notFound' | 'type' | 'function' | 'limit';

export class JmesPathError extends Error {
  constructor(
    readonly kind: JmesErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'JmesPathError';
  }
}

/* The AST of @jmespath-community/jmespath, as far as we read it. */
export interface Node {
  type: string;
  [k: string]: unknown;
}

export interface ExpressionRef {
  readonly __expref: true;
  readonly node: Node;
}

export function isExpressionRef(v: unknown): v is ExpressionRef {
  return typeof v === 'object' && v !== null && (v as { __expref?: unknown }).__expref === true;
}

export interface EvalState {
  steps: number;
  readonly budget: number;
  readonly root: unknown;
  /** Evaluates an expression reference on a value (used by sort_by, map, …). */
  callRef(ref: ExpressionRef, value: unknown): unknown;
}

export function isTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

export function jmesType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isExpressionRef(v)) return 'expref';
  if (typeof v === 'object') return 'object';
  return typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string';
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (typeof a === 'object') {
    if (Array.isArray(b)) return false;
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}
