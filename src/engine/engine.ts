import type { Control, ControlMeta, ControlSettings, ReportDescriptor, Visitor } from '../core/control.js';
import { diagnostic, type Diagnostic } from '../core/errors.js';
import type { ExceptionRef, Finding, FindingResourceRef } from '../core/finding.js';
import type { ContainerView, Inventory, PodSpecView } from '../core/inventory.js';
import type { JsonPath } from '../core/path.js';
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

/**
 * Controls made ready to run many times with the same options: the handler tables and
 * per-control settings are computed once. Every run still calls each control's check()
 * afresh, because controls keep per-run state in its closure (names seen, objects still
 * undecided until the inventory visitor). The admission webhook judges every review with
 * one of these.
 */
export interface PreparedControls {
  readonly opts: EngineOptions;
  readonly severities: readonly Severity[];
  readonly options: readonly Record<string, unknown>[];
  readonly handlers: Handlers;
}

/**
 * Assumes what check() returns has the same keys on every call with the same options (the
 * state a visitor keeps changes, not what it visits).
 */
export function prepareControls(opts: EngineOptions): PreparedControls {
  const options = opts.controls.map((c) => opts.controlOptions?.[c.meta.id] ?? {});
  const visitors = opts.controls.map((c, i) => c.check({ settings: opts.settings, options: options[i]!, report() {} }));
  return {
    opts,
    severities: opts.controls.map((c) => opts.severityOverrides?.[c.meta.id] ?? c.meta.severity),
    options,
    handlers: handlersOf(visitors),
  };
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
}

/** Walks the inventory once, calling every control's visitor, and collects findings. */
export function runControls(inventory: Inventory, opts: EngineOptions | PreparedControls, runOptions: RunOptions = {}): EngineResult {
  const withFingerprints = runOptions.fingerprints !== false;
  const withFixes = runOptions.fixes !== false;
  const prepared = 'handlers' in opts ? opts : undefined;
  const o = prepared ? prepared.opts : (opts as EngineOptions);
  const controls = o.controls;
  const n = controls.length;
  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = [];
  let current: Resource | undefined;

  const runs: ControlRun[] = new Array(n);
  const visitors: Visitor[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const control = controls[i]!;
    const run: ControlRun = { meta: control.meta, severity: prepared ? prepared.severities[i]! : o.severityOverrides?.[control.meta.id] ?? control.meta.severity, evaluated: 0, failed: 0, excepted: 0 };
    runs[i] = run;
    visitors[i] = control.check({
      settings: o.settings,
      options: prepared ? prepared.options[i]! : o.controlOptions?.[control.meta.id] ?? {},
      report(d: ReportDescriptor) {
        const resource = d.resource ?? current;
        if (!resource) throw new Error(`${control.meta.id}: report() outside of a resource needs d.resource`);
        const f = makeFinding(control.meta, run.severity, resource, d, withFingerprints, withFixes);
        const exc = o.exceptionFor?.(f, resource);
        if (exc) {
          f.status = 'excepted';
          f.exception = exc;
          run.excepted++;
        } else run.failed++;
        findings.push(f);
      },
    });
  }
  // Handler tables built once (per run, or per configuration), so the walk only calls what exists.
  const { onResource, onPodSpec, onContainer, onInventory, byKind, onlyInventory } = prepared ? prepared.handlers : handlersOf(visitors);
  const lastResource: (Resource | undefined)[] = new Array(n);

  const judged = (i: number, resource: Resource, result: unknown) => {
    if (result !== false && lastResource[i] !== resource) {
      lastResource[i] = resource;
      runs[i]!.evaluated++;
    }
  };
  const failed = (i: number, resource: Resource, e: unknown) => {
    diagnostics.push(
      diagnostic('PALISADE_ENGINE_CONTROL_FAILED', { control: controls[i]!.meta.id, detail: (e as Error).message }, {
        level: 'warning',
        file: resource.origin.type === 'manifest' ? resource.origin.file : undefined,
      }),
    );
  };

  const podSpecByResource = new Map<Resource, PodSpecView>();
  for (const ps of inventory.podSpecs) podSpecByResource.set(ps.resource, ps);

  for (const r of inventory.resources) {
    current = r;
    for (const i of onResource) {
      try {
        judged(i, r, visitors[i]!.resource!(r));
      } catch (e) {
        failed(i, r, e);
      }
    }
    const kindHandlers = byKind.get(r.kind);
    if (kindHandlers) {
      for (const i of kindHandlers) {
        try {
          judged(i, r, (visitors[i] as Record<string, (r: Resource) => unknown>)[r.kind]!(r));
        } catch (e) {
          failed(i, r, e);
        }
      }
    }
    const ps = podSpecByResource.get(r);
    if (ps) {
      for (const i of onPodSpec) {
        try {
          judged(i, r, visitors[i]!.podSpec!(ps));
        } catch (e) {
          failed(i, r, e);
        }
      }
      if (onContainer.length) {
        for (const c of ps.containers as ContainerView[]) {
          for (const i of onContainer) {
            try {
              judged(i, r, visitors[i]!.container!(c, ps));
            } catch (e) {
              failed(i, r, e);
            }
          }
        }
      }
    }
  }
  current = undefined;
  for (const i of onInventory) {
    try {
      const count = visitors[i]!.inventory!(inventory);
      if (typeof count === 'number') runs[i]!.evaluated += count;
      // A control that only looks across resources and says nothing counts as having judged the scan.
      else if (onlyInventory[i]) runs[i]!.evaluated = Math.max(runs[i]!.evaluated, 1);
    } catch (e) {
      diagnostics.push(diagnostic('PALISADE_ENGINE_CONTROL_FAILED', { control: controls[i]!.meta.id, detail: (e as Error).message }, { level: 'warning' }));
    }
  }
  return { findings, controls: runs, diagnostics };
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
const compiledTemplates = new Map<string, readonly string[]>();

function compileTemplate(template: string): readonly string[] {
  // Even indexes: literal text; odd indexes: data keys.
  const parts: string[] = [];
  let last = 0;
  for (const m of template.matchAll(TEMPLATE_PLACEHOLDER)) {
    parts.push(template.slice(last, m.index), m[1]!);
    last = m.index! + m[0].length;
  }
  parts.push(template.slice(last));
  return parts;
}

export function formatTemplate(template: string, data: Record<string, unknown> = {}): string {
  let parts = compiledTemplates.get(template);
  if (!parts) {
    parts = compileTemplate(template);
    // Templates come from control metadata; policy files add a bounded number more.
    if (compiledTemplates.size < 10_000) compiledTemplates.set(template, parts);
  }
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const k = parts[i]!;
    out += (k in data ? String(data[k]) : `{{${k}}}`) + parts[i + 1]!;
  }
  return out;
}

/** One reference object per resource, shared by its findings (a scan can have hundreds of thousands). */
const refs = new WeakMap<Resource, FindingResourceRef>();
function resourceRef(r: Resource): FindingResourceRef {
  let ref = refs.get(r);
  if (!ref) {
    ref = { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name, key: r.key };
    refs.set(r, ref);
  }
  return ref;
}

function makeFinding(meta: ControlMeta, severity: Severity, resource: Resource, d: ReportDescriptor, withFingerprint: boolean, withFix: boolean): Finding {
  const template = meta.messages[d.messageId];
  if (template === undefined) throw new Error(`${meta.id}: unknown messageId "${d.messageId}"`);
  const f: Finding = {
    controlId: meta.id,
    severity,
    status: 'fail',
    messageId: d.messageId,
    message: formatTemplate(template, d.data),
    resource: resourceRef(resource),
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

