/**
 * Kyverno's `validate.pattern` matching: the pattern is an overlay of the resource; maps are
 * matched key by key, lists of maps element by element, leaves by value patterns. Anchors
 * change what a failed match means (see anchors.ts): conditional and global anchors that do
 * not hold make the rule not apply (skip); negation anchors fail on presence; equality
 * anchors only check present keys; existence anchors need one matching element.
 *
 * The walk follows Kyverno's order: anchors of a map before its plain keys, and among plain
 * keys those holding nested anchors first, so a skip decided deeper in the pattern wins over
 * a plain failure beside it.
 */
import type { JsonPath } from '../../core/path.js';
import { parseAnchor, containsAnchor, anchorFreeKey, type Anchor } from './anchors.js';
import { isPlainObject, matchValue } from './value-pattern.js';
import { hasWildcard, wildcardMatch } from './wildcard.js';

export type PatternOutcome =
  | { status: 'pass' }
  | { status: 'skip'; message: string }
  | { status: 'fail'; path: JsonPath; message: string }
  | { status: 'error'; message: string };

type ErrKind = 'plain' | 'conditional' | 'global' | 'negation';

class PatternErr {
  constructor(
    readonly kind: ErrKind,
    readonly message: string,
    readonly path: JsonPath,
  ) {}
  get skip(): boolean {
    return this.kind === 'conditional' || this.kind === 'global';
  }
}

/** Kyverno-style path string: "/spec/containers/0/image/". */
export function kyvernoPath(path: JsonPath): string {
  return '/' + path.map((s) => `${s}/`).join('');
}

/** Matches a resource against a validate pattern (MatchPattern). */
export function matchPattern(resource: unknown, pattern: unknown): PatternOutcome {
  const err = validateElement(resource, pattern, []);
  if (!err) return { status: 'pass' };
  if (err.skip) return { status: 'skip', message: err.message };
  return { status: 'fail', path: err.path, message: err.message };
}

function describeType(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function validateElement(resource: unknown, pattern: unknown, path: JsonPath): PatternErr | undefined {
  if (isPlainObject(pattern)) {
    if (!isPlainObject(resource)) {
      return new PatternErr(
        'plain',
        `pattern and resource have different structures. Path: ${kyvernoPath(path)}. Expected ${describeType(pattern)}, found ${describeType(resource)}`,
        path,
      );
    }
    return validateMap(resource, pattern, path);
  }
  if (Array.isArray(pattern)) {
    if (!Array.isArray(resource)) {
      return new PatternErr('plain', `validation rule failed at path ${kyvernoPath(path)}, resource does not satisfy the expected overlay pattern`, path);
    }
    return validateArray(resource, pattern, path);
  }
  if (Array.isArray(resource)) {
    for (let i = 0; i < resource.length; i++) {
      if (!matchValue(resource[i], pattern)) {
        return new PatternErr('plain', `resource value '${show(resource)}' does not match '${show(pattern)}' at path ${kyvernoPath(path)}`, path);
      }
    }
    return undefined;
  }
  if (!matchValue(resource, pattern)) {
    return new PatternErr('plain', `resource value '${show(resource)}' does not match '${show(pattern)}' at path ${kyvernoPath(path)}`, path);
  }
  return undefined;
}

const ANCHOR_ORDER: Record<string, number> = { condition: 0, equality: 1, existence: 2, negation: 3 };

function validateMap(resource: Record<string, unknown>, patternIn: Record<string, unknown>, path: JsonPath): PatternErr | undefined {
  const pattern = expandInMetadata(patternIn, resource);
  const anchors: [Anchor, unknown][] = [];
  const plain: string[] = [];
  for (const [k, v] of Object.entries(pattern)) {
    const a = parseAnchor(k);
    if (a && a.type in ANCHOR_ORDER) anchors.push([a, v]);
    else plain.push(k);
  }
  anchors.sort((x, y) => ANCHOR_ORDER[x[0].type]! - ANCHOR_ORDER[y[0].type]! || x[0].key.localeCompare(y[0].key));
  for (const [a, v] of anchors) {
    const err = handleAnchor(a, v, resource, path);
    if (err) return err;
  }
  for (const k of sortPlainKeys(plain, pattern)) {
    const err = handleKey(k, pattern[k], resource, path);
    if (err) return err;
  }
  return undefined;
}

/** Keys holding anchors deeper down (or global anchors) go first, as Kyverno orders them. */
function sortPlainKeys(keys: string[], pattern: Record<string, unknown>): string[] {
  const front: string[] = [];
  const back: string[] = [];
  for (const k of [...keys].sort()) {
    const a = parseAnchor(k);
    if ((a && a.type === 'global') || containsAnchor(pattern[k], ['condition', 'existence', 'equality', 'negation', 'global'])) front.unshift(k);
    else back.push(k);
  }
  return [...front, ...back];
}

function handleAnchor(a: Anchor, pattern: unknown, resource: Record<string, unknown>, path: JsonPath): PatternErr | undefined {
  const key = a.key;
  const here = [...path, key];
  const present = Object.prototype.hasOwnProperty.call(resource, key);
  switch (a.type) {
    case 'negation':
      if (present) return new PatternErr('negation', `negation anchor matched in resource: ${kyvernoPath(here)} is not allowed`, here);
      return undefined;
    case 'equality':
      return present ? validateElement(resource[key], pattern, here) : undefined;
    case 'condition': {
      if (!present) return new PatternErr('conditional', "conditional anchor mismatch: conditional anchor key doesn't exist in the resource", here);
      const err = validateElement(resource[key], pattern, here);
      return err ? new PatternErr('conditional', `conditional anchor mismatch: ${err.message}`, err.path) : undefined;
    }
    case 'existence': {
      if (!present) return undefined;
      const value = resource[key];
      if (!Array.isArray(value)) {
        return new PatternErr('plain', `invalid resource type ${describeType(value)}: Existence ^ () anchor can be used only on list/array type resource`, here);
      }
      if (!Array.isArray(pattern)) return new PatternErr('plain', `invalid pattern type ${describeType(pattern)}: Pattern has to be of list to compare against resource`, here);
      for (const p of pattern) {
        if (!isPlainObject(p)) return new PatternErr('plain', `invalid pattern type ${describeType(p)}: Pattern has to be of type map to compare against items in resource`, here);
        const found = value.some((el, i) => validateElement(el, p, [...here, i]) === undefined);
        if (!found) return new PatternErr('plain', `existence anchor validation failed at path ${kyvernoPath(here)}`, here);
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function handleKey(k: string, pattern: unknown, resource: Record<string, unknown>, path: JsonPath): PatternErr | undefined {
  const a = parseAnchor(k);
  if (a?.type === 'global') {
    const here = [...path, a.key];
    if (!Object.prototype.hasOwnProperty.call(resource, a.key)) return undefined;
    const err = validateElement(resource[a.key], pattern, here);
    return err ? new PatternErr('global', `global anchor mismatch: ${err.message}`, err.path) : undefined;
  }
  if (a?.type === 'addIfNotPresent') {
    // Kyverno's validate handler does not know this anchor; the literal key is then absent.
    const here = [...path, k];
    return new PatternErr('plain', `anchor ${k} (add-if-not-present) only has a meaning in mutate rules; in a validate pattern the literal key "${k}" is required and not found`, here);
  }
  const here = [...path, k];
  const value = resource[k];
  if (pattern === '*') {
    if (value !== undefined && value !== null) return undefined;
    return new PatternErr('plain', `${kyvernoPath(path)}${k} not found`, here);
  }
  return validateElement(value, pattern, here);
}

function validateArray(resource: unknown[], pattern: unknown[], path: JsonPath): PatternErr | undefined {
  if (pattern.length === 0) return new PatternErr('plain', 'pattern Array empty', path);
  const first = pattern[0];
  if (isPlainObject(first)) return validateArrayOfMaps(resource, first, path);
  if (first === null || typeof first !== 'object') return validateElement(resource, first, path);
  if (resource.length < pattern.length) {
    return new PatternErr(
      'plain',
      `validate Array failed, array length mismatch, resource Array len is ${resource.length} and pattern Array len is ${pattern.length}`,
      path,
    );
  }
  let applied = 0;
  const skips: PatternErr[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const err = validateElement(resource[i], pattern[i], [...path, i]);
    if (err?.skip) skips.push(err);
    else if (err) return err;
    else applied++;
  }
  return applied === 0 && skips.length ? combineSkips(skips, path) : undefined;
}

function validateArrayOfMaps(resource: unknown[], pattern: Record<string, unknown>, path: JsonPath): PatternErr | undefined {
  let applied = 0;
  const skips: PatternErr[] = [];
  for (let i = 0; i < resource.length; i++) {
    const err = validateElement(resource[i], pattern, [...path, i]);
    if (err?.skip) skips.push(err);
    else if (err) return err;
    else applied++;
  }
  return applied === 0 && skips.length ? combineSkips(skips, path) : undefined;
}

function combineSkips(skips: PatternErr[], path: JsonPath): PatternErr {
  const kind: ErrKind = skips.some((s) => s.kind === 'global') ? 'global' : 'conditional';
  return new PatternErr(kind, skips.map((s) => s.message).join('; '), path);
}

/** Wildcard keys in metadata.labels / metadata.annotations patterns name the resource keys they match. */
function expandInMetadata(pattern: Record<string, unknown>, resource: Record<string, unknown>): Record<string, unknown> {
  const metaKey = Object.keys(pattern).find((k) => anchorFreeKey(k) === 'metadata');
  if (metaKey === undefined) return pattern;
  const pMeta = pattern[metaKey];
  const rMeta = resource.metadata;
  if (!isPlainObject(pMeta) || !isPlainObject(rMeta)) return pattern;
  let changed = false;
  const newMeta: Record<string, unknown> = { ...pMeta };
  for (const tag of ['labels', 'annotations']) {
    const tagKey = Object.keys(pMeta).find((k) => anchorFreeKey(k) === tag);
    if (tagKey === undefined) continue;
    const pTags = pMeta[tagKey];
    const rTags = rMeta[tag];
    if (!isPlainObject(pTags)) continue;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(pTags)) {
      const a = parseAnchor(k);
      const bare = a ? a.key : k;
      if (!hasWildcard(bare) || !isPlainObject(rTags)) {
        out[k] = v;
        continue;
      }
      const candidates = Object.keys(rTags).filter((rk) => wildcardMatch(bare, rk)).sort();
      if (candidates.length === 0) {
        out[k] = v;
        continue;
      }
      // Prefer a key whose value also satisfies the pattern value.
      const chosen = candidates.find((rk) => validateElement(rTags[rk], v, []) === undefined) ?? candidates[0]!;
      out[a ? `${a.modifier}(${chosen})` : chosen] = v;
      changed = true;
    }
    newMeta[tagKey] = out;
  }
  return changed ? { ...pattern, [metaKey]: newMeta } : pattern;
}
