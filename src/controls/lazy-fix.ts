/**
 * Fixes given to ctx.report() as functions, which the engine calls only when it shows fixes
 * (the admission webhook never does). They are made by these functions rather than written
 * inline in a handler: a closure written in a handler makes V8 keep the variables it
 * captures in a context allocated on every call or loop turn of the handler, finding or not.
 */
import type { JsonPatchOp } from '../core/finding.js';
import { toPointer, type JsonPath } from '../core/path.js';

/** A fix setting the value at `path` with one operation. */
export function setValueFix(op: 'add' | 'replace', path: JsonPath, value: unknown): () => JsonPatchOp[] {
  return () => [{ op, path: toPointer(path), value }];
}

/** A fix made by `build(arg)` when it is asked for. */
export function fixOf<T>(build: (arg: T) => JsonPatchOp[] | undefined, arg: T): () => JsonPatchOp[] | undefined {
  return () => build(arg);
}
