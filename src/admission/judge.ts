/**
 * The validating decision: the same controls, settings, severities and exceptions as
 * `palisade scan` (a Judging) run on the object under review, with the objects the webhook
 * knows of its namespace as context; each finding gets an action (deny, warn, audit) and the
 * request is refused when any finding denies.
 */
import type { Control, ControlSettings } from '../core/control.js';
import type { ExceptionRef, Finding } from '../core/finding.js';
import { toDotted } from '../core/path.js';
import { isPlainText } from '../core/plain-text.js';
import { displayName, makeResource, type K8sObject, type Resource } from '../core/resource.js';
import { POD_SPEC_PATHS } from '../core/kinds.js';
import { severityRank, type Severity } from '../core/severity.js';
import type { Diagnostic } from '../core/errors.js';
import { fingerprint, prepareControls, runControls, type PreparedControls } from '../engine/engine.js';
import { buildInventory } from '../inventory/inventory.js';
import type { Action, AdmissionSettings } from './config.js';
import type { ContextCache } from './context-cache.js';
import type { AdmissionRequest, AdmissionResponse } from './review.js';
import { ANNOTATION_VALUE_RUNES, auditAnnotations, prefixSanitized, sanitizeText, truncateRunes, WarningList } from './warnings.js';

/** The controls and their settings a decision is made with: a snapshot of a Judging. */
export interface JudgeSet {
  controls: readonly Control[];
  settings: ControlSettings;
  controlOptions: Readonly<Record<string, Record<string, unknown>>>;
  severityOverrides: Readonly<Record<string, Severity>>;
  exceptionFor?: (finding: Finding, resource: Resource) => ExceptionRef | undefined;
}

export type Outcome = 'allow' | 'deny' | 'warn' | 'exempt' | 'skip';

export interface JudgedFinding {
  controlId: string;
  severity: Severity;
  status: Finding['status'];
  action: Exclude<Action, 'off'>;
  /** The stored object (UPDATE) already had this finding. */
  existing?: boolean;
  /** The action was deny, turned into warn by dry-run mode or because the finding is not new. */
  wouldDeny?: boolean;
  messageId: string;
  message: string;
  path: string;
  /** Left out when the decision is made without fingerprints (DecideOptions). */
  fingerprint?: string;
  exception?: string;
}

export interface Decision {
  response: AdmissionResponse;
  outcome: Outcome;
  /** Why the request was not judged (exempt, skip). */
  reason?: string;
  findings: JudgedFinding[];
  diagnostics: Diagnostic[];
}

/** Which action a finding gets: explicit per-control action, else the severity thresholds. */
export function actionFor(controlId: string, severity: Severity, settings: AdmissionSettings): Action {
  const explicit = settings.actions[controlId];
  if (explicit) return explicit;
  if (settings.denyAt !== 'none' && severityRank(severity) >= severityRank(settings.denyAt)) return 'deny';
  if (settings.warnAt !== 'none' && severityRank(severity) >= severityRank(settings.warnAt)) return 'warn';
  return 'audit';
}

/** A control's action and warning prefix under one settings, looked up for every finding of every review. */
interface ControlAnswer {
  severity: Severity;
  action: Action;
  /** "[ID] ", and whether it may be put before sanitised text as it is. */
  prefix: string;
  cleanPrefix: boolean;
  /** The prefixes of warnings that would deny: in dry-run mode, and for what the stored object had too. */
  dryRunPrefix: string;
  existingPrefix: string;
  /** The id as the findings annotation writes it (no lone surrogate), and its entries' beginnings by action. */
  annotationId: string;
  annotationHeads: Readonly<Record<Exclude<Action, 'off'>, string>>;
}

const answersBySettings = new WeakMap<AdmissionSettings, Map<string, ControlAnswer>>();

/** The answers under `settings`, looked up once per review. */
function answersFor(settings: AdmissionSettings): Map<string, ControlAnswer> {
  let answers = answersBySettings.get(settings);
  if (!answers) answersBySettings.set(settings, (answers = new Map()));
  return answers;
}

function answerFor(controlId: string, severity: Severity, settings: AdmissionSettings, answers: Map<string, ControlAnswer>): ControlAnswer {
  let a = answers.get(controlId);
  if (a === undefined || a.severity !== severity) {
    const prefix = `[${controlId}] `;
    const annotationId = auditAnnotations({ v: controlId }).v!;
    a = {
      severity,
      action: actionFor(controlId, severity, settings),
      prefix,
      // Plain (no surrogates either): WarningList counts a clean warning's runes by its length.
      cleanPrefix: isPlainText(controlId) && prefixSanitized(prefix, 'x') === prefix + 'x',
      dryRunPrefix: `[dry-run, would deny] ${prefix}`,
      existingPrefix: `[existing, not blocking] ${prefix}`,
      annotationId,
      annotationHeads: { deny: `${annotationId} deny `, warn: `${annotationId} warn `, audit: `${annotationId} audit ` },
    };
    // Control ids come from the built-in library and policy files: a bounded set.
    if (answers.size < 4096) answers.set(controlId, a);
  }
  return a;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
}

/** Exemptions compiled once per settings. */
export class Exemptions {
  private readonly namespaces: RegExp[];
  private readonly users: RegExp[];
  private readonly groups: ReadonlySet<string>;
  private readonly labels: [string, string][];

  constructor(e: AdmissionSettings['exemptions']) {
    this.namespaces = e.namespaces.map(globToRegExp);
    this.users = e.users.map(globToRegExp);
    this.groups = new Set(e.groups);
    this.labels = Object.entries(e.labels);
  }

  /** Why a request is exempt, or undefined. */
  reasonFor(req: AdmissionRequest, namespace: string | undefined, labels: Readonly<Record<string, string>>): string | undefined {
    // Indexed loops: this runs for every review, usually over empty lists.
    if (namespace !== undefined) for (let i = 0; i < this.namespaces.length; i++) if (this.namespaces[i]!.test(namespace)) return `namespace ${namespace}`;
    for (let i = 0; i < this.users.length; i++) if (this.users[i]!.test(req.userInfo.username)) return `user ${req.userInfo.username}`;
    if (this.groups.size) for (const g of req.userInfo.groups) if (this.groups.has(g)) return `group ${g}`;
    if (this.labels.length && this.labels.every(([k, v]) => labels[k] === v)) return `labels ${this.labels.map(([k, v]) => `${k}=${v}`).join(',')}`;
    return undefined;
  }
}

/**
 * The object under review as a Resource: apiVersion and kind from the request when the
 * object lacks them, and the request's namespace when the object names none (the API
 * server stores it there).
 */
export function reviewedResource(req: AdmissionRequest, object: K8sObject): Resource {
  let obj = object;
  const apiVersion = typeof obj.apiVersion === 'string' && obj.apiVersion ? obj.apiVersion : req.kind.group ? `${req.kind.group}/${req.kind.version}` : req.kind.version;
  const kind = typeof obj.kind === 'string' && obj.kind ? obj.kind : req.kind.kind;
  const meta = obj.metadata && typeof obj.metadata === 'object' && !Array.isArray(obj.metadata) ? obj.metadata : undefined;
  const needsNamespace = req.namespace !== undefined && (meta?.namespace === undefined || meta.namespace === '');
  if (apiVersion !== obj.apiVersion || kind !== obj.kind || needsNamespace || (obj.metadata !== undefined && !meta)) {
    obj = { ...obj, apiVersion, kind, metadata: { ...(meta ?? {}), ...(needsNamespace ? { namespace: req.namespace } : {}) } };
  }
  return makeResource(obj, { type: 'admission', uid: req.uid });
}

interface KindPlan {
  controls: readonly Control[];
  prepared: PreparedControls;
}

const byJudge = new WeakMap<JudgeSet, { shapes: { control: Control; keys: ReadonlySet<string> }[]; byKind: Map<string, KindPlan> }>();

function planFor(judge: JudgeSet, kind: string): KindPlan {
  let entry = byJudge.get(judge);
  if (!entry) {
    // A visitor's keys say what it visits; building one has no effect until it is called.
    const shapes = judge.controls.map((control) => {
      const visitor = control.check({ report: () => {}, settings: judge.settings, options: judge.controlOptions[control.meta.id] ?? {} });
      return { control, keys: new Set(Object.keys(visitor).filter((k) => (visitor as Record<string, unknown>)[k] !== undefined)) };
    });
    entry = { shapes, byKind: new Map() };
    byJudge.set(judge, entry);
  }
  let plan = entry.byKind.get(kind);
  if (!plan) {
    const workload = POD_SPEC_PATHS[kind] !== undefined;
    const controls = entry.shapes.filter(({ keys }) => keys.has('resource') || keys.has('inventory') || keys.has(kind) || (workload && (keys.has('podSpec') || keys.has('container')))).map((s) => s.control);
    // Handler tables and per-control settings once per kind, not once per review.
    const prepared = prepareControls({
      controls,
      settings: judge.settings,
      controlOptions: judge.controlOptions,
      severityOverrides: judge.severityOverrides,
      exceptionFor: judge.exceptionFor,
    });
    plan = { controls, prepared };
    if (entry.byKind.size < 512) entry.byKind.set(kind, plan);
  }
  return plan;
}

/**
 * The controls that can report on an object of `kind`: those visiting every resource or the
 * whole inventory, pod specs and containers (for workload kinds), or this kind. The others
 * could only report on context objects, whose findings are not kept, so leaving them out
 * changes no decision and saves most of the work for kinds few controls read.
 */
export function controlsFor(judge: JudgeSet, kind: string): readonly Control[] {
  return planFor(judge, kind).controls;
}

/**
 * Runs the controls on `resource` with its namespace's known objects; findings on it only,
 * without fixes. fingerprints: false leaves them empty (see findingFingerprint).
 */
export function evaluate(resource: Resource, judge: JudgeSet, cache: ContextCache | undefined, fingerprints = true): { findings: Finding[]; diagnostics: Diagnostic[]; rawMessages?: ReadonlySet<Finding> } {
  const context = cache ? cache.contextFor(resource.kind === 'Namespace' ? resource.name : resource.namespace, resource.key) : [];
  const inventory = buildInventory(context.length ? [resource, ...context] : [resource]);
  // A review's answer shows no fixes (the mutating endpoint patches from configuration).
  const result = runControls(inventory, planFor(judge, resource.kind).prepared, { fingerprints, fixes: false, controlRuns: false });
  const findings = context.length ? result.findings.filter((f) => f.resource.key === resource.key) : result.findings;
  return { findings, diagnostics: result.diagnostics, rawMessages: result.rawMessages };
}

function findingFingerprint(f: Finding): string {
  return f.fingerprint || fingerprint(f.controlId, f.resource.key, f.path, f.messageId);
}

const MAX_DENY_MESSAGE = 2048;
const MAX_CAUSES = 32;

export interface DecideOptions {
  /**
   * Give every judged finding its fingerprint (the decision log records them). Default true;
   * the server turns it off when it keeps no log, as hashing every finding of every review
   * is a large share of judging. Updates compare with the stored object's findings either way.
   */
  fingerprints?: boolean;
}

/** The validating decision on one request. */
export function decide(req: AdmissionRequest, judge: JudgeSet, settings: AdmissionSettings, exemptions: Exemptions, cache?: ContextCache, options: DecideOptions = {}): Decision {
  const skip = (reason: string, outcome: Outcome = 'skip'): Decision => ({
    response: { uid: req.uid, allowed: true, auditAnnotations: auditAnnotations({ decision: outcome, reason }) },
    outcome,
    reason,
    findings: [],
    diagnostics: [],
  });
  if (req.operation === 'CONNECT') return skip('CONNECT requests are not judged');
  if (req.subResource && !settings.includeSubresources) return skip(`subresource ${req.subResource} is not judged (--include-subresources)`);
  if (req.operation === 'DELETE') {
    // No control judges a deletion; the webhook only forgets what it knew.
    if (cache && !req.dryRun && req.oldObject) {
      const old = reviewedResource(req, req.oldObject);
      if (cache.keeps(old.kind)) cache.remove(old.key);
    }
    return skip('DELETE requests are not judged');
  }
  const resource = reviewedResource(req, req.object!);
  const exempt = exemptions.reasonFor(req, resource.kind === 'Namespace' ? resource.name : resource.namespace, resource.labels);
  if (exempt) {
    remember(req, resource, cache);
    return skip(`exempt: ${exempt}`, 'exempt');
  }

  const withFingerprints = options.fingerprints !== false;
  const { findings, diagnostics, rawMessages } = evaluate(resource, judge, cache, false);
  const judged: JudgedFinding[] = [];
  /** The engine findings behind `judged`, and their controls' answers, index for index. */
  const sources: Finding[] = [];
  const answered: ControlAnswer[] = [];
  const answers = answersFor(settings);
  let denies = false;
  for (const f of findings) {
    if (f.status !== 'fail' && f.status !== 'excepted') continue;
    const answer = answerFor(f.controlId, f.severity, settings, answers);
    let action = answer.action;
    if (action === 'off') continue;
    // An accepted risk never blocks; it stays on record.
    if (f.status === 'excepted') action = 'audit';
    const j: JudgedFinding = { controlId: f.controlId, severity: f.severity, status: f.status, action, messageId: f.messageId, message: f.message, path: toDotted(f.path) };
    if (withFingerprints) j.fingerprint = findingFingerprint(f);
    if (f.exception) j.exception = f.exception.id;
    if (action === 'deny') denies = true;
    judged.push(j);
    sources.push(f);
    answered.push(answer);
  }

  // An update is refused only for what it makes worse: findings the stored object already
  // had (same fingerprint) warn instead, unless --block-existing.
  if (denies && req.operation === 'UPDATE' && req.oldObject && !settings.blockExisting) {
    const before = new Set(evaluate(reviewedResource(req, req.oldObject), judge, cache, false).findings.filter((f) => f.status === 'fail').map(findingFingerprint));
    judged.forEach((j, i) => {
      if (!before.has(j.fingerprint ?? findingFingerprint(sources[i]!))) return;
      j.existing = true;
      if (j.action === 'deny') {
        j.action = 'warn';
        j.wouldDeny = true;
      }
    });
  }
  if (settings.dryRun) {
    for (const j of judged) {
      if (j.action !== 'deny') continue;
      j.action = 'warn';
      j.wouldDeny = true;
    }
  }

  const deny: JudgedFinding[] = [];
  const warnings = new WarningList();
  for (let i = 0; i < judged.length; i++) {
    const j = judged[i]!;
    if (j.action === 'deny') deny.push(j);
    else if (j.action === 'warn') {
      const a = answered[i]!;
      if (j.wouldDeny) warnings.add(j.existing ? a.existingPrefix : a.dryRunPrefix, j.message);
      // A plain message (the engine says which are not) needs no sanitising.
      else warnings.add(a.prefix, j.message, a.cleanPrefix && j.message.length > 0 && (rawMessages === undefined || !rawMessages.has(sources[i]!)));
    }
  }
  const outcome: Outcome = deny.length ? 'deny' : warnings.size ? 'warn' : 'allow';
  const response: AdmissionResponse = { uid: req.uid, allowed: deny.length === 0 };
  if (deny.length) {
    const head = `Palisade denied ${displayName(resource)}: ${deny.length} finding(s) must be fixed: `;
    const lines = deny.map(line);
    let message = head;
    let shown = 0;
    for (const j of deny) {
      const l = `${shown ? '; ' : ''}${lines[shown]} (${j.path})`;
      if (message.length + l.length > MAX_DENY_MESSAGE) break;
      message += l;
      shown++;
    }
    if (shown < deny.length) message += `; and ${deny.length - shown} more`;
    response.status = {
      code: 403,
      reason: 'Forbidden',
      message,
      details: { causes: deny.slice(0, MAX_CAUSES).map((j, i) => ({ field: j.path, message: truncateRunes(lines[i]!, 256), reason: j.controlId })) },
    };
  }
  if (warnings.size) response.warnings = warnings.list();
  // Our own keys (valid qualified names); values within the bounds auditAnnotations() keeps.
  const annotations: Record<string, string> = { decision: outcome };
  if (settings.dryRun) annotations.mode = 'dry-run';
  if (deny.length) annotations['denied-by'] = auditAnnotations({ v: [...new Set(deny.map((j) => j.controlId))].join(',') }).v!;
  if (judged.length) annotations.findings = annotationFindings(judged, answered);
  response.auditAnnotations = annotations;
  if (response.allowed) remember(req, resource, cache);
  return { response, outcome, findings: judged, diagnostics };
}

/** Exception ids are written as they are when plain, as JSON strings otherwise. */
const PLAIN_ID = /^[A-Za-z0-9._:/-]+$/;

/**
 * The `findings` audit annotation: one entry per judged finding, `CONTROL ACTION PATH`, joined
 * by "; ". ACTION is deny, warn or audit, followed by `+existing` when the stored object had
 * the finding too and `+exception=ID` when an exception covers it, e.g.
 * `PAL-POD-001 warn+existing spec.containers[0].securityContext.privileged`. Text rather than
 * JSON: nothing to escape inside the AdmissionReview, and an annotation at its length limit
 * still ends with a whole entry and "and N more (decision log)". Severities are in the
 * decision log. Paths (toDotted) and odd exception ids are JSON-escaped and control ids are
 * checked once (answerFor), so the value has no lone surrogate.
 */
function annotationFindings(judged: readonly JudgedFinding[], answered: readonly ControlAnswer[]): string {
  // Entries joined at the end: one flat string (the answer's serialiser then copies it once) instead of a chain of pieces.
  const entries: string[] = [];
  let length = 0;
  for (let i = 0; i < judged.length; i++) {
    const j = judged[i]!;
    const a = answered[i]!;
    let entry: string;
    if (!j.existing && !j.exception) entry = a.annotationHeads[j.action] + j.path;
    else {
      entry = `${a.annotationId} ${j.action}`;
      if (j.existing) entry += '+existing';
      if (j.exception) entry += `+exception=${PLAIN_ID.test(j.exception) ? j.exception : JSON.stringify(j.exception)}`;
      entry += ` ${j.path}`;
    }
    // Room is kept for the closing count; "; " goes between entries.
    const added = (i ? 2 : 0) + entry.length;
    if (length + added > ANNOTATION_VALUE_RUNES - 48) return `${i ? `${entries.join('; ')}; ` : ''}and ${judged.length - i} more (decision log)`;
    length += added;
    entries.push(entry);
  }
  return entries.join('; ');
}

export interface AnnotatedFinding {
  control: string;
  action: string;
  existing: boolean;
  exception?: string;
  path: string;
}

/**
 * Reads a `findings` audit annotation back (audit pipelines, tests). Entries are split at
 * "; " outside the quoted keys and ids a path or id may hold; a closing "and N more" is
 * left out.
 */
export function parseFindingsAnnotation(value: string): AnnotatedFinding[] {
  const entries: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ';' && value[i + 1] === ' ') {
      entries.push(value.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  if (value.length) entries.push(value.slice(start));
  const out: AnnotatedFinding[] = [];
  for (const e of entries) {
    const m = /^(\S+) (deny|warn|audit)((?:\+existing)?)(?:\+exception=("(?:[^"\\]|\\.)*"|\S+))? (.*)$/s.exec(e);
    if (!m) continue; // "and N more (decision log)"
    out.push({ control: m[1]!, action: m[2]!, existing: m[3] !== '', ...(m[4] ? { exception: m[4].startsWith('"') ? (JSON.parse(m[4]) as string) : m[4] } : {}), path: m[5]! });
  }
  return out;
}

function line(f: JudgedFinding): string {
  return `[${f.controlId}] ${sanitizeText(f.message)}`;
}

/** Keeps an admitted context object (Namespace, LimitRange, …); a dry run changes nothing. */
function remember(req: AdmissionRequest, resource: Resource, cache: ContextCache | undefined): void {
  if (!cache || req.dryRun || req.subResource || !cache.keeps(resource.kind)) return;
  cache.put(resource);
}
