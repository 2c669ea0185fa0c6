/**
 * What an event source offers the rule language: named fields with a type, whether they
 * yield a list, what argument they take, and an extractor. The language itself knows no
 * source; `k8s_audit` registers its fields in src/detect/audit/fields.ts.
 */

/** A field's value for one event: absent (Falco's <NA>), one string, or a list of strings. */
export type FieldValue = string | string[] | undefined;

export interface FieldDef<E> {
  name: string;
  /** uint64 fields compare numerically; string fields lexically, as in libsinsp. */
  type: 'string' | 'uint64';
  list: boolean;
  /** none: no [arg]; index: optional numeric [n]; key: required [key]; optional-key: [key] or none. */
  arg: 'none' | 'index' | 'key' | 'optional-key';
  desc: string;
  /** Builds the extractor once per use in a rule, so argument parsing happens at load time. */
  bind(arg: string | undefined): (event: E) => FieldValue;
}

export interface EventSource<E> {
  /** Canonical source name and the names accepted for it in rules files. */
  name: string;
  aliases: readonly string[];
  fields: ReadonlyMap<string, FieldDef<E>>;
}
