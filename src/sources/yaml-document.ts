import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode, type Tags } from 'yaml';
import type { JsonPath } from '../core/path.js';
import type { Location } from '../core/resource.js';

/** One parsed YAML/JSON stream with what is needed to locate any path in it. */
export interface ParsedStream {
  documents: Document.Parsed[];
  lineCounter: LineCounter;
}

/**
 * YAML 1.1 minus timestamps: Kubernetes reads YAML by converting it to JSON (sigs.k8s.io/yaml),
 * where an unquoted 2024-01-02T03:04:05Z stays the string it is written as; the yaml-1.1
 * schema would make it a Date (which then reads as a mapping, and loses its text).
 */
const withoutTimestamps = (tags: Tags): Tags => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp');

export function parseStream(text: string, version: '1.1' | '1.2' = '1.2', countLines = true): ParsedStream {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, {
    ...(countLines ? { lineCounter } : {}),
    uniqueKeys: true,
    prettyErrors: true,
    keepSourceTokens: false,
    version,
    ...(version === '1.1' ? { customTags: withoutTimestamps } : {}),
  });
  // An empty stream is returned as a special object without documents.
  const documents = Array.isArray(parsed) ? parsed : [];
  return { documents, lineCounter };
}

function keyString(k: unknown): string | undefined {
  if (isScalar(k)) return String(k.value);
  if (k === null || k === undefined) return undefined;
  if (typeof k === 'object') return undefined;
  return String(k);
}

/**
 * Finds `path` (under `basePath`) in a document and returns the line and column of the
 * field's key (for mapping entries) or of the item (for sequence entries). When the path
 * does not exist, the nearest existing parent is returned with exact = false.
 */
export function locateInDocument(
  doc: Document.Parsed,
  lineCounter: LineCounter,
  file: string,
  basePath: JsonPath,
  path: JsonPath,
): Location {
  let node: unknown = doc.contents;
  let offset = (doc.contents as YamlNode | null)?.range?.[0] ?? 0;
  const full = [...basePath, ...path];
  let matched = 0;
  for (const seg of full) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const want = String(seg);
      const pair = node.items.find((p) => keyString(p.key) === want);
      if (!pair) break;
      const keyNode = pair.key as YamlNode | null;
      offset = keyNode?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
    matched++;
  }
  const { line, col } = lineCounter.linePos(offset);
  const found = full.slice(basePath.length, Math.max(basePath.length, matched));
  return { file, line, column: col, path: found, exact: matched === full.length };
}
