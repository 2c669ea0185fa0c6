/**
 * Falco output templates: `%field` and `%field[arg]` are replaced by the field's value,
 * `<NA>` when the event lacks it; list values print as (a,b,c). The template is split
 * once at load time into literal parts and bound fields.
 */
import type { FieldRef } from './condition.js';
import type { FieldValue } from './fields.js';

const FIELD = /%([a-zA-Z_][a-zA-Z0-9_]*(?:\.[a-zA-Z0-9_]+)*)(\[[^\]]*\])?/g;

export interface TemplateField {
  /** The field as written, with its argument: the key in output_fields. */
  key: string;
  ref: FieldRef;
}

export interface ParsedTemplate {
  literals: string[];
  fields: TemplateField[];
}

export function parseTemplate(text: string): ParsedTemplate {
  const literals: string[] = [];
  const fields: TemplateField[] = [];
  let last = 0;
  for (const m of text.matchAll(FIELD)) {
    literals.push(text.slice(last, m.index));
    const arg = m[2] ? m[2].slice(1, -1) : undefined;
    fields.push({ key: m[0].slice(1), ref: { name: m[1]!, transformers: [], pos: m.index! + 1, ...(arg !== undefined ? { arg, argPos: m.index! + 2 + m[1]!.length } : {}) } });
    last = m.index! + m[0].length;
  }
  literals.push(text.slice(last));
  return { literals, fields };
}

export function formatValue(v: FieldValue | number): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return `(${v.join(',')})`;
  return String(v);
}

export interface BoundTemplate<E> {
  render(event: E): { output: string; fields: Record<string, string | null> };
}

export function bindTemplate<E>(t: ParsedTemplate, getters: ((e: E) => FieldValue | number)[]): BoundTemplate<E> {
  return {
    render(event) {
      let output = t.literals[0]!;
      const fields: Record<string, string | null> = {};
      for (let i = 0; i < getters.length; i++) {
        const v = formatValue(getters[i]!(event));
        fields[t.fields[i]!.key] = v ?? null;
        output += (v ?? '<NA>') + t.literals[i + 1]!;
      }
      return { output, fields };
    },
  };
}
