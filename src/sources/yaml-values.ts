import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode } from 'yaml';
import type { JsonPath } from '../core/path.js';
import type { Location } from '../core/resource.js';

/**
 * Source offsets of the entries of one mapping or sequence: for a mapping, the offset of
 * each key (keys in source order); for a sequence, the offset of each item.
 */
interface EntryOffsets {
  keys: string[] | undefined;
  offsets: Int32Array;
}

/*
 * Positions live beside the values instead of in the parsed syntax tree: the tree is
 * several times the size of the values, and keeping it for every object of a large scan
 * would dominate memory. One small array per mapping or sequence is all `locate` needs.
 */
const OFFSETS = new WeakMap<object, EntryOffsets>();

export class AliasLimitError extends Error {}
export class DepthLimitError extends Error {}

export interface ConvertLimits {
  maxAliases: number;
  maxDepth: number;
}

/**
 * Converts a parsed document to plain values (what `doc.toJS()` gives) while recording the
 * source offset of every key and item. Aliases are expanded as copies and counted, nested
 * expansions included, so an alias bomb stops at the limit; YAML 1.1 merge keys are applied.
 */
export function toValues(doc: Document.Parsed, limits: ConvertLimits): unknown {
  let aliases = 0;
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
        offsets.push(keyNode?.range?.[0] ?? (node.range?.[0] ?? 0));
      }
      if (merges) {
        // Explicit keys win over merged ones; earlier merge sources win over later ones.
        for (const m of merges) {
          const sources = isSeq(m) ? m.items : [m];
          for (const src of sources) {
            const v = convert(src, depth + 1);
            if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
            const srcOffsets = OFFSETS.get(v);
            Object.keys(v).forEach((k) => {
              if (Object.prototype.hasOwnProperty.call(obj, k)) return;
              setKey(obj, k, (v as Record<string, unknown>)[k]);
              keys.push(k);
              const i = srcOffsets?.keys?.indexOf(k) ?? -1;
              offsets.push(i >= 0 ? srcOffsets!.offsets[i]! : ((src as YamlNode).range?.[0] ?? 0));
            });
          }
        }
      }
      OFFSETS.set(obj, { keys, offsets: Int32Array.from(offsets) });
      return obj;
    }
    if (isSeq(node)) {
      const arr: unknown[] = new Array(node.items.length);
      const offsets = new Int32Array(node.items.length);
      node.items.forEach((item, i) => {
        arr[i] = convert(item, depth + 1);
        offsets[i] = (item as YamlNode | null)?.range?.[0] ?? node.range?.[0] ?? 0;
      });
      OFFSETS.set(arr, { keys: undefined, offsets });
      return arr;
    }
    return node === null || node === undefined ? null : node;
  };
  return convert(doc.contents, 0);
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

/**
 * The line and column of `path` (under `basePath`) within a value produced by toValues:
 * the key of a mapping entry or the start of a sequence item; the nearest existing parent
 * (exact = false) when the path does not exist.
 */
export function locateValue(root: unknown, rootOffset: number, lineCounter: LineCounter, file: string, basePath: JsonPath, path: JsonPath): Location {
  let cur = root;
  let offset = rootOffset;
  let matched = 0;
  const total = basePath.length + path.length;
  for (let i = 0; i < total; i++) {
    const seg = i < basePath.length ? basePath[i]! : path[i - basePath.length]!;
    if (!cur || typeof cur !== 'object') break;
    const entries = OFFSETS.get(cur);
    if (!entries) break;
    let idx: number;
    if (entries.keys === undefined) idx = typeof seg === 'number' && seg < entries.offsets.length ? seg : -1;
    else idx = entries.keys.indexOf(String(seg));
    if (idx < 0) break;
    offset = entries.offsets[idx]!;
    cur = (cur as Record<string | number, unknown>)[seg];
    matched++;
  }
  const { line, col } = lineCounter.linePos(offset);
  const found: (string | number)[] = [];
  for (let i = basePath.length; i < matched; i++) found.push(path[i - basePath.length]!);
  return { file, line, column: col, path: found, exact: matched === total };
}
