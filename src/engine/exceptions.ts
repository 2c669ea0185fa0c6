import type { RiskException, ResourceSelector } from '../core/exception.js';
import { OPT_OUT_ANNOTATION_PREFIX } from '../core/exception.js';
import { diagnostic, type Diagnostic } from '../core/errors.js';
import type { ExceptionRef, Finding } from '../core/finding.js';
import type { Resource } from '../core/resource.js';

function globMatch(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined) return true;
  if (value === undefined) return pattern === '*';
  if (!/[*?]/.test(pattern)) return pattern === value;
  return wildcardMatch(pattern, value);
}

/**
 * `*` (any run) and `?` (one character), matched without a regular expression: a
 * pattern such as `*a*a*a*a*b` would make a backtracking regex take minutes on a long
 * name, and exception files come from pull requests and the API. On a mismatch only the
 * last `*` is retried, one character further, so the cost is at most pattern × value.
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p++;
      resume = v;
    } else if (c !== undefined && (c === '?' || c === value[v])) {
      p++;
      v++;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

export function selectorMatches(sel: ResourceSelector, r: Resource): boolean {
  if (sel.kind !== undefined && sel.kind !== r.kind) return false;
  if (!globMatch(sel.namespace, r.namespace)) return false;
  if (!globMatch(sel.name, r.name)) return false;
  for (const [k, v] of Object.entries(sel.labels ?? {})) if (r.labels[k] !== v) return false;
  return true;
}

function hasOptOut(annotations: Readonly<Record<string, string>>): boolean {
  for (const key in annotations) if (key.startsWith(OPT_OUT_ANNOTATION_PREFIX)) return true;
  return false;
}

/** True when the exception's last day (UTC) is before `now`. */
export function isExpired(e: RiskException, now: Date): boolean {
  const end = Date.parse(`${e.expires}T23:59:59.999Z`);
  return !Number.isFinite(end) || end < now.getTime();
}

/**
 * Applies exceptions and annotation opt-outs identically for every command.
 * `exceptionFor` is handed to the engine; `report()` afterwards lists expired and unused
 * exceptions and opt-out annotations without a reason.
 */
export class ExceptionSet {
  private readonly active: RiskException[];
  private readonly expired: RiskException[];
  private readonly used = new Set<string>();
  private readonly reasonless = new Map<string, { resource: Resource; key: string }>();

  constructor(exceptions: readonly RiskException[], now: Date = new Date()) {
    this.active = exceptions.filter((e) => !isExpired(e, now));
    this.expired = exceptions.filter((e) => isExpired(e, now));
  }

  /** The opt-out annotation of each control id, made once: a key built afresh per finding costs more than the lookup. */
  private readonly optOutKeys = new Map<string, string>();

  private optOutKey(controlId: string): string {
    let key = this.optOutKeys.get(controlId);
    if (key === undefined) {
      key = OPT_OUT_ANNOTATION_PREFIX + controlId;
      // Control ids come from the registry and policy files: a bounded number.
      if (this.optOutKeys.size < 10_000) this.optOutKeys.set(controlId, key);
    }
    return key;
  }

  /**
   * The annotations looked at last and whether any is an opt-out: the findings of a resource
   * come one after another, and most resources opt out of nothing.
   */
  private seenAnnotations: Readonly<Record<string, string>> | undefined;
  private seenOptOut = false;

  exceptionFor = (finding: Finding, resource: Resource): ExceptionRef | undefined => {
    const annotations = resource.annotations;
    if (annotations !== this.seenAnnotations) {
      this.seenAnnotations = annotations;
      this.seenOptOut = hasOptOut(annotations);
    }
    if (this.seenOptOut) {
      const key = this.optOutKey(finding.controlId);
      const reason = annotations[key];
      if (reason !== undefined) {
        if (typeof reason === 'string' && reason.trim().length >= 3) return { id: 'annotation', reason: reason.trim() };
        // Bounded: a long-running webhook sees an unbounded stream of objects.
        if (this.reasonless.size < 1000) this.reasonless.set(`${resource.key}\u0000${key}`, { resource, key });
      }
    }
    // Indexed: this runs for every finding, usually over no exceptions at all.
    for (let i = 0; i < this.active.length; i++) {
      const e = this.active[i]!;
      if (!e.controls.includes('*') && !e.controls.includes(finding.controlId)) continue;
      if (!e.resources.some((s) => selectorMatches(s, resource))) continue;
      this.used.add(e.id);
      return { id: e.id, reason: e.justification, owner: e.owner, expires: e.expires };
    }
    return undefined;
  };

  /** Expired exceptions (warnings), unused ones (notes), opt-outs without a reason (warnings). */
  report(): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const e of this.expired) {
      out.push(diagnostic('PALISADE_EXCEPTION_EXPIRED', { id: e.id, expires: e.expires, owner: e.owner }, { level: 'warning', file: e.source?.file, line: e.source?.line }));
    }
    for (const e of this.active) {
      if (!this.used.has(e.id)) out.push(diagnostic('PALISADE_EXCEPTION_UNUSED', { id: e.id }, { level: 'note', file: e.source?.file, line: e.source?.line }));
    }
    for (const { resource, key } of this.reasonless.values()) {
      const loc = resource.origin.type === 'manifest' ? resource.origin.locate(['metadata', 'annotations', key]) : undefined;
      out.push(diagnostic('PALISADE_EXCEPTION_NO_REASON', { annotation: key }, { level: 'warning', file: loc?.file, line: loc?.line, column: loc?.column, field: `metadata.annotations.${key}` }));
    }
    return out;
  }
}
