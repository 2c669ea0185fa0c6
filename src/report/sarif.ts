import { pathToFileURL } from 'node:url';
import type { ControlMeta } from '../core/control.js';
import type { Diagnostic } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { toDotted } from '../core/path.js';
import { displayName } from '../core/resource.js';
import type { Severity } from '../core/severity.js';
import type { ControlRun } from '../engine/engine.js';
import type { ScanResult } from '../engine/scan-result.js';
import type { Formatter } from './formatter.js';

/*
 * SARIF 2.1.0 (OASIS), shaped for GitHub code scanning, which is the main consumer:
 * - `security-severity` on each rule turns alerts into security alerts with a severity;
 * - `partialFingerprints` lets alerts survive line moves between scans;
 * - locations are relative to %SRCROOT% so they map onto the repository's files.
 * The committed schema (schemas/sarif-2.1.0.json) is what the tests validate against.
 */

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Where SARIF viewers link the tool name. Change it here when the project's home moves. */
export const SRCROOT = '%SRCROOT%';
/** Key of our fingerprint in result.partialFingerprints; bump the version if the fingerprint recipe changes. */
export const FINGERPRINT_KEY = 'palisade/v1';

type SarifLevel = 'error' | 'warning' | 'note';

export const SARIF_LEVEL: Readonly<Record<Severity, SarifLevel>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * GitHub maps this score to its own bands (>= 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium,
 * 0.1–3.9 low); each value sits inside the band of the severity it stands for.
 */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

/* The subset of SARIF we write, typed so the formatter cannot drift from the spec's names. */
interface MultiformatMessage {
  text: string;
  markdown?: string;
}
interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}
interface Region {
  startLine: number;
  startColumn?: number;
}
interface SarifLocation {
  physicalLocation?: { artifactLocation: ArtifactLocation; region?: Region };
  logicalLocations?: { name: string; fullyQualifiedName: string; kind: string }[];
}
interface ReportingDescriptor {
  id: string;
  name?: string;
  shortDescription?: MultiformatMessage;
  fullDescription?: MultiformatMessage;
  help?: MultiformatMessage;
  helpUri?: string;
  defaultConfiguration?: { level: SarifLevel };
  properties?: Record<string, unknown>;
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: 'inSource' | 'external'; state: 'accepted'; justification: string; properties?: Record<string, unknown> }[];
  properties: Record<string, unknown>;
}
interface Notification {
  level: SarifLevel;
  message: { text: string };
  descriptor: { id: string };
  locations?: SarifLocation[];
  properties?: Record<string, unknown>;
}
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: [
    {
      tool: { driver: { name: string; semanticVersion: string; rules: ReportingDescriptor[] } };
      invocations: { executionSuccessful: boolean; startTimeUtc?: string; endTimeUtc?: string; toolExecutionNotifications: Notification[] }[];
      originalUriBaseIds: Record<string, { uri: string }>;
      columnKind: 'utf16CodeUnits';
      results: SarifResult[];
      properties?: Record<string, unknown>;
    },
  ];
}

/** Renders a scan as one SARIF run; results keep the scan's (already stable) finding order. */
export const sarifFormatter: Formatter = {
  name: 'sarif',
  description: 'SARIF 2.1.0 for GitHub code scanning and other SARIF viewers (rules, locations, fingerprints, suppressions).',
  extension: 'sarif',
  render(result) {
    return JSON.stringify(toSarif(result), null, 2) + '\n';
  },
};

export function toSarif(result: ScanResult): SarifLog {
  const runs = [...result.controls].sort((a, b) => compareIds(a.meta.id, b.meta.id));
  // control id → "framework requirement" ids it evidences, from the compliance status.
  const compliance = new Map<string, string[]>();
  for (const fw of result.frameworks) {
    for (const r of fw.requirements) for (const c of r.controls) compliance.set(c, [...(compliance.get(c) ?? []), `${fw.id} ${r.id}`]);
  }
  const rules = runs.map((r) => ruleFor(r, compliance.get(r.meta.id) ?? []));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  // A finding whose control is not among the runs (custom sources, hand-built results)
  // still needs a rule for ruleIndex to point at.
  for (const f of result.findings) {
    if (!ruleIndex.has(f.controlId)) {
      ruleIndex.set(f.controlId, rules.length);
      rules.push({ id: f.controlId, defaultConfiguration: { level: SARIF_LEVEL[f.severity] }, properties: { tags: ['security'], 'security-severity': SECURITY_SEVERITY[f.severity] } });
    }
  }

  // Passes and skips are not problems; a SARIF viewer would show them as alerts.
  const results = result.findings
    .filter((f) => f.status === 'fail' || f.status === 'excepted')
    .map((f) => resultFor(f, ruleIndex.get(f.controlId)!));

  const started = Date.parse(result.startedAt);
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Palisade',
            semanticVersion: result.tool.version,
            rules,
          },
        },
        invocations: [
          {
            // Input errors mean part of the input was not judged: the run did not fully succeed.
            executionSuccessful: !result.diagnostics.some((d) => d.level === 'error'),
            ...(Number.isFinite(started)
              ? { startTimeUtc: new Date(started).toISOString(), endTimeUtc: new Date(started + Math.max(0, result.durationMs)).toISOString() }
              : {}),
            toolExecutionNotifications: result.diagnostics.map(notificationFor),
          },
        ],
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(result.root) } },
        // Columns come from JavaScript string offsets.
        columnKind: 'utf16CodeUnits',
        results,
        ...(result.frameworks.length
          ? {
              properties: {
                // Compliance status per framework: the score and each requirement that is not passing.
                frameworks: result.frameworks.map((fw) => ({
                  id: fw.id,
                  title: fw.title,
                  version: fw.version,
                  score: fw.score,
                  counts: fw.counts,
                  failing: fw.requirements.filter((r) => r.status === 'fail').map((r) => ({ id: r.id, title: r.title, controls: r.controls, findings: r.failed })),
                })),
              },
            }
          : {}),
      },
    ],
  };
}

function ruleFor(run: ControlRun, compliance: string[]): ReportingDescriptor {
  const m = run.meta;
  const references = (m.references ?? []).filter(isAbsoluteHttpUri);
  const rule: ReportingDescriptor = {
    id: m.id,
    name: pascalCase(m.slug),
    shortDescription: { text: m.title },
    fullDescription: { text: m.description },
    help: helpFor(m, references),
  };
  if (references[0]) rule.helpUri = references[0];
  rule.defaultConfiguration = { level: SARIF_LEVEL[run.severity] };
  rule.properties = {
    tags: unique([m.category, 'security', ...(m.mitre ?? [])]),
    'security-severity': SECURITY_SEVERITY[run.severity],
    precision: 'high',
    severity: run.severity,
    maturity: m.maturity,
    documentation: `docs/controls/${m.id}.md`,
    ...(compliance.length ? { compliance } : {}),
  };
  return rule;
}

function helpFor(m: ControlMeta, references: string[]): MultiformatMessage {
  const text = [m.description, `Why: ${m.rationale}`, `Fix: ${m.remediation}`];
  const md = [m.description, `**Why it matters.** ${m.rationale}`, `**How to fix.** ${m.remediation}`];
  const mitre = m.mitre ?? [];
  if (references.length) {
    text.push('References:\n' + references.map((r) => `- ${r}`).join('\n'));
    md.push('**References**\n\n' + references.map((r) => `- <${r}>`).join('\n'));
  }
  if (mitre.length) {
    text.push(`MITRE ATT&CK: ${mitre.join(', ')}`);
    md.push('**MITRE ATT&CK**: ' + mitre.map((t) => `[${t}](${mitreUri(t)})`).join(', '));
  }
  return { text: text.join('\n\n'), markdown: md.join('\n\n') };
}

function resultFor(f: Finding, ruleIndex: number): SarifResult {
  const location: SarifLocation = {};
  const artifact = f.location ? artifactLocation(f.location.file) : undefined;
  if (f.location && artifact) {
    location.physicalLocation = { artifactLocation: artifact, region: { startLine: f.location.line, startColumn: f.location.column } };
  }
  location.logicalLocations = [{ name: f.resource.name, fullyQualifiedName: resourceQualifiedName(f.resource), kind: 'resource' }];

  const properties: Record<string, unknown> = {
    resource: { apiVersion: f.resource.apiVersion, kind: f.resource.kind, namespace: f.resource.namespace, name: f.resource.name },
    path: toDotted(f.path),
    severity: f.severity,
    messageId: f.messageId,
  };
  // Kept when the file is not an artifact a viewer can open (stdin), so the line is not lost.
  if (f.location && !artifact) properties.location = { file: f.location.file, line: f.location.line, column: f.location.column };
  if (f.location && !f.location.exact) properties.locatedPath = toDotted(f.location.path);
  if (f.evidence !== undefined) properties.evidence = f.evidence;
  // SARIF fixes are text replacements in a file region; a JSON patch on the object is
  // not one (quoting, flow style and comments decide the text), so it travels as data.
  if (f.fix) properties.fix = f.fix;

  const r: SarifResult = {
    ruleId: f.controlId,
    ruleIndex,
    level: SARIF_LEVEL[f.severity],
    message: { text: `${displayName(f.resource)}: ${f.message}` },
    locations: [location],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties,
  };
  if (f.status === 'excepted') {
    const e = f.exception;
    const exceptionProps: Record<string, unknown> = {};
    if (e) {
      exceptionProps.exceptionId = e.id;
      if (e.owner) exceptionProps.owner = e.owner;
      if (e.expires) exceptionProps.expires = e.expires;
    }
    r.suppressions = [
      {
        // An annotation on the object itself is a suppression written in the source.
        kind: e?.id === 'annotation' ? 'inSource' : 'external',
        state: 'accepted',
        justification: e?.reason ?? 'excepted',
        ...(e ? { properties: exceptionProps } : {}),
      },
    ];
  }
  return r;
}

function notificationFor(d: Diagnostic): Notification {
  const n: Notification = { level: d.level, message: { text: d.message }, descriptor: { id: d.code } };
  const artifact = d.file ? artifactLocation(d.file) : undefined;
  if (artifact) {
    const physicalLocation: NonNullable<SarifLocation['physicalLocation']> = { artifactLocation: artifact };
    if (d.line && d.line >= 1) physicalLocation.region = d.column && d.column >= 1 ? { startLine: d.line, startColumn: d.column } : { startLine: d.line };
    n.locations = [{ physicalLocation }];
  }
  const props: Record<string, unknown> = {};
  if (d.field) props.field = d.field;
  if (d.file && !artifact) props.file = d.file;
  if (Object.keys(props).length) n.properties = props;
  return n;
}

/**
 * The artifact location of a file as the scan names it: relative to the scan root (forward
 * slashes) → a relative URI under %SRCROOT%; absolute (outside the root) → a file: URI;
 * a pseudo-file such as `<stdin>` → none.
 */
export function artifactLocation(file: string): ArtifactLocation | undefined {
  if (file === '' || /^<.*>$/.test(file)) return undefined;
  if (file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file)) return { uri: pathToFileURL(file).href };
  return { uri: encodeRelativePath(file), uriBaseId: SRCROOT };
}

/** Percent-encodes each segment, so spaces, `#`, `?`, `%` and non-ASCII survive as a URI reference. */
export function encodeRelativePath(file: string): string {
  return file
    .replace(/\\/g, '/')
    .replace(/^\.\//, '')
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

function directoryUri(root: string): string {
  const href = pathToFileURL(root).href;
  return href.endsWith('/') ? href : href + '/';
}

function resourceQualifiedName(r: Finding['resource']): string {
  return r.namespace ? `${r.kind}/${r.namespace}/${r.name}` : `${r.kind}/${r.name}`;
}

/** privileged-container → PrivilegedContainer */
export function pascalCase(slug: string): string {
  return slug
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function mitreUri(technique: string): string {
  const [id, sub] = technique.split('.');
  return `https://attack.mitre.org/techniques/${id}/${sub ? sub + '/' : ''}`;
}

function isAbsoluteHttpUri(s: string): boolean {
  return /^https?:\/\/[^\s/]+/.test(s);
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
