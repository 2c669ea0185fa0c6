import { ERRORS } from '../../core/errors.js';
/**
 * Structured CEL errors. Every compile or runtime problem becomes a `CelError` with a
 * code, a message, the expression and the position inside it, so callers can point at the
 * exact file line of the expression (see `positionInYaml`).
 */
import { CostExceeded } from './cost.js';

/** The CEL codes of the error catalogue (src/core/errors.ts holds the texts). */
export const CEL_ERRORS = {
  PALISADE_CEL_SYNTAX: ERRORS.PALISADE_CEL_SYNTAX,
  PALISADE_CEL_TYPE: ERRORS.PALISADE_CEL_TYPE,
  PALISADE_CEL_RUNTIME: ERRORS.PALISADE_CEL_RUNTIME,
  PALISADE_CEL_COST_EXCEEDED: ERRORS.PALISADE_CEL_COST_EXCEEDED,
  PALISADE_CEL_TOO_LONG: ERRORS.PALISADE_CEL_TOO_LONG,
} as const;

export type CelErrorCode = keyof typeof CEL_ERRORS;

/** 0-based offset and 1-based line/column (UTF-16 code units) inside the expression. */
export interface CelPosition {
  offset: number;
  line: number;
  column: number;
}

export interface CelError {
  code: CelErrorCode;
  message: string;
  expression: string;
  position: CelPosition;
  /** The underlying error code of the CEL engine (e.g. `no_such_key`), when there is one. */
  reason?: string;
}

/** Internal names of library overloads that replace cel-js built-ins (see environment.ts). */
export const INTERNAL_PREFIX = 'k8s__';

export function celError(code: CelErrorCode, detail: string, expression: string, offset = 0, reason?: string): CelError {
  // A replacer function, so `$'` and friends in the detail are not replacement patterns.
  const values: Record<string, string> = { detail, budget: detail, expression: abbreviate(expression) };
  const message = CEL_ERRORS[code].replace(/\{\{(\w+)\}\}/g, (_, k: string) => values[k] ?? '');
  const err: CelError = { code, message, expression, position: positionOf(expression, offset) };
  if (reason !== undefined) err.reason = reason;
  return err;
}

function abbreviate(expression: string): string {
  const oneLine = expression.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? oneLine.slice(0, 197) + '...' : oneLine;
}

export function positionOf(expression: string, offset: number): CelPosition {
  const o = Math.max(0, Math.min(offset, expression.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < o; i++) {
    if (expression.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset: o, line, column: o - lineStart + 1 };
}

interface EngineError {
  name?: string;
  code?: string;
  summary?: string;
  message?: string;
  range?: { start: number; end: number };
}

/** Converts anything thrown by the parser, checker or evaluator into a `CelError`. */
export function toCelError(err: unknown, expression: string, phase: 'compile' | 'evaluate'): CelError {
  if (err instanceof CostExceeded) {
    return celError('PALISADE_CEL_COST_EXCEEDED', String(err.budget), expression, 0);
  }
  const e = (err ?? {}) as EngineError;
  const detail = clean(e.summary ?? e.message ?? String(err));
  const offset = e.range?.start ?? 0;
  switch (e.name) {
    case 'ParseError':
      if (e.code === 'limit_exceeded') return celError('PALISADE_CEL_TOO_LONG', detail, expression, offset, e.code);
      return celError('PALISADE_CEL_SYNTAX', detail, expression, offset, e.code);
    case 'TypeError':
      // cel-js reports plain JavaScript TypeErrors with the same name; those have no code.
      if (e.code !== undefined) return celError('PALISADE_CEL_TYPE', detail, expression, offset, e.code);
      break;
    case 'EvaluationError':
      return celError('PALISADE_CEL_RUNTIME', detail, expression, offset, e.code);
  }
  return celError(phase === 'compile' ? 'PALISADE_CEL_TYPE' : 'PALISADE_CEL_RUNTIME', detail, expression, offset);
}

function clean(s: string): string {
  return s.split(INTERNAL_PREFIX).join('');
}

// ---------------------------------------------------------------------------------------
// Mapping an expression offset to the line and column of the YAML file it came from.

export type YamlScalarStyle = 'plain' | 'single-quoted' | 'double-quoted' | 'literal' | 'folded';

export interface YamlScalarLocation {
  /** 1-based line and column of the scalar's first character: the opening quote, the
   * `|`/`>` indicator, or the first character of a plain scalar. */
  line: number;
  column: number;
  style: YamlScalarStyle;
  /** The whole file text. With it every style maps exactly (escapes, folding, indentation);
   * without it single-line plain and quoted scalars map exactly, block scalars by line and
   * `indent`. */
  source?: string;
  /** Indentation (spaces) of a block scalar's content lines, used when `source` is absent. */
  indent?: number;
}

/** The 1-based file line and column of `offset` within the expression a scalar holds. */
export function positionInYaml(loc: YamlScalarLocation, expression: string, offset: number): { line: number; column: number } {
  if (loc.source !== undefined) {
    const start = offsetOfLineColumn(loc.source, loc.line, loc.column);
    if (start !== undefined) {
      const map = decodeScalarMap(loc.source, start, loc.style, offset + 1);
      if (map !== undefined && offset < map.length) return lineColumnOf(loc.source, map[offset]!);
      if (map !== undefined && map.length > 0 && offset >= map.length) {
        return lineColumnOf(loc.source, map[map.length - 1]! + 1);
      }
    }
  }
  const p = positionOf(expression, offset);
  switch (loc.style) {
    case 'literal':
    case 'folded':
      return { line: loc.line + p.line, column: (loc.indent ?? loc.column + 1) + p.column };
    case 'single-quoted':
    case 'double-quoted':
      return p.line === 1 ? { line: loc.line, column: loc.column + 1 + offset } : { line: loc.line + p.line - 1, column: p.column };
    default:
      return p.line === 1 ? { line: loc.line, column: loc.column + offset } : { line: loc.line + p.line - 1, column: p.column };
  }
}

function offsetOfLineColumn(source: string, line: number, column: number): number | undefined {
  let l = 1;
  let i = 0;
  while (l < line) {
    const nl = source.indexOf('\n', i);
    if (nl < 0) return undefined;
    i = nl + 1;
    l++;
  }
  const o = i + column - 1;
  return o <= source.length ? o : undefined;
}

function lineColumnOf(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Decodes a YAML scalar starting at `start` far enough to produce `need` characters and
 * returns, for each decoded character, its offset in the source.
 */
function decodeScalarMap(src: string, start: number, style: YamlScalarStyle, need: number): number[] | undefined {
  const out: number[] = [];
  const isBlank = (c: string | undefined) => c === ' ' || c === '\t';
  switch (style) {
    case 'plain':
    case 'single-quoted':
    case 'double-quoted': {
      let i = style === 'plain' ? start : start + 1;
      const quote = style === 'single-quoted' ? "'" : style === 'double-quoted' ? '"' : undefined;
      while (i < src.length && out.length < need) {
        const c = src[i]!;
        if (quote !== undefined && c === quote) {
          if (quote === "'" && src[i + 1] === "'") {
            out.push(i);
            i += 2;
            continue;
          }
          break;
        }
        if (c === '\r' || c === '\n') {
          // Line folding: trailing blanks were already emitted; a single break becomes a
          // space, each further empty line a newline.
          while (out.length > 0 && isBlank(src[out[out.length - 1]!]) ) out.pop();
          let j = i;
          let breaks = 0;
          while (j < src.length && (src[j] === '\n' || src[j] === '\r' || isBlank(src[j]))) {
            if (src[j] === '\n') breaks++;
            j++;
          }
          if (breaks <= 1) out.push(i);
          else for (let b = 1; b < breaks; b++) out.push(i);
          i = j;
          continue;
        }
        if (quote === '"' && c === '\\') {
          const n = src[i + 1];
          if (n === '\n' || n === '\r') {
            let j = i + 1;
            while (j < src.length && (src[j] === '\n' || src[j] === '\r' || isBlank(src[j]))) j++;
            i = j;
            continue;
          }
          const width = n === 'x' ? 4 : n === 'u' ? 6 : n === 'U' ? 10 : 2;
          const cp = width > 2 ? parseInt(src.slice(i + 2, i + width), 16) : 0;
          out.push(i);
          if (cp > 0xffff) out.push(i);
          i += width;
          continue;
        }
        if (style === 'plain' && c === ' ' && src[i + 1] === '#') break;
        out.push(i);
        i++;
      }
      return out;
    }
    case 'literal':
    case 'folded': {
      // Header: indicator, optional chomping and indentation indicators, comment.
      let i = start + 1;
      let explicitIndent: number | undefined;
      while (i < src.length && src[i] !== '\n') {
        const c = src[i]!;
        if (c >= '1' && c <= '9') explicitIndent = Number(c);
        if (c === '#') break;
        i++;
      }
      while (i < src.length && src[i] !== '\n') i++;
      i++;
      const lines: { start: number; text: string }[] = [];
      for (let p = i; p <= src.length; ) {
        let e = src.indexOf('\n', p);
        if (e < 0) e = src.length;
        lines.push({ start: p, text: src.slice(p, e).replace(/\r$/, '') });
        p = e + 1;
        if (e === src.length) break;
      }
      let indent = explicitIndent;
      if (indent === undefined) {
        const first = lines.find((l) => l.text.trim() !== '');
        if (first === undefined) return out;
        indent = first.text.length - first.text.trimStart().length;
      } else {
        // The indicator counts from the indentation of the line holding the header.
        const headerLineStart = src.lastIndexOf('\n', start) + 1;
        const headerLine = src.slice(headerLineStart, start);
        indent += headerLine.length - headerLine.trimStart().length;
      }
      let prevMoreIndented = false;
      let prevWasContent = false;
      let pendingBreak = -1;
      let emptyRun: number[] = [];
      for (const l of lines) {
        const lead = l.text.length - l.text.trimStart().length;
        if (l.text.trim() === '') {
          if (lead > indent) {
            // A whitespace-only, more-indented line is content.
          } else {
            emptyRun.push(l.start);
            continue;
          }
        }
        if (lead < indent) break;
        const content = l.text.slice(indent);
        const moreIndented = content.startsWith(' ') || content.startsWith('\t');
        if (prevWasContent) {
          if (style === 'literal' || moreIndented || prevMoreIndented) {
            out.push(pendingBreak);
            for (const e of emptyRun) out.push(e);
          } else if (emptyRun.length === 0) {
            out.push(pendingBreak); // folded into a space
          } else {
            for (const e of emptyRun) out.push(e);
          }
        } else {
          for (const e of emptyRun) out.push(e);
        }
        emptyRun = [];
        for (let k = 0; k < content.length; k++) out.push(l.start + indent + k);
        pendingBreak = l.start + l.text.length;
        prevWasContent = true;
        prevMoreIndented = moreIndented;
        if (out.length >= need) break;
      }
      return out;
    }
  }
}
