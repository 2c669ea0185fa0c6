import type { Control, ControlMeta, ControlSettings, ReportDescriptor, Visitor } from '../core/control.js';
import { formatMessage } from '../core/control.js';
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

interface Active {
  control: Control;
  run: ControlRun;
  visitor: Visitor;
  lastResource: Resource | undefined;
}

/** Walks the inventory once, calling every control's visitor, and collects findings. */
export function runControls(inventory: Inventory, opts: EngineOptions): EngineResult {
  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = [];
  let current: Resource | undefined;

  const actives: Active[] = opts.controls.map((control) => {
    const run: ControlRun = { meta: control.meta, severity: opts.severityOverrides?.[control.meta.id] ?? control.meta.severity, evaluated: 0, failed: 0, excepted: 0 };
    const active: Active = { control, run, visitor: {}, lastResource: undefined };
    const ctx = {
      settings: opts.settings,
      options: opts.controlOptions?.[control.meta.id] ?? {},
      report(d: ReportDescriptor) {
        const resource = d.resource ?? current;
        if (!resource) throw new Error(`${control.meta.id}: report() outside of a resource needs d.resource`);
        const f = makeFinding(control.meta, run.severity, resource, d);
        const exc = opts.exceptionFor?.(f, resource);
        if (exc) {
          f.status = 'excepted';
          f.exception = exc;
          run.excepted++;
        } else run.failed++;
        findings.push(f);
      },
    };
    active.visitor = control.check(ctx);
    return active;
  });

  // Handler tables built once, so the walk only calls what exists.
  const byKind = new Map<string, Active[]>();
  const onResource = actives.filter((a) => a.visitor.resource);
  const onPodSpec = actives.filter((a) => a.visitor.podSpec);
  const onContainer = actives.filter((a) => a.visitor.container);
  for (const a of actives) {
    for (const key of Object.keys(a.visitor)) {
      if (/^[A-Z]/.test(key)) {
        const list = byKind.get(key) ?? [];
        list.push(a);
        byKind.set(key, list);
      }
    }
  }

  const call = (a: Active, resource: Resource, fn: () => unknown) => {
    try {
      if (fn() !== false && a.lastResource !== resource) {
        a.lastResource = resource;
        a.run.evaluated++;
      }
    } catch (e) {
      diagnostics.push(
        diagnostic('PALISADE_ENGINE_CONTROL_FAILED', { control: a.control.meta.id, detail: (e as Error).message }, {
          level: 'warning',
          file: resource.origin.type === 'manifest' ? resource.origin.file : undefined,
        }),
      );
    }
  };

  const podSpecByResource = new Map<Resource, PodSpecView>();
  for (const ps of inventory.podSpecs) podSpecByResource.set(ps.resource, ps);

  for (const r of inventory.resources) {
    current = r;
    for (const a of onResource) call(a, r, () => a.visitor.resource!(r));
    const kindHandlers = byKind.get(r.kind);
    if (kindHandlers) for (const a of kindHandlers) call(a, r, () => (a.visitor as Record<string, (r: Resource) => unknown>)[r.kind]!(r));
    const ps = podSpecByResource.get(r);
    if (ps) {
      for (const a of onPodSpec) call(a, r, () => a.visitor.podSpec!(ps));
      if (onContainer.length) {
        for (const c of ps.containers as ContainerView[]) for (const a of onContainer) call(a, r, () => a.visitor.container!(c, ps));
      }
    }
  }
  current = undefined;
  for (const a of actives) {
    if (!a.visitor.inventory) continue;
    try {
      const judged = a.visitor.inventory(inventory);
      if (typeof judged === 'number') a.run.evaluated += judged;
      // A control that only looks across resources and says nothing counts as having judged the scan.
      else if (Object.keys(a.visitor).length === 1) a.run.evaluated = Math.max(a.run.evaluated, 1);
    } catch (e) {
      diagnostics.push(diagnostic('PALISADE_ENGINE_CONTROL_FAILED', { control: a.control.meta.id, detail: (e as Error).message }, { level: 'warning' }));
    }
  }
  return { findings, controls: actives.map((a) => a.run), diagnostics };
}

/**
 * Stable across scans: the same control, resource identity, path and message id give the
 * same fingerprint whatever the file or line. A 128-bit non-cryptographic hash (four
 * 32-bit FNV-1a lanes, each finished with MurmurHash3's avalanche): fingerprints name
 * findings, they protect nothing, and a review or a scan makes hundreds of thousands.
 */
export function fingerprint(controlId: string, resourceKey: string, path: JsonPath, messageId: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  let c = 0x27d4eb2f;
  let d = 0x165667b1;
  const feed = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      a = Math.imul(a ^ ch, 0x01000193);
      b = Math.imul(b ^ ch, 0x01000193) ^ (a >>> 15);
      c = Math.imul(c ^ ch, 0x85ebca6b) + b;
      d = Math.imul(d ^ ch, 0xc2b2ae35) ^ (c >>> 13);
    }
    // A separator that cannot occur in the parts keeps ("ab","c") apart from ("a","bc").
    a = Math.imul(a ^ 0xffff, 0x01000193);
    b = Math.imul(b ^ 0xfffe, 0x01000193);
  };
  feed(controlId);
  feed(resourceKey);
  for (const seg of path) feed(typeof seg === 'number' ? `#${seg}` : seg);
  feed(messageId);
  return [a, b, c, d].map((h) => (fmix32(h) >>> 0).toString(16).padStart(8, "0")).join("");
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
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

function makeFinding(meta: ControlMeta, severity: Severity, resource: Resource, d: ReportDescriptor): Finding {
  const template = meta.messages[d.messageId];
  if (template === undefined) throw new Error(`${meta.id}: unknown messageId "${d.messageId}"`);
  const f: Finding = {
    controlId: meta.id,
    severity,
    status: 'fail',
    messageId: d.messageId,
    message: formatMessage(template, d.data),
    resource: resourceRef(resource),
    path: d.path,
    fingerprint: fingerprint(meta.id, resource.key, d.path, d.messageId),
  };
  if (resource.origin.type === 'manifest') {
    const loc = resource.origin.locate(d.path);
    if (loc.exact) loc.path = d.path;
    f.location = loc;
  }
  if (d.evidence !== undefined) f.evidence = isSecretPath(resource.kind, d.path) && !isRedacted(d.evidence) ? redact(d.evidence) : d.evidence;
  if (d.fix) f.fix = d.fix;
  return f;
}

