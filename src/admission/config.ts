/**
 * What the webhook does with findings, which requests it leaves alone, what it changes and
 * how it protects itself. Read from the `admission:` section of .palisade.yaml, then
 * `--admission-config FILE` (the same fields at its top level), then flags, each layer over
 * the one before.
 * The controls, their settings, severities and exceptions are not here: they come from the
 * shared Judging, exactly as for `palisade scan`.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import { isMap, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { ADMISSION_ACTIONS, ADMISSION_MUTATIONS, ADMISSION_SCHEMA } from '../core/config.js';
import { diagnostic, PalisadeError, type Diagnostic } from '../core/errors.js';
import type { Severity } from '../core/severity.js';

export const ACTIONS = ADMISSION_ACTIONS;
/** deny: refuse the request; warn: allow with a Kubernetes warning; audit: allow, record only; off: ignore the control here. */
export type Action = (typeof ACTIONS)[number];

export const MUTATIONS = ADMISSION_MUTATIONS;
export type Mutation = (typeof MUTATIONS)[number];

export type ResourceList = { cpu?: string; memory?: string };

export interface AdmissionSettings {
  /** Lowest severity whose findings deny; 'none': no severity denies (per-control actions still may). */
  denyAt: Severity | 'none';
  /** Lowest severity whose findings warn; lower ones are audited. */
  warnAt: Severity | 'none';
  /** Per control id; wins over the severity thresholds. */
  actions: Record<string, Action>;
  /** Never deny: what would deny warns instead (and is recorded as such). */
  dryRun: boolean;
  /** On UPDATE, deny for findings the stored object already had, not only for new ones. */
  blockExisting: boolean;
  /** Judge subresource requests (pods/ephemeralcontainers, …) too. */
  includeSubresources: boolean;
  exemptions: {
    /** Namespace names or globs (* and ?). */
    namespaces: string[];
    /** User names or globs, e.g. system:serviceaccount:argocd:*. */
    users: string[];
    groups: string[];
    /** Objects carrying all these labels are exempt. Anyone who may label the object may use it: keep it narrow. */
    labels: Record<string, string>;
  };
  registries: {
    requireDigest: boolean;
    refuseLatest: boolean;
    /** Resolve tags to digests through the registry's API in /mutate. */
    resolveDigests: boolean;
    /** Registries spoken to over plain HTTP. */
    insecure: string[];
    /** Extra CA bundle (PEM) for registries. */
    caFile?: string;
    timeoutMs: number;
    /** How long a resolved tag is reused before asking the registry again. */
    cacheSeconds: number;
  };
  mutations: Mutation[];
  defaultResources: { requests: ResourceList; limits: ResourceList };
  /** Deny (through PAL-RES-001…004) containers without requests, limits. */
  requireRequests: boolean;
  requireLimits: boolean;
  cache: { kinds: string[]; maxObjects: number };
  overload: { mode: 'open' | 'closed'; maxInFlight: number; maxQueueMs: number };
  maxBodyBytes: number;
  /** A file for the JSON-lines decision log, '-' for standard output, undefined for none. */
  decisionLog?: string;
}

export const DEFAULT_SETTINGS: AdmissionSettings = {
  denyAt: 'high',
  warnAt: 'low',
  actions: {},
  dryRun: false,
  blockExisting: false,
  includeSubresources: false,
  exemptions: { namespaces: [], users: [], groups: [], labels: {} },
  registries: { requireDigest: false, refuseLatest: false, resolveDigests: false, insecure: [], timeoutMs: 2000, cacheSeconds: 300 },
  mutations: [],
  defaultResources: { requests: {}, limits: {} },
  requireRequests: false,
  requireLimits: false,
  cache: { kinds: ['Namespace', 'ServiceAccount', 'LimitRange', 'ResourceQuota', 'NetworkPolicy'], maxObjects: 10_000 },
  // Two objects (object and oldObject) of up to the API server's 3 MiB request limit.
  maxBodyBytes: 6 * 1024 * 1024,
  overload: { mode: 'open', maxInFlight: 64, maxQueueMs: 2000 },
};

/** JSON schema of the admission settings (the `admission:` section of .palisade.yaml). */
export const ADMISSION_CONFIG_SCHEMA = ADMISSION_SCHEMA;

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(ADMISSION_CONFIG_SCHEMA);

function describe(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === 'enum') return `expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return e.message ?? e.keyword;
}

/**
 * Parses and validates an admission configuration; problems carry file, line and field.
 * With `section`, the settings are that top-level field of the file (`admission` of
 * .palisade.yaml: fields are reported as admission.denyAt, … with PALISADE_CONFIG_INVALID,
 * like the rest of that file); a file without the section has no settings.
 */
export function parseAdmissionConfig(text: string, file: string, knownControlIds: ReadonlySet<string>, section?: string): { settings: Partial<AdmissionSettings>; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    const { line, col } = lineCounter.linePos(err.pos[0]);
    throw new PalisadeError(diagnostic('PALISADE_CONFIG_SYNTAX', { detail: err.message.split('\n')[0]! }, { file, line, column: col }));
  }
  const root: unknown = doc.toJS({ maxAliasCount: 10 }) ?? {};
  const prefix = section ? [section] : [];
  let value = root;
  if (section) {
    value = root && typeof root === 'object' && !Array.isArray(root) ? (root as Record<string, unknown>)[section] : undefined;
    if (value === undefined || value === null) return { settings: {}, diagnostics: [] };
  }
  const diagnostics: Diagnostic[] = [];
  const at = (sub: string[], detail: string) => {
    const path = [...prefix, ...sub];
    let node: unknown = doc.contents;
    let offset = (node as YamlNode | null)?.range?.[0] ?? 0;
    for (const seg of path) {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === seg);
      if (!pair) break;
      offset = (pair.key as YamlNode | null)?.range?.[0] ?? offset;
      node = pair.value;
    }
    const { line, col } = lineCounter.linePos(offset);
    const field = path.join('.') || '(top level)';
    diagnostics.push(diagnostic(section ? 'PALISADE_CONFIG_INVALID' : 'PALISADE_ADMISSION_CONFIG_INVALID', { field, detail }, { file, line, column: col, field }));
  };
  if (!validate(value)) {
    for (const e of validate.errors ?? []) {
      const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      if (e.keyword === 'additionalProperties') path.push((e.params as { additionalProperty: string }).additionalProperty);
      at(path, describe(e));
    }
    return { settings: {}, diagnostics };
  }
  const v = value as Record<string, any>;
  for (const id of Object.keys(v.actions ?? {})) if (!knownControlIds.has(id)) at(['actions', id], 'unknown control id (see `palisade controls`)');
  return { settings: admissionSettingsOf(v), diagnostics };
}

/** The settings a validated admission configuration (ADMISSION_SCHEMA) gives. */
export function admissionSettingsOf(v: Record<string, any>): Partial<AdmissionSettings> {
  const settings: Partial<AdmissionSettings> = {};
  for (const key of ['denyAt', 'warnAt', 'actions', 'dryRun', 'blockExisting', 'includeSubresources', 'mutations', 'requireRequests', 'requireLimits', 'maxBodyBytes', 'decisionLog'] as const) {
    if (v[key] !== undefined) (settings as Record<string, unknown>)[key] = v[key];
  }
  if (v.exemptions) settings.exemptions = { ...DEFAULT_SETTINGS.exemptions, ...v.exemptions };
  if (v.registries) settings.registries = { ...DEFAULT_SETTINGS.registries, ...v.registries };
  if (v.cache) settings.cache = { ...DEFAULT_SETTINGS.cache, ...v.cache };
  if (v.overload) settings.overload = { ...DEFAULT_SETTINGS.overload, ...v.overload };
  if (v.defaultResources) {
    const norm = (l: Record<string, unknown> = {}) => Object.fromEntries(Object.entries(l).map(([k, q]) => [k, String(q)])) as ResourceList;
    settings.defaultResources = { requests: norm(v.defaultResources.requests), limits: norm(v.defaultResources.limits) };
  }
  return settings;
}

/** Reads an admission configuration file, or with `section` that section of a .palisade.yaml. */
export function loadAdmissionConfig(file: string, knownControlIds: ReadonlySet<string>, section?: string): { settings: Partial<AdmissionSettings>; diagnostics: Diagnostic[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PalisadeError(diagnostic('PALISADE_SOURCE_UNREADABLE', { reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { file }));
  }
  return parseAdmissionConfig(text, file, knownControlIds, section);
}

/** Settings from defaults, then the file, then flags (each a partial override). */
export function mergeSettings(...layers: Partial<AdmissionSettings>[]): AdmissionSettings {
  const out: AdmissionSettings = structuredClone(DEFAULT_SETTINGS);
  for (const l of layers) {
    for (const [k, v] of Object.entries(l)) {
      if (v === undefined) continue;
      const cur = (out as unknown as Record<string, unknown>)[k];
      if (k === 'actions' || k === 'exemptions' || k === 'registries' || k === 'cache' || k === 'overload') {
        (out as unknown as Record<string, unknown>)[k] = mergeObjects(cur as Record<string, unknown>, v as Record<string, unknown>);
      } else if (k === 'defaultResources') {
        const d = v as AdmissionSettings['defaultResources'];
        out.defaultResources = { requests: { ...out.defaultResources.requests, ...d.requests }, limits: { ...out.defaultResources.limits, ...d.limits } };
      } else (out as unknown as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}

function mergeObjects(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    // Lists from several layers add up (exempt namespaces from the file and from flags).
    out[k] = Array.isArray(v) && Array.isArray(out[k]) ? [...new Set([...(out[k] as unknown[]), ...v])] : v;
  }
  return out;
}
