import type { Control, ControlContext, ControlMeta, ControlSettings, ReportDescriptor, Visitor } from '../core/control.js';
import { diagnostic, type Diagnostic } from '../core/errors.js';
import type { ExceptionRef, Finding, FindingResourceRef } from '../core/finding.js';
import type { Inventory, PodSpecView } from '../core/inventory.js';
import type { JsonPath } from '../core/path.js';
import { isPlainText, isPlainValue } from '../core/plain-text.js';
import { isRedacted, isSecretPath, redact } from '../core/redact.js';
import type { Resource } from '../core/resource.js';
import type { Severity } from '../core/severity.js';

export interface EngineOptions {
  controls: readonly Control[];
  settings: ControlSettings;
  /** Options per control id (already validated). */
  controlOptions?: Readonly<Record<string, Record<string, unknown>>>;
  /** Effective severity per control id. */
  severityOverrides?: Readonly<Record<string, Severity>>;
  /** Decides whether an exception covers a finding; the engine marks it excepted. */
  exceptionFor?: (finding: Finding, resource: Resource) => ExceptionRef | undefined;
}

export interface ControlRun {
  meta: ControlMeta;
  severity: Severity;
  /** Resources this control examined. */
  evaluated: number;
  failed: number;
  excepted: number;
}

export interface EngineResult {
  findings: Finding[];
  controls: ControlRun[];
  diagnostics: Diagnostic[];
  /**
   * The findings whose message is not plain text (src/core/plain-text.ts): a value put into it
   * has control characters, surrogates or white space other than single inner spaces, or the
   * template's own text has. Every other finding's message is plain. Undefined when none.
   */
  rawMessages?: ReadonlySet<Finding>;
}

/** Which controls handle what, by index: a visitor's keys say what it visits. */
interface Handlers {
  onResource: number[];
  onPodSpec: number[];
  onContainer: number[];
  onInventory: number[];
  byKind: Map<string, number[]>;
  /** The visitor has only `inventory`: a silent one still counts as having judged the scan. */
  onlyInventory: boolean[];
}

function handlersOf(visitors: readonly Visitor[]): Handlers {
  const h: Handlers = { onResource: [], onPodSpec: [], onContainer: [], onInventory: [], byKind: new Map(), onlyInventory: [] };
  visitors.forEach((v, i) => {
    if (v.resource) h.onResource.push(i);
    if (v.podSpec) h.onPodSpec.push(i);
    if (v.container) h.onContainer.push(i);
    if (v.inventory) h.onInventory.push(i);
    const keys = Object.keys(v);
    h.onlyInventory.push(keys.length === 1);
    for (const key of keys) {
      if (/^[A-Z]/.test(key)) {
        const list = h.byKind.get(key);
        if (list) list.push(i);
        else h.byKind.set(key, [i]);
      }
    }
  });
  return h;
}

/** What one run may leave out. */
export interface RunOptions {
  /**
   * false: findings get an empty fingerprint, for callers that compute fingerprint() only
   * for the few findings they keep (the webhook: when it logs or compares with the stored
   * object).
   */
  fingerprints?: boolean;
  /** false: findings get no fix (a fix given as a function is never built). Default true. */
  fixes?: boolean;
  /**
   * false: no per-control bookkeeping; the result's `controls` is empty, and what each control
   * evaluated, failed and excepted is not counted. For callers that read only the findings (the
   * admission webhook); a scan needs the counts for its summary and framework status. Default true.
   */
  controlRuns?: boolean;
}

/**
 * Controls made ready to run many times with the same options: the handler tables,
 * per-control settings and each control's context are made once. A context is shared by
 * every run; its report() goes to the run in progress. Every run still calls check() afresh
 * for controls that keep per-run state in its closure (names seen, objects still undecided
 * until the inventory visitor); the visitor of a control marked reusableVisitor is made once
 * and serves every run, since it reports only through that shared context. The visitors
 * made here to learn the handler tables serve the first run. The admission webhook judges
 * every review with one of these.
 *
 * Assumes what check() returns has the same keys on every call with the same options (the
 * state a visitor keeps changes, not what it visits).
 */
export class PreparedControls {
  readonly severities: readonly Severity[];
  readonly options: readonly Record<string, unknown>[];
  readonly handlers: Handlers;
  private readonly contexts: readonly ControlContext[];
  private readonly messages: readonly MessageParts[];
  /** The run in progress: runs are synchronous, and a nested one restores the outer one. */
  private active: Run | undefined = undefined;
  /** Visitors made while preparing, not yet used by a run. */
  private fresh: Visitor[] | undefined;
  /** Per control, its visitor when it serves every run (reusableVisitor); the others stay empty. */
  private readonly kept: (Visitor | undefined)[];
  /** The controls whose check() every run calls. */
  private readonly remade: readonly number[];
  /** A visitors array a run may fill and hand back, so a run does not copy `kept` (none while one is in use). */
  private spare: (Visitor | undefined)[] | undefined = undefined;

  constructor(readonly opts: EngineOptions) {
    const { controls, settings, controlOptions, severityOverrides } = opts;
    this.options = controls.map((c) => controlOptions?.[c.meta.id] ?? {});
    this.severities = controls.map((c) => severityOverrides?.[c.meta.id] ?? c.meta.severity);
    this.messages = controls.map(() => new Map());
    const reportedOutsideRun = new Set<number>();
    this.contexts = controls.map((_, i) => ({
      settings,
      options: this.options[i]!,
      report: (d: ReportDescriptor) => {
        const run = this.active;
        if (run) run.report(i, d);
        // Outside any run (from check() while preparing) a report has nowhere to go, and the
        // visitors made then must not serve a run: it would miss that finding.
        else reportedOutsideRun.add(i);
      },
    }));
    const visitors = controls.map((c, i) => c.check(this.contexts[i]!));
    this.handlers = handlersOf(visitors);
    this.fresh = reportedOutsideRun.size ? undefined : visitors;
    this.kept = controls.map((c, i) => (c.reusableVisitor === true && !reportedOutsideRun.has(i) ? visitors[i] : undefined));
    this.remade = controls.flatMap((_, i) => (this.kept[i] ? [] : [i]));
  }

  /** Walks the inventory once, calling every control's visitor, and collects findings. */
  run(inventory: Inventory, runOptions: RunOptions = {}): EngineResult {
    const controls = this.opts.controls;
    let runs: ControlRun[] | undefined;
    if (runOptions.controlRuns !== false) {
      const n = controls.length;
      runs = new Array(n);
      for (let i = 0; i < n; i++) runs[i] = { meta: controls[i]!.meta, severity: this.severities[i]!, evaluated: 0, failed: 0, excepted: 0 };
    }
    const run = new Run(this.opts, this.severities, this.messages, runs, runOptions.fingerprints !== false, runOptions.fixes !== false);
    const outer = this.active;
    this.active = run;
    let visitors = this.fresh as (Visitor | undefined)[] | undefined;
    this.fresh = undefined;
    const remade = this.remade;
    try {
      if (!visitors) {
        // The spare array already holds the kept visitors; a nested run (the spare in use) copies them.
        visitors = this.spare ?? this.kept.slice();
        this.spare = undefined;
        for (let k = 0; k < remade.length; k++) {
          const i = remade[k]!;
          visitors[i] = controls[i]!.check(this.contexts[i]!);
        }
      }
      walk(inventory, visitors as Visitor[], this.handlers, run);
    } finally {
      this.active = outer;
      if (visitors && !this.spare) {
        // Handed back without this run's visitors, so their state (and the objects it holds) can go.
        for (let k = 0; k < remade.length; k++) visitors[remade[k]!] = undefined;
        this.spare = visitors;
      }
    }
    return run.rawMessages ? { findings: run.findings, controls: runs ?? [], diagnostics: run.diagnostics, rawMessages: run.rawMessages } : { findings: run.findings, controls: runs ?? [], diagnostics: run.diagnostics };
  }
}

export function prepareControls(opts: EngineOptions): PreparedControls {
  return new PreparedControls(opts);
}

/** Walks the inventory once, calling every control's visitor, and collects findings. */
export function runControls(inventory: Inventory, opts: EngineOptions | PreparedControls, runOptions: RunOptions = {}): EngineResult {
  return (opts instanceof PreparedControls ? opts : new PreparedControls(opts)).run(inventory, runOptions);
}

/** The state of one run: what its controls reported and counted so far. */
class Run {
  readonly findings: Finding[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** Findings whose message is not plain text (EngineResult.rawMessages); made at the first. */
  rawMessages: Set<Finding> | undefined = undefined;
  /** The resource being visited; undefined in inventory visitors. */
  current: Resource | undefined = undefined;
  /** Per control, the last resource counted as evaluated (a resource counts once per control); unused without `runs`. */
  private readonly lastJudged: (Resource | undefined)[] | undefined;
  /** The resource reference of the last finding, and of the others (most findings are on the visited resource). */
  private refResource: Resource | undefined = undefined;
  private ref: FindingResourceRef | undefined = undefined;
  private refs: Map<Resource, FindingResourceRef> | undefined = undefined;

  constructor(
    private readonly opts: EngineOptions,
    private readonly severities: readonly Severity[],
    private readonly messages: readonly MessageParts[],
    /** Per control, its counts; undefined when the caller does not want them (RunOptions.controlRuns). */
    readonly runs: ControlRun[] | undefined,
    private readonly withFingerprints: boolean,
    private readonly withFixes: boolean,
  ) {
    this.lastJudged = runs ? new Array(runs.length) : undefined;
  }

  report(i: number, d: ReportDescriptor): void {
    const meta = this.opts.controls[i]!.meta;
    const resource = d.resource ?? this.current;
    if (!resource) throw new Error(`${meta.id}: report() outside of a resource needs d.resource`);
    const message = formatParts(messagePartsOf(this.messages[i]!, meta, d.messageId), d.data);
    const f = makeFinding(meta, this.severities[i]!, resource, this.refOf(resource), message, d, this.withFingerprints, this.withFixes);
    if (!messagePlain) (this.rawMessages ??= new Set()).add(f);
    const exc = this.opts.exceptionFor?.(f, resource);
    if (exc) {
      f.status = 'excepted';
      f.exception = exc;
      if (this.runs) this.runs[i]!.excepted++;
    } else if (this.runs) this.runs[i]!.failed++;
    this.findings.push(f);
  }

  /** One reference object per resource, shared by its findings (a scan can have hundreds of thousands). */
  private refOf(r: Resource): FindingResourceRef {
    if (r === this.refResource) return this.ref!;
    let ref = this.refs?.get(r);
    if (!ref) {
      ref = { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name, key: r.key };
      // Findings on a second resource: from now on every reference is kept (inventory visitors report on any resource).
      if (this.refResource) (this.refs ??= new Map([[this.refResource, this.ref!]])).set(r, ref);
    }
    this.refResource = r;
    this.ref = ref;
    return ref;
  }

  judged(i: number, resource: Resource, result: unknown): void {
    const last = this.lastJudged;
    if (last !== undefined && result !== false && last[i] !== resource) {
      last[i] = resource;
      this.runs![i]!.evaluated++;
    }
  }

  /** What an inventory visitor returned: how many objects it judged, or nothing. */
  judgedInventory(i: number, count: unknown, onlyInventory: boolean): void {
    const run = this.runs?.[i];
    if (!run) return;
    if (typeof count === 'number') run.evaluated += count;
    // A control that only looks across resources and says nothing counts as having judged the scan.
    else if (onlyInventory) run.evaluated = Math.max(run.evaluated, 1);
  }

  /** A control threw: a warning (naming the file when visiting a resource), and the walk goes on. */
  failed(i: number, resource: Resource | undefined, e: unknown): void {
    const where = resource ? { level: 'warning' as const, file: resource.origin.type === 'manifest' ? resource.origin.file : undefined } : { level: 'warning' as const };
    this.diagnostics.push(diagnostic('PALISADE_ENGINE_CONTROL_FAILED', { control: this.opts.controls[i]!.meta.id, detail: (e as Error).message }, where));
  }
}

/** The pod spec view of `r` in a short list, searched (the last view of a resource wins, as in an index). */
function podSpecIn(podSpecs: readonly PodSpecView[], r: Resource): PodSpecView | undefined {
  for (let j = podSpecs.length - 1; j >= 0; j--) if (podSpecs[j]!.resource === r) return podSpecs[j];
  return undefined;
}

/** Longer lists are indexed once per walk. */
function podSpecIndex(podSpecs: readonly PodSpecView[]): Map<Resource, PodSpecView> | undefined {
  if (podSpecs.length <= 8) return undefined;
  const byResource = new Map<Resource, PodSpecView>();
  for (const ps of podSpecs) byResource.set(ps.resource, ps);
  return byResource;
}

// Indexed loops throughout: a review walks one object, often in code not yet optimised, where
// for-of would allocate an iterator per list.
function walk(inventory: Inventory, visitors: readonly Visitor[], handlers: Handlers, run: Run): void {
  const { onResource, onPodSpec, onContainer, onInventory, byKind, onlyInventory } = handlers;
  const resources = inventory.resources;
  const podSpecs = inventory.podSpecs;
  const podSpecByResource = podSpecIndex(podSpecs);
  for (let ri = 0; ri < resources.length; ri++) {
    const r = resources[ri]!;
    run.current = r;
    for (let k = 0; k < onResource.length; k++) {
      const i = onResource[k]!;
      try {
        run.judged(i, r, visitors[i]!.resource!(r));
      } catch (e) {
        run.failed(i, r, e);
      }
    }
    const kindHandlers = byKind.get(r.kind);
    if (kindHandlers) {
      for (let k = 0; k < kindHandlers.length; k++) {
        const i = kindHandlers[k]!;
        try {
          run.judged(i, r, (visitors[i] as Record<string, (r: Resource) => unknown>)[r.kind]!(r));
        } catch (e) {
          run.failed(i, r, e);
        }
      }
    }
    const ps = podSpecByResource ? podSpecByResource.get(r) : podSpecIn(podSpecs, r);
    if (ps) {
      for (let k = 0; k < onPodSpec.length; k++) {
        const i = onPodSpec[k]!;
        try {
          run.judged(i, r, visitors[i]!.podSpec!(ps));
        } catch (e) {
          run.failed(i, r, e);
        }
      }
      if (onContainer.length) {
        const containers = ps.containers;
        for (let ci = 0; ci < containers.length; ci++) {
          const c = containers[ci]!;
          for (let k = 0; k < onContainer.length; k++) {
            const i = onContainer[k]!;
            try {
              run.judged(i, r, visitors[i]!.container!(c, ps));
            } catch (e) {
              run.failed(i, r, e);
            }
          }
        }
      }
    }
  }
  run.current = undefined;
  for (let k = 0; k < onInventory.length; k++) {
    const i = onInventory[k]!;
    try {
      run.judgedInventory(i, visitors[i]!.inventory!(inventory), onlyInventory[i]!);
    } catch (e) {
      run.failed(i, undefined, e);
    }
  }
}

/**
 * Stable across scans: the same control, resource identity, path and message id give the
 * same fingerprint whatever the file or line. A 128-bit non-cryptographic hash (four
 * 32-bit FNV-1a lanes, each finished with MurmurHash3's avalanche): fingerprints name
 * findings, they protect nothing, and a review or a scan makes hundreds of thousands.
 */
export function fingerprint(controlId: string, resourceKey: string, path: JsonPath, messageId: string): string {
  fpA = 0x811c9dc5;
  fpB = 0x01000193 ^ 0x5bd1e995;
  fpC = 0x27d4eb2f;
  fpD = 0x165667b1;
  feed(controlId);
  feed(resourceKey);
  for (const seg of path) feed(typeof seg === 'number' ? `#${seg}` : seg);
  feed(messageId);
  return hex32(fpA) + hex32(fpB) + hex32(fpC) + hex32(fpD);
}

// The four lanes live outside the function so feeding a part allocates nothing.
let fpA = 0;
let fpB = 0;
let fpC = 0;
let fpD = 0;

function feed(s: string): void {
  let a = fpA;
  let b = fpB;
  let c = fpC;
  let d = fpD;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    a = Math.imul(a ^ ch, 0x01000193);
    b = Math.imul(b ^ ch, 0x01000193) ^ (a >>> 15);
    c = Math.imul(c ^ ch, 0x85ebca6b) + b;
    d = Math.imul(d ^ ch, 0xc2b2ae35) ^ (c >>> 13);
  }
  // A separator that cannot occur in the parts keeps ("ab","c") apart from ("a","bc").
  fpA = Math.imul(a ^ 0xffff, 0x01000193);
  fpB = Math.imul(b ^ 0xfffe, 0x01000193);
  fpC = c;
  fpD = d;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(h: number): string {
  const x = fmix32(h) >>> 0;
  return HEX_BYTE[x >>> 24]! + HEX_BYTE[(x >>> 16) & 0xff]! + HEX_BYTE[(x >>> 8) & 0xff]! + HEX_BYTE[x & 0xff]!;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/**
 * formatMessage with each template split once into literal text and placeholders (same
 * result: `{{name}}` replaced by String(data.name) when data has it, left as is otherwise).
 */
const TEMPLATE_PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/** A message template split into literal text (even indexes) and data keys (odd indexes). */
interface CompiledTemplate {
  readonly parts: readonly string[];
  /** The literal text is plain with plain values in place of the keys (isPlainValue). */
  readonly plain: boolean;
}

const compiledTemplates = new Map<string, CompiledTemplate>();

function compileTemplate(template: string): CompiledTemplate {
  const parts: string[] = [];
  let last = 0;
  for (const m of template.matchAll(TEMPLATE_PLACEHOLDER)) {
    parts.push(template.slice(last, m.index), m[1]!);
    last = m.index! + m[0].length;
  }
  parts.push(template.slice(last));
  // A value is never empty nor starts or ends with a space when it counts as plain: any one stands for them.
  return { parts, plain: isPlainText(parts.map((p, i) => (i % 2 ? 'x' : p)).join('')) };
}

function templateParts(template: string): CompiledTemplate {
  let parts = compiledTemplates.get(template);
  if (!parts) {
    parts = compileTemplate(template);
    // Templates come from control metadata; policy files add a bounded number more.
    if (compiledTemplates.size < 10_000) compiledTemplates.set(template, parts);
  }
  return parts;
}

export function formatTemplate(template: string, data?: Record<string, unknown>): string {
  return formatParts(templateParts(template), data);
}

/** Stands for absent data (a shared object instead of a new `{}` per message; same prototype, so the same lookups). */
const NO_DATA: Record<string, unknown> = Object.freeze({});

/** Whether the message formatParts made last is plain text (a variable rather than a result object: one per finding). */
let messagePlain = true;

function formatParts(template: CompiledTemplate, data: Record<string, unknown> = NO_DATA): string {
  const parts = template.parts;
  let plain = template.plain;
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const k = parts[i]!;
    // One lookup when the value is there; `in` only tells a missing key from an undefined value.
    const v = data[k];
    if (v !== undefined || k in data) {
      const text = typeof v === 'string' ? v : String(v);
      // Numbers and booleans print plain; strings and the rest are looked at while the message still may be.
      if (plain && typeof v !== 'number' && typeof v !== 'boolean' && !isPlainValue(text)) plain = false;
      out += text;
    } else out += `{{${k}}}`;
    // A placeholder often ends the template: no concatenation with the empty tail.
    const tail = parts[i + 1]!;
    if (tail) out += tail;
  }
  messagePlain = plain;
  return out;
}

/** The compiled message templates of one control by message id, kept across runs (its meta does not change). */
type MessageParts = Map<string, CompiledTemplate>;

function messagePartsOf(cache: MessageParts, meta: ControlMeta, messageId: string): CompiledTemplate {
  let parts = cache.get(messageId);
  if (!parts) {
    const template = meta.messages[messageId];
    if (template === undefined) throw new Error(`${meta.id}: unknown messageId "${messageId}"`);
    parts = templateParts(template);
    cache.set(messageId, parts);
  }
  return parts;
}

function makeFinding(meta: ControlMeta, severity: Severity, resource: Resource, ref: FindingResourceRef, message: string, d: ReportDescriptor, withFingerprint: boolean, withFix: boolean): Finding {
  // One object literal, optional fields added after (a second literal made with the evidence
  // saved ~300 B per admission review but measured no faster).
  const f: Finding = {
    controlId: meta.id,
    severity,
    status: 'fail',
    messageId: d.messageId,
    message,
    resource: ref,
    path: d.path,
    fingerprint: withFingerprint ? fingerprint(meta.id, resource.key, d.path, d.messageId) : '',
  };
  if (resource.origin.type === 'manifest') {
    const loc = resource.origin.locate(d.path);
    if (loc.exact) loc.path = d.path;
    f.location = loc;
  }
  if (d.evidence !== undefined) f.evidence = isSecretPath(resource.kind, d.path) && !isRedacted(d.evidence) ? redact(d.evidence) : d.evidence;
  if (withFix && d.fix) {
    const fix = typeof d.fix === 'function' ? d.fix() : d.fix;
    if (fix) f.fix = fix;
  }
  return f;
}

