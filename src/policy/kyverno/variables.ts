/**
 * Kyverno variables: `{{ <JMESPath> }}` anywhere in a rule (string values and map keys),
 * `\{{ … }}` for a literal, `{{@}}` for the resource value at the current pattern path, and
 * `$(<path>)` references to other values of the same pattern. A string that is exactly one
 * variable takes the variable's value with its type; otherwise the value is spliced in as
 * text (JSON for non-strings). Substitution repeats while the result still holds
 * variables, so a variable may produce another one (bounded).
 *
 * The JSON context the expressions run against is a plain object:
 *   request.{object, oldObject, operation, userInfo, roles, clusterRoles, namespace, name, kind}
 *   serviceAccountName, serviceAccountNamespace, images, element, elementIndex, …
 * plus context entries and values supplied by tests.
 */
import type { JsonPath } from '../../core/path.js';
import { anchorFreeKey } from './anchors.js';
import { JmesPathError, jmesSearch } from './jmespath.js';
import { operatorOf } from './value-pattern.js';

export type JsonContext = Record<string, unknown>;

const VARIABLE = /(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})/g;
const ESCAPED_VARIABLE = /\\\{\{(?:\{[^{}]*\}|[^{}])*\}\}/g;
const REFERENCE = /(^|[^\\])(\$\([^ ]+?\))/g;
const ESCAPED_REFERENCE = /\\\$\([^ ]*?\)/g;
/** Rounds of nested substitution (a variable whose value holds another variable). */
const MAX_ROUNDS = 20;
/** Longest string substitution will build, so that a variable cannot blow up memory. */
const MAX_SUBSTITUTED_LENGTH = 1_000_000;

export class SubstitutionError extends Error {
  constructor(
    message: string,
    /** The variable could not be resolved because a key is missing. */
    readonly notFound: boolean,
  ) {
    super(message);
    this.name = 'SubstitutionError';
  }
}

export function hasVariables(value: unknown): boolean {
  if (typeof value === 'string') {
    VARIABLE.lastIndex = 0;
    return VARIABLE.test(value);
  }
  if (Array.isArray(value)) return value.some(hasVariables);
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => hasVariables(k) || hasVariables(v));
  return false;
}

export interface SubstituteOptions {
  /** Path of `doc` inside the resource, for `{{@}}` (patterns). */
  resourcePath?: JsonPath;
  /** `request.object` is read from `request.oldObject` (DELETE requests). */
  deleteRequest?: boolean;
}

/** Queries the context with a JMESPath expression (no braces); throws SubstitutionError. */
export function queryContext(ctx: JsonContext, expression: string, where = ''): unknown {
  const expr = expression.trim();
  if (expr === '') throw new SubstitutionError(`invalid variable ${where ? `at path ${where}` : ''}: empty expression`, false);
  try {
    return jmesSearch(expr, ctx);
  } catch (e) {
    if (e instanceof JmesPathError) {
      throw new SubstitutionError(`failed to resolve ${expr} at path ${where}: JMESPath query failed: ${e.message}`, e.kind === 'notFound');
    }
    throw e;
  }
}

/** Substitutes references and variables everywhere in `doc` (a copy is returned). */
export function substituteAll(doc: unknown, ctx: JsonContext, opts: SubstituteOptions = {}): unknown {
  const withRefs = substituteReferences(doc, doc, []);
  return walk(withRefs, [], (s, path) => substituteString(s, ctx, opts, path));
}

type Leaf = (s: string, path: JsonPath) => unknown;

function walk(v: unknown, path: JsonPath, leaf: Leaf): unknown {
  if (typeof v === 'string') return leaf(v, path);
  if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i], leaf));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const key = leaf(k, [...path, k]);
      out[typeof key === 'string' ? key : JSON.stringify(key)] = walk(x, [...path, k], leaf);
    }
    return out;
  }
  return v;
}

function pathText(path: JsonPath): string {
  return '/' + path.join('/');
}

function jmesPathOf(base: string, path: JsonPath): string {
  let out = base;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = anchorFreeKey(seg);
      out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `."${key.replace(/["\\]/g, '\\$&')}"`;
    }
  }
  return out;
}

export function substituteString(value: string, ctx: JsonContext, opts: SubstituteOptions, path: JsonPath = []): unknown {
  let current = value;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    VARIABLE.lastIndex = 0;
    const found = [...current.matchAll(VARIABLE)];
    if (found.length === 0) break;
    for (const m of found) {
      const variableText = m[2]!;
      let expr = variableText.slice(2, -2).trim();
      if (expr === '@') expr = jmesPathOf('request.object', [...(opts.resourcePath ?? []), ...path]);
      if (opts.deleteRequest) expr = expr.replaceAll('request.object', 'request.oldObject');
      const resolved = queryContext(ctx, expr, pathText(path));
      if (current === variableText) return resolved;
      const text = typeof resolved === 'string' ? resolved : JSON.stringify(resolved ?? null);
      const idx = current.indexOf(variableText);
      current = current.slice(0, idx) + text + current.slice(idx + variableText.length);
      if (current.length > MAX_SUBSTITUTED_LENGTH) throw new SubstitutionError(`substituted value at path ${pathText(path)} grew over ${MAX_SUBSTITUTED_LENGTH} characters`, false);
    }
  }
  return current.replace(ESCAPED_VARIABLE, (m) => m.slice(1));
}

/** `$(path)` references inside a pattern resolve to the pattern's own value at that path. */
function substituteReferences(v: unknown, root: unknown, path: JsonPath): unknown {
  if (typeof v === 'string') return resolveReferences(v, root, path);
  if (Array.isArray(v)) return v.map((x, i) => substituteReferences(x, root, [...path, i]));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = substituteReferences(x, root, [...path, k]);
    return out;
  }
  return v;
}

function resolveReferences(value: string, root: unknown, path: JsonPath): unknown {
  REFERENCE.lastIndex = 0;
  if (!REFERENCE.test(value)) return value.replace(ESCAPED_REFERENCE, (m) => m.slice(1));
  REFERENCE.lastIndex = 0;
  let out = value;
  for (const m of [...value.matchAll(REFERENCE)]) {
    const ref = m[2]!;
    let inner = ref.slice(2, -1);
    const op = operatorOf(inner);
    inner = inner.slice(op.length);
    if (inner === '') throw new SubstitutionError('expected path, found empty reference', false);
    const target = resolveRelative(inner, path.slice(0, -1));
    const found = valueAtAnchorFreePath(root, target);
    if (found === undefined || found === null) throw new SubstitutionError(`got nil resolved variable ${ref} at path ${pathText(path)}`, true);
    if (op === '' && out === ref) return found;
    if (typeof found !== 'string' && typeof found !== 'number') {
      throw new SubstitutionError(`NotResolvedReferenceErr,reference ${ref} not resolved at path ${pathText(path)}`, false);
    }
    out = out.replace(ref, op + String(found));
  }
  return out.replace(ESCAPED_REFERENCE, (m) => m.slice(1));
}

function resolveRelative(ref: string, base: JsonPath): string[] {
  const parts = ref.startsWith('/') ? [] : base.map((s) => anchorFreeKey(String(s)));
  for (const seg of ref.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts;
}

function valueAtAnchorFreePath(root: unknown, path: string[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (cur && typeof cur === 'object') {
      const key = Object.keys(cur).find((k) => anchorFreeKey(k) === seg);
      cur = key === undefined ? undefined : (cur as Record<string, unknown>)[key];
    } else return undefined;
  }
  return cur;
}

/** Sets `value` at a dotted name ("request.operation", "cm.data") in the context. */
export function setContextValue(ctx: JsonContext, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let cur: Record<string, unknown> = ctx;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (!next || typeof next !== 'object' || Array.isArray(next)) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

/** A copy deep enough that setting values in the copy does not change the original's maps. */
export function forkContext(ctx: JsonContext): JsonContext {
  const out: JsonContext = {};
  for (const [k, v] of Object.entries(ctx)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? forkContext(v as JsonContext) : v;
  }
  return out;
}

/**
 * When a variable is exactly `{{ request.object.<simple path> }}`, the JSON path it reads;
 * used to point a failed deny condition at the field it is about.
 */
export function pathOfVariable(text: unknown): JsonPath | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^\{\{\s*request\.object((?:\.[A-Za-z_][\w-]*|\."[^"]+"|\[\d+\])*)\s*\}\}$/.exec(text.trim());
  if (!m) return undefined;
  const path: (string | number)[] = [];
  for (const seg of m[1]!.matchAll(/\.([A-Za-z_][\w-]*)|\."([^"]+)"|\[(\d+)\]/g)) {
    if (seg[3] !== undefined) path.push(Number(seg[3]));
    else path.push(seg[1] ?? seg[2]!);
  }
  return path;
}
