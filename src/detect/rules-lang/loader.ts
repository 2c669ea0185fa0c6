/**
 * Loads Falco rules files (rule, macro, list, required_engine_version,
 * required_plugin_versions; append: true and override:) into one ruleset, in file order
 * like `falco -r a.yaml -r b.yaml`, then compiles the rules of one event source.
 * Every problem is a Diagnostic with file, line and column; a condition error points at
 * the column inside the condition, whether the scalar is plain, quoted or a block.
 */
import { isMap, isScalar, isSeq, type LineCounter, type Node as YamlNode, type Scalar } from 'yaml';
import { diagnostic, type Diagnostic, type ErrorCode } from '../../core/errors.js';
import { parseStream } from '../../sources/yaml-document.js';
import { CompileError, ConditionCompiler, type Compiled, type MacroDef, type Predicate } from './compile.js';
import { ConditionSyntaxError, parseCondition, type CmpOp, type CondNode, type FieldRef, isListOp } from './condition.js';
import type { EventSource } from './fields.js';
import { bindTemplate, parseTemplate, type BoundTemplate } from './output.js';
import { parsePriority, type Priority } from './priority.js';

/** The Falco rules engine version whose file format this loader reads. */
export const ENGINE_VERSION = '0.43.0';

interface Pos {
  file: string;
  line: number;
  column: number;
}
type Locate = (offset: number) => Pos;

/** Condition text assembled from pieces (append), each mapped back to its file. */
interface Text {
  text: string;
  segments: { start: number; locate: Locate }[];
}

function textOf(value: string, locate: Locate): Text {
  return { text: value, segments: [{ start: 0, locate }] };
}
function appendText(a: Text, b: Text): Text {
  const start = a.text.length + 1;
  return { text: `${a.text} ${b.text}`, segments: [...a.segments, ...b.segments.map((s) => ({ start: s.start + start, locate: s.locate }))] };
}
/** Falco trims a rule's output: a folded block's final newline is not part of the alert. */
function trimText(t: Text): Text {
  const lead = t.text.length - t.text.trimStart().length;
  return { text: t.text.trim(), segments: t.segments.map((s) => ({ start: s.start - lead, locate: s.locate })) };
}
function locateIn(t: Text, offset: number): Pos {
  let seg = t.segments[0]!;
  for (const s of t.segments) if (s.start <= offset) seg = s;
  return seg.locate(offset - seg.start);
}

interface ExceptionDef {
  name: string;
  fields?: string | string[];
  comps?: string | string[];
  values: unknown[];
  at: Pos;
}

interface RuleDef {
  name: string;
  desc: string;
  condition: Text;
  output: Text;
  priority: Priority;
  source: string;
  tags: string[];
  enabled: boolean;
  exceptions: ExceptionDef[];
  skipIfUnknownFilter: boolean;
  at: Pos;
}

interface MacroState {
  condition: Text;
  at: Pos;
}
interface ListState {
  items: string[];
  at: Pos;
  /** Definition order, as Falco's collector keeps it: index at the first definition, visibility at the latest definition or append. */
  index: number;
  visibility: number;
}

export interface CompiledRule<E> {
  name: string;
  desc: string;
  priority: Priority;
  source: string;
  tags: string[];
  enabled: boolean;
  test: Predicate<E>;
  cost: number;
  constraints: Compiled<E>['constraints'];
  output: BoundTemplate<E>;
  file: string;
  line: number;
}

export interface RuleSummary {
  name: string;
  desc: string;
  priority: Priority;
  source: string;
  tags: string[];
  enabled: boolean;
  file: string;
  line: number;
}

function semverGreater(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((pa[i] ?? 0) > (pb[i] ?? 0)) return true;
    if ((pa[i] ?? 0) < (pb[i] ?? 0)) return false;
  }
  return false;
}

/**
 * Maps an offset in a scalar's value to its place in the file. Folding, escapes and
 * indentation only change whitespace and escape characters, so aligning the value's
 * non-space characters with the source in order finds each one.
 */
function scalarLocator(fileText: string, node: YamlNode, lineCounter: LineCounter, file: string): Locate {
  const start = node.range?.[0] ?? 0;
  const end = node.range?.[1] ?? start;
  const value = String((node as Scalar).value ?? '');
  return (offset) => {
    const src = fileText.slice(start, end);
    let si = 0;
    const type = (node as Scalar).type;
    if (type === 'BLOCK_FOLDED' || type === 'BLOCK_LITERAL') si = src.indexOf('\n') + 1;
    else if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') si = 1;
    let at = si;
    for (let vi = 0; vi <= Math.min(offset, value.length - 1); vi++) {
      const c = value[vi]!;
      if (/\s/.test(c)) {
        if (vi === offset) at = si;
        continue;
      }
      const idx = src.indexOf(c, si);
      if (idx < 0) break;
      at = idx;
      si = idx + 1;
    }
    if (offset >= value.length) at = Math.max(at, Math.min(src.length, si));
    const { line, col } = lineCounter.linePos(start + at);
    return { file, line, column: col };
  };
}

export class RulesLoader {
  readonly diagnostics: Diagnostic[] = [];
  private readonly rules = new Map<string, RuleDef>();
  private readonly macros = new Map<string, MacroState>();
  private readonly lists = new Map<string, ListState>();
  private listSeq = 0;
  /** Sources other than those compiled: counted for the note. */
  private fileText = '';
  private lineCounter!: LineCounter;
  private file = '';

  private error(code: ErrorCode, data: Record<string, string | number>, at: Pos | undefined, level: Diagnostic['level'] = 'error'): void {
    this.diagnostics.push(diagnostic(code, data, { ...(at ?? {}), level }));
  }

  private posOf(node: YamlNode | null | undefined): Pos {
    const { line, col } = this.lineCounter.linePos(node?.range?.[0] ?? 0);
    return { file: this.file, line, column: col };
  }

  /** Loads one rules file's text. Later definitions override, append or toggle earlier ones. */
  load(text: string, file: string): void {
    this.fileText = text;
    this.file = file;
    const { documents, lineCounter } = parseStream(text);
    this.lineCounter = lineCounter;
    for (const doc of documents) {
      for (const e of doc.errors) {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        this.error('PALISADE_RULES_YAML', { detail: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') }, { file, line, column: col });
      }
      if (doc.errors.length) continue;
      const root = doc.contents;
      if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) continue;
      if (!isSeq(root)) {
        this.error('PALISADE_RULES_YAML', { detail: 'a rules file is a YAML sequence of rule, macro and list items' }, this.posOf(root as YamlNode));
        continue;
      }
      for (const item of root.items) this.item(item as YamlNode | null);
    }
  }

  private item(node: YamlNode | null): void {
    // An empty entry (a bare `-`) is skipped, as Falco's loader skips null items.
    if (node === null || (isScalar(node) && (node.value === null || node.value === undefined))) return;
    const at = this.posOf(node);
    if (!isMap(node)) {
      this.error('PALISADE_RULES_INVALID_ITEM', { detail: 'each item must be a mapping with rule, macro, list, required_engine_version or required_plugin_versions' }, at);
      return;
    }
    const entries = new Map<string, YamlNode>();
    for (const p of node.items) if (isScalar(p.key)) entries.set(String(p.key.value), (p.value ?? null) as YamlNode);
    const js = (k: string): unknown => {
      const n = entries.get(k);
      return n && typeof (n as { toJSON?: unknown }).toJSON === 'function' ? (n as unknown as { toJSON(): unknown }).toJSON() : isScalar(n) ? n.value : undefined;
    };
    const keyAt = (k: string): Pos => {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === k);
      return this.posOf((pair?.key as YamlNode) ?? node);
    };
    if (entries.has('required_engine_version')) {
      const v = js('required_engine_version');
      const req = typeof v === 'number' ? `0.${v}.0` : String(v);
      if (!/^\d+(\.\d+){0,2}$/.test(req)) this.error('PALISADE_RULES_INVALID_ITEM', { detail: `required_engine_version "${String(v)}" is not a number or semantic version` }, keyAt('required_engine_version'));
      else if (semverGreater(req, ENGINE_VERSION)) this.error('PALISADE_RULES_ENGINE_VERSION', { required: req, current: ENGINE_VERSION }, keyAt('required_engine_version'));
      return;
    }
    if (entries.has('required_plugin_versions')) {
      const v = js('required_plugin_versions');
      if (!Array.isArray(v)) this.error('PALISADE_RULES_INVALID_ITEM', { detail: 'required_plugin_versions must be a list of {name, version}' }, keyAt('required_plugin_versions'));
      // The k8saudit and json plugins are built in; other plugins' rules are skipped by source.
      return;
    }
    const kind = entries.has('rule') ? 'rule' : entries.has('macro') ? 'macro' : entries.has('list') ? 'list' : undefined;
    if (!kind) {
      const keys = [...entries.keys()];
      // Falco warns about an unknown top-level item and loads the rest of the file.
      this.error('PALISADE_RULES_INVALID_ITEM', { detail: `unknown item with keys ${keys.join(', ') || '(none)'} ignored; expected rule, macro, list, required_engine_version or required_plugin_versions` }, at, 'warning');
      return;
    }
    const name = js(kind);
    if (typeof name !== 'string' || !name) {
      this.error('PALISADE_RULES_INVALID_ITEM', { detail: `${kind} name must be a non-empty string` }, keyAt(kind));
      return;
    }
    const override = js('override');
    const append = js('append') === true;
    if (override !== undefined && append) {
      this.error('PALISADE_RULES_INVALID_ITEM', { detail: `${kind} ${name}: use either append: true or override:, not both` }, keyAt('override'));
      return;
    }
    const ov: Record<string, 'append' | 'replace'> = {};
    if (override !== undefined) {
      if (typeof override !== 'object' || override === null || Array.isArray(override)) {
        this.error('PALISADE_RULES_INVALID_ITEM', { detail: 'override must map keys to append or replace' }, keyAt('override'));
        return;
      }
      for (const [k, v] of Object.entries(override)) {
        if (v !== 'append' && v !== 'replace') {
          this.error('PALISADE_RULES_INVALID_ITEM', { detail: `override.${k}: expected append or replace, found ${String(v)}` }, keyAt('override'));
          return;
        }
        if (!entries.has(k)) {
          this.error('PALISADE_RULES_INVALID_ITEM', { detail: `override.${k} is given but ${kind} ${name} has no ${k} key` }, keyAt('override'));
          return;
        }
        ov[k] = v;
      }
    }
    const textAt = (k: string): Text | undefined => {
      const n = entries.get(k);
      if (!n) return undefined;
      if (!isScalar(n) || (typeof n.value !== 'string' && typeof n.value !== 'number' && typeof n.value !== 'boolean')) {
        this.error('PALISADE_RULES_INVALID_ITEM', { detail: `${kind} ${name}: ${k} must be a string` }, keyAt(k));
        return undefined;
      }
      return textOf(String(n.value), scalarLocator(this.fileText, n, this.lineCounter, this.file));
    };
    if (kind === 'list') this.list(name, entries, js, keyAt, at, append, ov);
    else if (kind === 'macro') this.macro(name, entries, textAt, keyAt, at, append, ov);
    else this.rule(name, entries, js, textAt, keyAt, at, append, ov);
  }

  private list(name: string, entries: Map<string, YamlNode>, js: (k: string) => unknown, keyAt: (k: string) => Pos, at: Pos, append: boolean, ov: Record<string, string>): void {
    const items = js('items');
    if (!Array.isArray(items) || items.some((x) => typeof x === 'object' && x !== null)) {
      this.error('PALISADE_RULES_INVALID_ITEM', { detail: `list ${name}: items must be a sequence of strings` }, entries.has('items') ? keyAt('items') : at);
      return;
    }
    const values = items.map((x) => String(x));
    const prev = this.lists.get(name);
    if (append || ov.items === 'append') {
      if (!prev) return this.error('PALISADE_RULES_NO_PREVIOUS', { kind: 'list', name, how: append ? 'append: true' : 'override: append' }, at);
      prev.items.push(...values);
      prev.visibility = this.listSeq++;
      return;
    }
    const seq = this.listSeq++;
    this.lists.set(name, { items: values, at, index: prev?.index ?? seq, visibility: seq });
  }

  private macro(name: string, entries: Map<string, YamlNode>, textAt: (k: string) => Text | undefined, keyAt: (k: string) => Pos, at: Pos, append: boolean, ov: Record<string, string>): void {
    if (!entries.has('condition')) return this.error('PALISADE_RULES_INVALID_ITEM', { detail: `macro ${name} has no condition` }, at);
    const cond = textAt('condition');
    if (!cond) return;
    void keyAt;
    const prev = this.macros.get(name);
    if (append || ov.condition === 'append') {
      if (!prev) return this.error('PALISADE_RULES_NO_PREVIOUS', { kind: 'macro', name, how: append ? 'append: true' : 'override: append' }, at);
      prev.condition = appendText(prev.condition, cond);
      return;
    }
    this.macros.set(name, { condition: cond, at });
  }

  private rule(name: string, entries: Map<string, YamlNode>, js: (k: string) => unknown, textAt: (k: string) => Text | undefined, keyAt: (k: string) => Pos, at: Pos, append: boolean, ov: Record<string, string>): void {
    const prev = this.rules.get(name);
    const exceptions = entries.has('exceptions') ? this.exceptions(name, js('exceptions'), keyAt('exceptions')) : undefined;
    if (entries.has('exceptions') && !exceptions) return;
    const tags = js('tags');
    if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' && typeof t !== 'number'))) return this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${name}: tags must be a list of strings` }, keyAt('tags'));
    const enabledRaw = js('enabled');
    if (enabledRaw !== undefined && typeof enabledRaw !== 'boolean') return this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${name}: enabled must be true or false` }, keyAt('enabled'));
    let priority: Priority | undefined;
    if (entries.has('priority')) {
      priority = parsePriority(js('priority'));
      if (!priority) return this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${name}: unknown priority "${String(js('priority'))}"; expected emergency, alert, critical, error, warning, notice, informational (info) or debug` }, keyAt('priority'));
    }

    if (append || Object.keys(ov).length) {
      if (!prev) return this.error('PALISADE_RULES_NO_PREVIOUS', { kind: 'rule', name, how: append ? 'append: true' : 'override' }, at);
      const mode = (k: string): string | undefined => (append ? (k === 'condition' || k === 'exceptions' ? 'append' : undefined) : ov[k]);
      for (const k of entries.keys()) {
        if (['rule', 'append', 'override'].includes(k)) continue;
        const m = mode(k);
        if (!m) {
          if (append && k !== 'enabled') this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${name}: append: true can only append condition and exceptions; ${k} is ignored (use override:)` }, keyAt(k), 'warning');
          if (!append) this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${name}: ${k} is given without an override mode; ignored` }, keyAt(k), 'warning');
          if (!(append && k === 'enabled')) continue;
        }
        const appendable = ['condition', 'output', 'desc', 'tags', 'exceptions'];
        if (m === 'append' && !appendable.includes(k)) {
          this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${name}: ${k} cannot be appended to; use replace` }, keyAt(k));
          continue;
        }
        switch (k) {
          case 'condition':
          case 'output':
          case 'desc': {
            const t = textAt(k);
            if (!t) break;
            if (k === 'desc') prev.desc = m === 'append' ? `${prev.desc} ${t.text}` : t.text;
            else if (k === 'output') prev.output = trimText(m === 'append' ? appendText(prev.output, t) : t);
            else prev[k] = m === 'append' ? appendText(prev[k], t) : t;
            break;
          }
          case 'tags':
            prev.tags = m === 'append' ? [...new Set([...prev.tags, ...(tags as unknown[]).map(String)])] : (tags as unknown[]).map(String);
            break;
          case 'exceptions':
            if (m === 'append') this.appendExceptions(prev, exceptions!);
            else prev.exceptions = exceptions!;
            break;
          case 'priority':
            if (priority) prev.priority = priority;
            break;
          case 'enabled':
            prev.enabled = enabledRaw as boolean;
            break;
          case 'source':
            prev.source = String(js('source'));
            break;
          default:
            break;
        }
      }
      return;
    }

    // A rule item with only `enabled` toggles an existing rule (Falco's legacy form).
    const keys = [...entries.keys()].filter((k) => k !== 'rule');
    if (keys.length === 1 && keys[0] === 'enabled') {
      if (!prev) return this.error('PALISADE_RULES_NO_PREVIOUS', { kind: 'rule', name, how: 'only enabled:' }, at);
      prev.enabled = enabledRaw as boolean;
      return;
    }
    const missing = ['desc', 'condition', 'output', 'priority'].filter((k) => !entries.has(k));
    if (missing.length) return this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${name} lacks ${missing.join(', ')}` }, at);
    const known = new Set(['rule', 'desc', 'condition', 'output', 'priority', 'source', 'tags', 'enabled', 'exceptions', 'append', 'override', 'skip-if-unknown-filter', 'warn_evttypes', 'capture', 'capture_duration']);
    for (const k of entries.keys()) if (!known.has(k)) this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${name}: unknown key ${k}; ignored` }, keyAt(k), 'warning');
    const condition = textAt('condition');
    const rawOutput = textAt('output');
    const output = rawOutput && trimText(rawOutput);
    const desc = textAt('desc');
    if (!condition || !output || !desc || !priority) return;
    this.rules.set(name, {
      name,
      desc: desc.text,
      condition,
      output,
      priority,
      source: entries.has('source') ? String(js('source')) : 'syscall',
      tags: tags ? (tags as unknown[]).map(String) : [],
      enabled: enabledRaw === undefined ? true : (enabledRaw as boolean),
      exceptions: exceptions ?? [],
      skipIfUnknownFilter: js('skip-if-unknown-filter') === true,
      at,
    });
  }

  private exceptions(rule: string, raw: unknown, at: Pos): ExceptionDef[] | undefined {
    if (!Array.isArray(raw)) {
      this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${rule}: exceptions must be a list` }, at);
      return undefined;
    }
    const out: ExceptionDef[] = [];
    for (const e of raw) {
      if (typeof e !== 'object' || e === null || typeof (e as { name?: unknown }).name !== 'string') {
        this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${rule}: each exception needs a name` }, at);
        return undefined;
      }
      const x = e as { name: string; fields?: unknown; comps?: unknown; values?: unknown };
      if (out.some((o) => o.name === x.name)) {
        this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${rule}: exception names must be unique; ${x.name} is given twice` }, at);
        return undefined;
      }
      const strOrList = (v: unknown): boolean => v === undefined || typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
      if (!strOrList(x.fields) || !strOrList(x.comps)) {
        this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${rule}: exception ${x.name}: fields and comps must be a string or a list of strings` }, at);
        return undefined;
      }
      if (x.values !== undefined && !Array.isArray(x.values)) {
        this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${rule}: exception ${x.name}: values must be a list` }, at);
        return undefined;
      }
      if (Array.isArray(x.fields) && Array.isArray(x.comps) && x.comps.length !== x.fields.length) {
        this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${rule}: exception ${x.name}: fields and comps have different lengths` }, at);
        return undefined;
      }
      if (Array.isArray(x.fields)) {
        for (const v of (x.values as unknown[]) ?? []) {
          if (!Array.isArray(v) || v.length !== x.fields.length) {
            this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${rule}: exception ${x.name}: each value must be a list of ${x.fields.length} item(s), one per field` }, at);
            return undefined;
          }
        }
      }
      out.push({ name: x.name, fields: x.fields as string | string[] | undefined, comps: x.comps as string | string[] | undefined, values: (x.values as unknown[]) ?? [], at });
    }
    return out;
  }

  private appendExceptions(rule: RuleDef, add: ExceptionDef[]): void {
    for (const e of add) {
      const prev = rule.exceptions.find((x) => x.name === e.name);
      if (prev) prev.values.push(...e.values);
      else if (e.fields === undefined) this.error('PALISADE_RULES_INVALID_ITEM', { detail: `rule ${rule.name}: appended exception ${e.name} is new and has no fields` }, e.at);
      else rule.exceptions.push(e);
    }
  }

  /**
   * Every list with its list references expanded as Falco does. A list's own items: an item
   * naming a list defined before (the latest definition or append of) the list holding it brings
   * that list's items as written, one level deep; any other item is a literal. Falco then puts
   * lists into conditions by text, list after list in definition order, so among the items put
   * in for list L, a name of a list defined after L is replaced in turn, and any other name
   * stays a literal.
   */
  private expandedLists(): Map<string, string[]> {
    const own = new Map<string, string[]>();
    for (const [name, l] of this.lists) {
      const items: string[] = [];
      for (const it of l.items) {
        const ref = this.lists.get(it);
        if (ref && ref.index < l.visibility) items.push(...ref.items);
        else items.push(it);
      }
      own.set(name, items);
    }
    const out = new Map<string, string[]>();
    const expand = (name: string): string[] => {
      const done = out.get(name);
      if (done) return done;
      const index = this.lists.get(name)!.index;
      const items: string[] = [];
      for (const it of own.get(name)!) {
        const ref = this.lists.get(it);
        // Indexes only grow along this recursion, so it ends.
        if (ref && ref.index > index) items.push(...expand(it));
        else items.push(it);
      }
      out.set(name, items);
      return items;
    };
    for (const name of this.lists.keys()) expand(name);
    return out;
  }

  summaries(): RuleSummary[] {
    return [...this.rules.values()].map((r) => ({ name: r.name, desc: r.desc, priority: r.priority, source: r.source, tags: r.tags, enabled: r.enabled, file: r.at.file, line: r.at.line }));
  }

  /** Compiles the rules of `source` (enabled or not); rules of other sources get a note. */
  compile<E>(source: EventSource<E>): CompiledRule<E>[] {
    const lists = this.expandedLists();
    const macros = new Map<string, MacroDef>();
    for (const [name, m] of this.macros) {
      try {
        macros.set(name, { ast: parseCondition(m.condition.text), where: m.condition });
      } catch (e) {
        if (!(e instanceof ConditionSyntaxError)) throw e;
        this.error('PALISADE_RULES_SYNTAX', { detail: `macro ${name}: ${e.message}` }, locateIn(m.condition, e.offset));
      }
    }
    const compiler = new ConditionCompiler<E>({ source, macros, lists });
    const out: CompiledRule<E>[] = [];
    const skipped = new Map<string, number>();
    for (const r of this.rules.values()) {
      let ast: CondNode;
      try {
        ast = parseCondition(r.condition.text);
      } catch (e) {
        if (!(e instanceof ConditionSyntaxError)) throw e;
        this.error('PALISADE_RULES_SYNTAX', { detail: `rule ${r.name}: ${e.message}` }, locateIn(r.condition, e.offset));
        continue;
      }
      if (!source.aliases.includes(r.source)) {
        skipped.set(r.source, (skipped.get(r.source) ?? 0) + 1);
        continue;
      }
      try {
        const exc = this.exceptionNode(r);
        const main = compiler.compile(ast, r.condition);
        const c = exc ? compiler.compile({ kind: 'and', children: [{ kind: 'const', value: true, pos: 0 }, { kind: 'not', child: exc, pos: 0 }], pos: 0 }, 'exception') : undefined;
        const mt = main.test;
        const et = c?.test;
        const test: Predicate<E> = et ? (ev) => mt(ev) && et(ev) : mt;
        const tpl = parseTemplate(r.output.text, (n) => source.fields.has(n));
        const getters = tpl.fields.map((f) => {
          return compiler.bindField(f.ref, r.output).get;
        });
        out.push({ name: r.name, desc: r.desc, priority: r.priority, source: source.name, tags: r.tags, enabled: r.enabled, test, cost: main.cost + (c?.cost ?? 0), constraints: main.constraints, output: bindTemplate(tpl, getters), file: r.at.file, line: r.at.line });
      } catch (e) {
        if (!(e instanceof CompileError)) throw e;
        if (e.code === 'PALISADE_RULES_UNKNOWN_FIELD' && r.skipIfUnknownFilter) {
          this.error('PALISADE_RULES_SKIPPED', { detail: `rule ${r.name} skipped: unknown field ${e.data.field} (skip-if-unknown-filter)` }, r.at, 'warning');
          continue;
        }
        const at = e.where === 'exception' ? r.exceptions[0]?.at ?? r.at : locateIn(e.where as Text, e.offset);
        const data = e.code === 'PALISADE_RULES_SYNTAX' || e.code === 'PALISADE_RULES_BAD_VALUE' ? { detail: `rule ${r.name}: ${e.data.detail}` } : e.data;
        this.error(e.code, data, at);
      }
    }
    for (const [s, n] of skipped) this.error('PALISADE_RULES_SKIPPED', { detail: `${n} rule(s) of source ${s} skipped: Palisade evaluates ${source.name} rules here` }, undefined, 'note');
    return out;
  }

  /** `exc1 or exc2 …` for a rule's exceptions, or undefined when none has values. */
  private exceptionNode(r: RuleDef): CondNode | undefined {
    const alts: CondNode[] = [];
    const fieldRef = (f: string): FieldRef => {
      let ast: CondNode;
      try {
        ast = parseCondition(`${f} exists`);
      } catch {
        throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `exception field "${f}" is not a field name` }, 0, 'exception');
      }
      if (ast.kind !== 'cmp') throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `exception field "${f}" is not a field name` }, 0, 'exception');
      return { ...ast.field, pos: 0 };
    };
    const cmp = (field: FieldRef, op: string, value: unknown): CondNode => {
      const known: CmpOp[] = ['=', '==', '!=', '<', '<=', '>', '>=', 'contains', 'icontains', 'startswith', 'endswith', 'in', 'intersects', 'pmatch', 'glob', 'iglob', 'regex', 'bcontains', 'bstartswith'];
      if (!known.includes(op as CmpOp)) throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `exception comparison "${op}" is not an operator` }, 0, 'exception');
      const o = op as CmpOp;
      if (isListOp(o)) {
        const items = Array.isArray(value) ? value.map((v) => ({ value: String(v), quoted: false, pos: 0 })) : [{ value: String(value), quoted: false, pos: 0 }];
        return { kind: 'cmp', field, op: o, rhs: { kind: 'list', items, pos: 0 }, pos: 0 };
      }
      return { kind: 'cmp', field, op: o, rhs: { kind: 'value', item: { value: String(value), quoted: true, pos: 0 } }, pos: 0 };
    };
    for (const e of r.exceptions) {
      if (!e.values.length) continue;
      if (e.fields === undefined) throw new CompileError('PALISADE_RULES_BAD_VALUE', { detail: `exception ${e.name} has values but no fields` }, 0, 'exception');
      if (Array.isArray(e.fields)) {
        const refs = e.fields.map(fieldRef);
        const comps = Array.isArray(e.comps) ? e.comps : e.fields.map(() => (typeof e.comps === 'string' ? e.comps : '='));
        for (const tuple of e.values as unknown[][]) {
          const parts = refs.map((f, i) => cmp(f, comps[i]!, tuple[i]));
          alts.push(parts.length === 1 ? parts[0]! : { kind: 'and', children: parts, pos: 0 });
        }
      } else {
        const f = fieldRef(e.fields);
        const comp = typeof e.comps === 'string' ? e.comps : 'in';
        if (isListOp(comp as CmpOp)) alts.push(cmp(f, comp, e.values));
        else for (const v of e.values) alts.push(cmp(f, comp, v));
      }
    }
    if (!alts.length) return undefined;
    return alts.length === 1 ? alts[0] : { kind: 'or', children: alts, pos: 0 };
  }
}
