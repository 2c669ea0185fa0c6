/**
 * Where an expression is written in a policy file, so a CEL error points at the file line
 * and column of the offending character rather than at the start of the document.
 *
 * Manifest loading keeps only key offsets (see sources/yaml-values.ts); the scalar style and
 * start of a value are needed here, so the file is parsed again, once, on the first error.
 */
import { readFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, Scalar, type Document, type Node as YamlNode } from 'yaml';
import type { CelError, YamlScalarLocation, YamlScalarStyle } from '../cel/index.js';
import { positionInYaml } from '../cel/index.js';
import type { Diagnostic } from '../../core/errors.js';
import { toDotted, type JsonPath } from '../../core/path.js';
import type { Resource } from '../../core/resource.js';
import { parseStream, type ParsedStream } from '../../sources/yaml-document.js';
import { policyDiagnostic } from './diagnostics.js';

const STYLES: Record<string, YamlScalarStyle> = {
  [Scalar.PLAIN]: 'plain',
  [Scalar.QUOTE_SINGLE]: 'single-quoted',
  [Scalar.QUOTE_DOUBLE]: 'double-quoted',
  [Scalar.BLOCK_LITERAL]: 'literal',
  [Scalar.BLOCK_FOLDED]: 'folded',
};

/** Reads (and caches) the source files objects were loaded from. */
export class SourceFiles {
  private readonly texts = new Map<string, string | undefined>();
  private readonly streams = new Map<string, ParsedStream>();

  /** `resolvePath` turns a file as shown in origins (relative to the root) into a readable path. */
  constructor(private readonly resolvePath: (file: string) => string = (f) => f) {}

  /** Registers text for a file that is not on disk (tests, stdin). */
  add(file: string, text: string): void {
    this.texts.set(file, text);
    this.streams.delete(file);
  }

  text(file: string): string | undefined {
    if (!this.texts.has(file)) {
      let t: string | undefined;
      try {
        t = readFileSync(this.resolvePath(file), 'utf8');
      } catch {
        t = undefined;
      }
      this.texts.set(file, t);
    }
    return this.texts.get(file);
  }

  /** The location and style of the scalar at `path` of document `docIndex`, if it is a scalar. */
  scalar(file: string, docIndex: number, path: JsonPath): YamlScalarLocation | undefined {
    const text = this.text(file);
    if (text === undefined) return undefined;
    let stream = this.streams.get(file);
    if (!stream) {
      stream = parseStream(text, file.endsWith('.json') ? '1.2' : '1.1');
      this.streams.set(file, stream);
    }
    const doc = stream.documents[docIndex];
    if (!doc) return undefined;
    const node = nodeAt(doc, path);
    if (!isScalar(node) || !node.range) return undefined;
    const { line, col } = stream.lineCounter.linePos(node.range[0]);
    return { line, column: col, style: STYLES[node.type ?? Scalar.PLAIN] ?? 'plain', source: text };
  }
}

function nodeAt(doc: Document.Parsed, path: JsonPath): unknown {
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) return undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg] as YamlNode | undefined;
    } else return undefined;
  }
  return isAlias(node) ? node.resolve(doc) : node;
}

/**
 * A diagnostic for a CEL error in the expression at `path` of `resource` (a policy document):
 * file, line and column of the offending character of the expression when the source can be
 * read, else of the field.
 */
export function celDiagnostic(error: CelError, resource: Resource, path: JsonPath, sources: SourceFiles, level: Diagnostic['level'] = 'error'): Diagnostic {
  const field = toDotted(path);
  // The codes are not yet in core's ErrorCode union (see diagnostics.ts).
  const d: Diagnostic = { code: error.code, level, message: `${field}: ${error.message}`, field };
  if (resource.origin.type !== 'manifest') return d;
  const origin = resource.origin;
  const loc = sources.scalar(origin.file, origin.docIndex, [...origin.basePath, ...path]);
  const at = loc ? positionInYaml(loc, error.expression, error.position.offset) : origin.locate(path);
  return { ...d, file: origin.file, line: at.line, column: at.column };
}

/** A diagnostic for a field of a policy document, at the field's line. */
export function fieldDiagnostic(
  code: 'PALISADE_POLICY_INVALID' | 'PALISADE_TEST_INVALID',
  resource: Resource,
  path: JsonPath,
  detail: string,
  level: Diagnostic['level'] = 'error',
): Diagnostic {
  const field = toDotted(path) || '(document)';
  if (resource.origin.type !== 'manifest') return policyDiagnostic(code, { field, detail }, { level, field });
  const loc = resource.origin.locate(path);
  return policyDiagnostic(code, { field, detail }, { level, file: resource.origin.file, line: loc.line, column: loc.column, field });
}
