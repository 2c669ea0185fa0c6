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

/**
 * `isField`, when given, makes a token end where libsinsp's formatter ends it: at the longest
 * prefix that is a field name, so `%ka.verbs` is the field ka.verb followed by the text "s".
 * A token with no such prefix is kept whole (and reported as an unknown field).
 */
export function parseTemplate(text: string, isField?: (name: string) => boolean): ParsedTemplate {
  const literals: string[] = [];
  const fields: TemplateField[] = [];
  let last = 0;
  for (const m of text.matchAll(FIELD)) {
    let name = m[1]!;
    let argText: string | undefined = m[2];
    if (isField && !isField(name)) {
      let n = name.length - 1;
      while (n > 0 && !isField(name.slice(0, n))) n--;
      if (n > 0) {
        name = name.slice(0, n);
        argText = undefined;
      }
    }
    literals.push(text.slice(last, m.index));
    const arg = argText ? argText.slice(1, -1) : undefined;
    const key = name + (argText ?? '');
    fields.push({ key, ref: { name, transformers: [], pos: m.index! + 1, ...(arg !== undefined ? { arg, argPos: m.index! + 2 + name.length } : {}) } });
    last = m.index! + 1 + key.length;
  }
  literals.push(text.slice(last));
  return { literals, fields };
}

export function formatValue(v: FieldValue | number): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) {
    // As libsinsp prints lists: a comma goes before a value only once something was printed,
    // so empty leading values vanish: ["", "apps"] prints (apps).
    let out = '(';
    for (const x of v) out += (out.length > 1 ? ',' : '') + x;
    return `${out})`;
  }
  return String(v);
}

/** A field's value in output_fields, as Falco's JSON output holds it. */
export function jsonValue(v: FieldValue | number): string | string[] | number | null {
  if (v === undefined) return null;
  if (Array.isArray(v)) return [...v];
  return v;
}

export interface BoundTemplate<E> {
  render(event: E): { output: string; fields: Record<string, string | string[] | number | null> };
}

export function bindTemplate<E>(t: ParsedTemplate, getters: ((e: E) => FieldValue | number)[]): BoundTemplate<E> {
  return {
    render(event) {
      let output = t.literals[0]!;
      const fields: Record<string, string | string[] | number | null> = {};
      for (let i = 0; i < getters.length; i++) {
        const raw = getters[i]!(event);
        const v = formatValue(raw);
        fields[t.fields[i]!.key] = jsonValue(raw);
        output += (v ?? '<NA>') + t.literals[i + 1]!;
      }
      return { output, fields };
    },
  };
}
