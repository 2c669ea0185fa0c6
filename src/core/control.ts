import type { JsonPath } from './path.js';
import type { JsonPatchOp } from './finding.js';
import type { Resource } from './resource.js';
import type { Severity } from './severity.js';
import type { Inventory, PodSpecView, ContainerView } from './inventory.js';

export type Maturity = 'stable' | 'beta' | 'experimental';
export type Requirement = 'inventory' | 'cluster' | 'node' | 'images';

export interface ControlMeta {
  /** Stable id, e.g. PAL-POD-001. Never reused. */
  id: string;
  /** kebab-case name used in the file name and in configuration. */
  slug: string;
  title: string;
  severity: Severity;
  /** workload, image, resources, rbac, network, data, control-plane, admission, mesh, pss, … */
  category: string;
  /** What is checked, one or two sentences. */
  description: string;
  /** Why it matters. */
  rationale: string;
  /** How to fix it. */
  remediation: string;
  /** Message templates keyed by message id; `{{name}}` is replaced from report data. */
  messages: Record<string, string>;
  /** Kinds or views this control looks at, for docs ("workloads", "ClusterRoleBinding", …). */
  appliesTo: string[];
  references?: string[];
  /** MITRE ATT&CK (Containers matrix) technique ids. */
  mitre?: string[];
  maturity: Maturity;
  requires?: Requirement[];
  /** JSON schema of this control's options in .palisade.yaml (controls.<id>.options). */
  optionsSchema?: Record<string, unknown>;
  /** Pod Security Standards level this control implements, when it is a PSS check. */
  pss?: { level: 'baseline' | 'restricted'; check: string };
}

export interface ReportDescriptor {
  messageId: string;
  data?: Record<string, string | number | boolean>;
  /** Path from the object root of the offending field (or where it should be). */
  path: JsonPath;
  /** Defaults to the resource being visited; required from `inventory` visitors. */
  resource?: Resource;
  /** Observed value; the engine redacts it when the path may hold a secret. */
  evidence?: unknown;
  /**
   * A JSON patch that fixes the finding, or a function building it: callers that never show
   * fixes (the admission webhook) then skip building them (RunOptions.fixes).
   */
  fix?: JsonPatchOp[] | (() => JsonPatchOp[] | undefined);
}

/** Scan-wide settings that controls may read. */
export interface ControlSettings {
  /** Registries (host or host/path prefix) images may come from; empty = any. */
  allowedRegistries: readonly string[];
  /** Pod Security Standards version, e.g. "v1.30" or "latest". */
  pssVersion: string;
}

export interface ControlContext {
  report(d: ReportDescriptor): void;
  readonly settings: ControlSettings;
  /** This control's options from configuration (validated against optionsSchema). */
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * What a per-resource handler returns: nothing when it judged the resource, `false` when
 * the resource is outside the control's scope (so it does not count as evaluated and a
 * framework requirement is never "passed" on nothing).
 */
export type Judged = void | false;

type KindHandlers = { [kind: `${Uppercase<string>}${string}`]: ((r: Resource) => Judged) | undefined };

/**
 * A visitor: the engine walks the inventory once and calls every control's handlers.
 * Keys starting with an upper-case letter are kinds (`Service(r) {…}`).
 */
export type Visitor = {
  /** Every workload's pod spec (Pod, Deployment, …, CronJob, PodTemplate). */
  podSpec?: (ps: PodSpecView) => Judged;
  /** Every container, init container and ephemeral container of every pod spec. */
  container?: (c: ContainerView, ps: PodSpecView) => Judged;
  /** Every resource. */
  resource?: (r: Resource) => Judged;
  /**
   * Once per scan, after the per-resource handlers: for checks across resources. Returns
   * how many objects it judged (0: nothing in scope); nothing counts as one.
   */
  inventory?: (inv: Inventory) => void | number;
} & KindHandlers;

export interface Control {
  meta: ControlMeta;
  check(ctx: ControlContext): Visitor;
  /**
   * The visitor check() returns keeps no state between calls: its handlers use only their
   * arguments, the context and values check() computed once from settings and options, so
   * one visitor may serve every run made with the same context (PreparedControls then calls
   * check() once). Leave it out when a handler pushes to, counts in or reads anything
   * collected across calls (an `inventory` handler settling what the others gathered).
   */
  reusableVisitor?: true;
}

export function defineControl(c: Control): Control {
  return c;
}

export function formatMessage(template: string, data: Record<string, unknown> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => (k in data ? String(data[k]) : `{{${k}}}`));
}
