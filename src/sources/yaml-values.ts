import { isAlias, isMap, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';
import type { JsonPath } from '../core/path.js';
import type { Location } from '../core/resource.js';

/*
 * Positions live beside the values, not in the parsed syntax tree: the tree is several
 * times the size of the values, and keeping it for every object of a large scan would
 * dominate memory. A document keeps one flat Int32Array: the source offset of every
 * mapping key and sequence item, in a fixed walk order (depth first; a container's
 * entries — mapping keys in Object.keys order, items in index order — then its children
 * in the same order). `locateValue` recovers an entry's slot by walking that order.
 */

/** Turns an offset into a 1-based line and column. */
export interface LinePositions {
  linePos(offset: number): { line: number; col: number };
}

export class AliasLimitError extends Error {}
export class DepthLimitError extends Error {}

export interface ConvertLimits {
  maxAliases: number;
  maxDepth: number;
}

export interface ConvertedDocument {
  value: unknown;
  offsets: Int32Array;
}

interface EntryOffsets {
  /** Mapping keys in source order (undefined for sequences). */
  keys: string[] | undefined;
  offsets: number[];
}

/**
 * Converts a parsed document to plain values (what `doc.toJS()` gives) and the offsets of
 * its entries. Aliases are expanded as copies and counted, nested expansions included, so
 * an alias bomb stops at the limit; YAML 1.1 merge keys are applied.
 */
export function toValues(doc: Document.Parsed, limits: ConvertLimits): ConvertedDocument {
  let aliases = 0;
  const entries = new Map<object, EntryOffsets>();
  const convert = (node: unknown, depth: number): unknown => {
    if (depth > limits.maxDepth) throw new DepthLimitError();
    if (isScalar(node)) return node.value;
    if (isAlias(node)) {
      if (++aliases > limits.maxAliases) throw new AliasLimitError();
      const target = node.resolve(doc);
      return target === undefined ? null : convert(target, depth);
    }
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      const keys: string[] = [];
      const offsets: number[] = [];
      let merges: unknown[] | undefined;
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        if (isScalar(keyNode) && typeof keyNode.value === 'symbol' && keyNode.source === '<<') {
          (merges ??= []).push(pair.value);
          continue;
        }
        const key = keyString(keyNode, doc);
        setKey(obj, key, convert(pair.value, depth + 1));
        keys.push(key);
        offsets.push(keyNode?.range?.[0] ?? node.range?.[0] ?? 0);
      }
      if (merges) {
        // Explicit keys win over merged ones; earlier merge sources win over later ones.
        for (const m of merges) {
          for (const src of isSeq(m) ? m.items : [m]) {
            const v = convert(src, depth + 1);
            if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
            const from = entries.get(v);
            for (const k of Object.keys(v)) {
              if (Object.prototype.hasOwnProperty.call(obj, k)) continue;
              setKey(obj, k, (v as Record<string, unknown>)[k]);
              keys.push(k);
              const i = from?.keys?.indexOf(k) ?? -1;
              offsets.push(i >= 0 ? from!.offsets[i]! : ((src as YamlNode).range?.[0] ?? 0));
            }
          }
        }
      }
      entries.set(obj, { keys, offsets });
      return obj;
    }
    if (isSeq(node)) {
      const arr: unknown[] = new Array(node.items.length);
      const offsets: number[] = new Array(node.items.length);
      node.items.forEach((item, i) => {
        arr[i] = convert(item, depth + 1);
        offsets[i] = (item as YamlNode | null)?.range?.[0] ?? node.range?.[0] ?? 0;
      });
      entries.set(arr, { keys: undefined, offsets });
      return arr;
    }
    return node === null || node === undefined ? null : node;
  };
  const value = convert(doc.contents, 0);
  return { value, offsets: flatten(value, entries) };
}

function flatten(root: unknown, entries: Map<object, EntryOffsets>): Int32Array {
  const out: number[] = [];
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    const e = entries.get(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) out.push(e?.offsets[i] ?? 0);
      for (const item of v) walk(item);
      return;
    }
    const keys = Object.keys(v);
    const source = e?.keys;
    const index = source && source.length > 16 ? new Map(source.map((k, i) => [k, i])) : undefined;
    for (const k of keys) {
      const i = index ? (index.get(k) ?? -1) : (source?.indexOf(k) ?? -1);
      out.push(i >= 0 ? e!.offsets[i]! : 0);
    }
    for (const k of keys) walk((v as Record<string, unknown>)[k]);
  };
  walk(root);
  return Int32Array.from(out);
}

function setKey(obj: Record<string, unknown>, key: string, value: unknown) {
  // A key named __proto__ must be data, not a prototype change.
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function keyString(k: YamlNode | null, doc: Document.Parsed): string {
  if (k === null || k === undefined) return '';
  if (isScalar(k)) return k.value === null ? '' : String(k.value);
  if (isAlias(k)) return keyString((k.resolve(doc) as YamlNode | undefined) ?? null, doc);
  return JSON.stringify(k.toJSON());
}

/** Number of offset slots a value's subtree occupies in the walk order. */
function slots(v: unknown): number {
  if (!v || typeof v !== 'object') return 0;
  let n = 0;
  if (Array.isArray(v)) {
    n = v.length;
    for (const item of v) n += slots(item);
    return n;
  }
  for (const k in v) {
    if (Object.prototype.hasOwnProperty.call(v, k)) n += 1 + slots((v as Record<string, unknown>)[k]);
  }
  return n;
}

/**
 * The line and column of `path` (under `basePath`) in a converted document: the key of a
 * mapping entry or the start of a sequence item; the nearest existing parent
 * (exact = false) when the path does not exist.
 */
export function locateValue(
  root: unknown,
  offsets: Int32Array,
  rootOffset: number,
  lines: LinePositions,
  file: string,
  basePath: JsonPath,
  path: JsonPath,
): Location {
  let cur = root;
  let start = 0; // first slot of `cur`'s entries
  let offset = rootOffset;
  let matched = 0;
  const total = basePath.length + path.length;
  for (let i = 0; i < total; i++) {
    const seg = i < basePath.length ? basePath[i]! : path[i - basePath.length]!;
    if (!cur || typeof cur !== 'object') break;
    let children: unknown[];
    let idx: number;
    if (Array.isArray(cur)) {
      children = cur;
      idx = typeof seg === 'number' && Number.isInteger(seg) && seg >= 0 && seg < cur.length ? seg : -1;
    } else {
      const keys = Object.keys(cur);
      children = keys.map((k) => (cur as Record<string, unknown>)[k]);
      idx = keys.indexOf(String(seg));
    }
    if (idx < 0) break;
    offset = offsets[start + idx] ?? offset;
    // The child's entries start after this container's entries and its earlier children's subtrees.
    let next = start + children.length;
    for (let j = 0; j < idx; j++) next += slots(children[j]);
    start = next;
    cur = children[idx];
    matched++;
  }
  const { line, col } = lines.linePos(offset);
  const found: (string | number)[] = [];
  for (let i = basePath.length; i < matched; i++) found.push(path[i - basePath.length]!);
  return { file, line, column: col, path: found, exact: matched === total };
}
