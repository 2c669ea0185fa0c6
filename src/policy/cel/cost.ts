/**
 * Runtime cost accounting for CEL evaluation.
 *
 * Kubernetes gives every expression a runtime cost budget (1,000,000 units per call for
 * ValidatingAdmissionPolicy) and aborts the evaluation once it is spent. We do the same:
 * every evaluated AST node costs 1 unit, every comprehension iteration evaluates at least
 * one node, and work proportional to data size (string and list arguments, results of
 * concatenation, deep equality) costs 1 unit per 10 characters or elements, and regex
 * matching 1 unit per 4 NFA thread steps (regex.ts).
 * One unit is roughly 50–300 ns here, so the default budget stops a runaway expression in
 * well under a second.
 *
 * Evaluation is synchronous, so the meter of the evaluation in progress is kept in a
 * module-level slot; library functions charge it through `charge()`.
 */

export const DEFAULT_COST_BUDGET = 1_000_000;

/** Units charged per element or character of data a step touches. */
export const SIZE_UNIT = 10;

/**
 * Thrown when the budget is spent. One instance per meter is rethrown on every later
 * charge, so comprehensions that swallow step errors (`all`, `exists`) finish cheaply.
 */
export class CostExceeded extends Error {
  constructor(readonly budget: number) {
    super(`cost budget of ${budget} exceeded`);
    this.name = 'CostExceeded';
  }
}

export class CostMeter {
  spent = 0;
  exceeded = false;
  #error: CostExceeded | undefined;

  constructor(readonly budget: number = DEFAULT_COST_BUDGET) {}

  charge(units: number): void {
    this.spent += units;
    if (this.spent > this.budget) {
      this.exceeded = true;
      throw (this.#error ??= new CostExceeded(this.budget));
    }
  }
}

let active: CostMeter | undefined;

/** Runs `fn` with `meter` as the meter that `charge()` bills. */
export function withMeter<T>(meter: CostMeter, fn: () => T): T {
  const previous = active;
  active = meter;
  try {
    return fn();
  } finally {
    active = previous;
  }
}

/** Bills the evaluation in progress (no-op outside an evaluation). */
export function charge(units: number): void {
  if (active !== undefined && units > 0) active.charge(units);
}

/** Bills work proportional to `size` characters or elements. */
export function chargeSize(size: number): void {
  if (active !== undefined && size >= SIZE_UNIT) active.charge(Math.floor(size / SIZE_UNIT));
}

/** The shallow size of a value: characters of a string, elements of a list or map. */
export function shallowSize(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.length;
  if (v instanceof Uint8Array) return v.length;
  if (v instanceof Map || v instanceof Set) return v.size;
  if (v !== null && typeof v === 'object' && (Object.getPrototypeOf(v) === null || Object.getPrototypeOf(v) === Object.prototype)) {
    return Object.keys(v).length;
  }
  return 0;
}

const deepSizes = new WeakMap<object, number>();

/** The total size of a value and everything inside it (memoised per object). */
export function deepSize(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (v === null || typeof v !== 'object') return 1;
  const cached = deepSizes.get(v);
  if (cached !== undefined) return cached;
  let total = 1;
  if (Array.isArray(v) || v instanceof Set) for (const e of v) total += deepSize(e);
  else if (v instanceof Map) for (const [k, e] of v) total += deepSize(k) + deepSize(e);
  else if (v instanceof Uint8Array) total += v.length;
  else if (Object.getPrototypeOf(v) === null || Object.getPrototypeOf(v) === Object.prototype) {
    for (const k of Object.keys(v)) total += k.length + deepSize((v as Record<string, unknown>)[k]);
  }
  deepSizes.set(v, total);
  return total;
}
