import { createHash } from 'node:crypto';
import type { Finding, FindingResourceRef } from '../core/finding.js';
import { toDotted } from '../core/path.js';
import { displayName } from '../core/resource.js';
import type { ControlRun } from '../engine/engine.js';
import type { ScanResult } from '../engine/scan-result.js';
import type { FrameworkStatus, RequirementResult } from '../frameworks/scoring.js';
import type { Formatter } from './formatter.js';
import { liveScan } from './html.js';
import { encodeRelativePath } from './sarif.js';
import { summarize } from './summary.js';

/*
 * OSCAL 1.1.3 assessment results (schema: schemas/oscal-assessment-results-1.1.3.json).
 *
 * One result per scan:
 * - reviewed-controls: one control selection per framework (its requirement ids) plus one
 *   for the Palisade controls that ran;
 * - observations: one per control run (what it examined) and one per failing or excepted
 *   finding (the resource as subject, file:line and the redacted evidence);
 * - findings: one per framework requirement, target objective-id = the requirement id, state
 *   satisfied only for pass/partial (manual, node and not-evaluated are never "satisfied");
 *   without frameworks, one per control;
 * - risks: one per control with open findings (status open) or only excepted ones
 *   (deviation-approved), with the control's remediation as a recommendation.
 * UUIDs are name-based (RFC 4122 version 5) so the same scan renders the same document and
 * the same resource or tool keeps its UUID across scans.
 */

export const OSCAL_VERSION = '1.1.3';
/** Namespace of Palisade's own props (OSCAL requires a namespace for non-NIST names). */
export const PALISADE_NS = 'https://palisade.dev/ns/oscal';
/** Namespace UUID for our version-5 UUIDs (itself a fixed random v4 UUID). */
const UUID_NAMESPACE = '5b7c2f0e-8f0a-4c1e-9d3b-6a1f4e2c7d90';

/** RFC 4122 §4.3 name-based UUID (SHA-1, version 5). */
export function uuidV5(name: string, namespace = UUID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * An OSCAL token (XML NCName) for an id: requirement ids such as "5.1.1" or
 * "restricted/volume-types" are not tokens. Letters, digits, ".", "-" and "_" stay; anything
 * else becomes "-"; a leading digit or punctuation gets a "_" in front. Ids that are tokens
 * already are unchanged, and the original id is always kept in a prop.
 */
export function oscalToken(id: string): string {
  const t = id.replace(/[^\p{L}\p{N}._-]/gu, '-');
  return /^[\p{L}_]/u.test(t) ? t : `_${t}`;
}

/** OSCAL strings must not be empty nor start or end with whitespace, and `.` in its pattern stops at a newline. */
function oscalString(s: string, max = 1000): string {
  const one = s.replace(/\s+/g, ' ').trim();
  const cut = one.length > max ? one.slice(0, max - 1) + '…' : one;
  return cut || '-';
}

interface Prop {
  name: string;
  value: string;
  ns?: string;
  class?: string;
}
const prop = (name: string, value: string | number): Prop => ({ name, ns: PALISADE_NS, value: oscalString(String(value)) });

export interface OscalOptions {
  /** Where the assessment plan lives; default: a back-matter resource describing the implicit plan. */
  assessmentPlanHref?: string;
  /** Name of the assessed cluster or system, for titles. */
  system?: string;
}

export function oscalDocument(result: ScanResult, opts: OscalOptions = {}): Record<string, unknown> {
  const scanKey = `${result.startedAt}|${result.root}|${result.inputs.join(',')}`;
  const start = result.startedAt;
  const end = new Date(Date.parse(result.startedAt) + result.durationMs).toISOString();
  const toolUuid = uuidV5(`component:palisade:${result.tool.version}`);
  const partyUuid = uuidV5('party:palisade');
  const planUuid = uuidV5(`plan:${scanKey}`);
  const origins = [{ actors: [{ type: 'tool', 'actor-uuid': toolUuid }] }];
  const cluster = liveScan(result).cluster;
  const system = opts.system ?? cluster ?? (result.inputs.length ? result.inputs.join(', ') : 'manifests');
  const summary = summarize(result);

  // Subjects: every resource a finding points at (passing resources are only counted in the scan).
  const subjects = new Map<string, { uuid: string; ref: FindingResourceRef }>();
  for (const f of result.findings) {
    if (!subjects.has(f.resource.key)) subjects.set(f.resource.key, { uuid: uuidV5(`resource:${f.resource.key}`), ref: f.resource });
  }
  const subjectOf = (f: Finding) => subjects.get(f.resource.key)!;

  // Observations per control run, then per finding.
  const runObs = new Map<string, string>();
  const findingObs = new Map<string, string[]>();
  const observations: Record<string, unknown>[] = [];
  const runs = [...result.controls].sort((a, b) => cmp(a.meta.id, b.meta.id));
  const findingsByControl = new Map<string, Finding[]>();
  for (const f of result.findings) {
    if (f.status !== 'fail' && f.status !== 'excepted') continue;
    const list = findingsByControl.get(f.controlId);
    if (list) list.push(f);
    else findingsByControl.set(f.controlId, [f]);
  }
  for (const run of runs) {
    const uuid = uuidV5(`observation:${scanKey}:control:${run.meta.id}`);
    runObs.set(run.meta.id, uuid);
    const fs = findingsByControl.get(run.meta.id) ?? [];
    const seen = new Set<string>();
    const subj = fs.filter((f) => !seen.has(f.resource.key) && seen.add(f.resource.key)).map((f) => subjectRef(subjectOf(f)));
    observations.push({
      uuid,
      title: `${run.meta.id}: ${run.meta.title}`,
      description: `Control ${run.meta.id} examined ${run.evaluated} resource(s): ${run.failed} failing, ${run.excepted} excepted finding(s).`,
      props: [prop('control-id', run.meta.id), prop('severity', run.severity), prop('evaluated', run.evaluated), prop('failed', run.failed), prop('excepted', run.excepted)],
      methods: ['TEST'],
      types: ['control-objective'],
      origins,
      ...(subj.length ? { subjects: subj } : {}),
      collected: end,
    });
  }
  for (const [controlId, fs] of [...findingsByControl].sort(([a], [b]) => cmp(a, b))) {
    const ids: string[] = [];
    for (const f of fs) {
      const uuid = uuidV5(`observation:${scanKey}:finding:${f.fingerprint}`);
      ids.push(uuid);
      observations.push(findingObservation(f, uuid, subjectOf(f), origins, end, cluster));
    }
    findingObs.set(controlId, ids);
  }

  // Risks: one per control with findings.
  const riskOf = new Map<string, string>();
  const risks: Record<string, unknown>[] = [];
  for (const run of runs) {
    if (run.failed + run.excepted === 0) continue;
    const uuid = uuidV5(`risk:${scanKey}:${run.meta.id}`);
    riskOf.set(run.meta.id, uuid);
    risks.push(riskFor(run, uuid, origins, findingObs.get(run.meta.id) ?? []));
  }

  // A requirement relates the control-run observations and the risks; the per-finding
  // observations hang off the risks, so a requirement over a noisy control stays small.
  const relatedFor = (controls: readonly string[]) => {
    const obs: string[] = [];
    const rs: string[] = [];
    for (const c of controls) {
      const o = runObs.get(c);
      if (o) obs.push(o);
      const r = riskOf.get(c);
      if (r) rs.push(r);
    }
    return {
      ...(obs.length ? { 'related-observations': obs.map((u) => ({ 'observation-uuid': u })) } : {}),
      ...(rs.length ? { 'related-risks': rs.map((u) => ({ 'risk-uuid': u })) } : {}),
    };
  };

  const controlSelections: Record<string, unknown>[] = result.frameworks
    .filter((fw) => fw.requirements.length > 0)
    .map((fw) => ({
      description: `Requirements of ${fw.title} (${fw.version}).`,
      props: [prop('framework', fw.id), prop('framework-version', fw.version)],
      'include-controls': fw.requirements.map((r) => ({ 'control-id': oscalToken(r.id) })),
    }));
  if (runs.length) {
    controlSelections.push({
      description: 'Palisade controls run by this scan.',
      props: [prop('framework', 'palisade')],
      'include-controls': runs.map((r) => ({ 'control-id': oscalToken(r.meta.id) })),
    });
  } else if (!controlSelections.length) {
    // The schema needs at least one selection; an empty scan reviewed nothing.
    controlSelections.push({ description: 'No controls ran in this scan.', remarks: 'Nothing was selected for assessment.' });
  }

  const findings: Record<string, unknown>[] = [];
  for (const fw of result.frameworks) {
    for (const req of fw.requirements) findings.push({ ...requirementFinding(fw, req, uuidV5(`finding:${scanKey}:${fw.id}:${req.id}`), origins), ...relatedFor(req.controls) });
  }
  if (!result.frameworks.length) {
    for (const run of runs) findings.push({ ...controlFinding(run, uuidV5(`finding:${scanKey}:control:${run.meta.id}`), origins), ...relatedFor([run.meta.id]) });
  }

  const resultUuid = uuidV5(`result:${scanKey}`);
  const inventory = [...subjects.values()].map(({ uuid, ref }) => ({
    uuid,
    description: displayName(ref),
    props: [prop('api-version', ref.apiVersion), prop('kind', ref.kind), ...(ref.namespace ? [prop('namespace', ref.namespace)] : []), prop('name', ref.name), prop('resource-key', ref.key)],
  }));

  return {
    'assessment-results': {
      uuid: uuidV5(`assessment-results:${scanKey}`),
      metadata: {
        title: `Palisade assessment results: ${oscalString(system, 200)}`,
        published: end,
        'last-modified': end,
        version: oscalString(`${result.startedAt} (palisade ${result.tool.version})`),
        'oscal-version': OSCAL_VERSION,
        props: [prop('tool', 'palisade'), prop('tool-version', result.tool.version)],
        roles: [
          { id: 'assessor', title: 'Assessor', description: 'Performs the assessment: here, Palisade running its controls.' },
          { id: 'assessment-tool', title: 'Assessment tool' },
        ],
        parties: [{ uuid: partyUuid, type: 'organization', name: 'Palisade', 'short-name': 'palisade', remarks: 'The automated assessment tool that produced these results.' }],
        'responsible-parties': [
          { 'role-id': 'assessor', 'party-uuids': [partyUuid] },
          { 'role-id': 'assessment-tool', 'party-uuids': [partyUuid] },
        ],
      },
      'import-ap': {
        href: opts.assessmentPlanHref ?? `#${planUuid}`,
        remarks:
          'Palisade has no separate assessment plan document: the plan is the set of controls and frameworks selected for this scan over the listed inputs, as described by the back-matter resource this href points at.',
      },
      results: [
        {
          uuid: resultUuid,
          title: `Palisade scan of ${oscalString(system, 200)}`,
          description: `Automated assessment of ${summary.resources} Kubernetes resource(s) from ${summary.files} file(s) with ${summary.controls} control(s): ${summary.findings} failing and ${summary.excepted} excepted finding(s), ${summary.inputErrors} input error(s).`,
          start,
          end,
          props: [...(cluster ? [prop('cluster', cluster)] : []), prop('resources', summary.resources), prop('files', summary.files), prop('controls', summary.controls), prop('findings', summary.findings), prop('excepted', summary.excepted), prop('input-errors', summary.inputErrors)],
          'local-definitions': {
            components: [
              {
                uuid: toolUuid,
                type: 'software',
                title: `Palisade ${result.tool.version}`,
                description: 'Kubernetes security and compliance scanner; ran the controls that produced these observations.',
                status: { state: 'operational' },
              },
            ],
            ...(inventory.length ? { 'inventory-items': inventory } : {}),
            'assessment-assets': { 'assessment-platforms': [{ uuid: uuidV5(`platform:palisade:${result.tool.version}`), title: 'Palisade', 'uses-components': [{ 'component-uuid': toolUuid }] }] },
          },
          'reviewed-controls': { 'control-selections': controlSelections },
          ...(observations.length ? { observations } : {}),
          ...(risks.length ? { risks } : {}),
          ...(findings.length ? { findings } : {}),
          ...(result.diagnostics.length ? { remarks: result.diagnostics.map((d) => `${d.level}: ${d.code}: ${d.file ? `${d.file}${d.line ? `:${d.line}` : ''}: ` : ''}${d.message}`).join('\n') } : {}),
        },
      ],
      'back-matter': {
        resources: [
          {
            uuid: planUuid,
            title: 'Implicit assessment plan',
            description: `Controls: ${runs.map((r) => r.meta.id).join(', ') || 'none'}. Frameworks: ${result.frameworks.map((f) => `${f.id} ${f.version}`).join(', ') || 'none'}. Inputs: ${result.inputs.join(', ') || 'none'}.`,
            props: [prop('scan-started', start)],
          },
        ],
      },
    },
  };
}

function subjectRef(s: { uuid: string; ref: FindingResourceRef }) {
  return { 'subject-uuid': s.uuid, type: 'inventory-item', title: displayName(s.ref) };
}

function findingObservation(f: Finding, uuid: string, subject: { uuid: string; ref: FindingResourceRef }, origins: unknown, collected: string, cluster: string | undefined) {
  const loc = f.location;
  const where = loc ? `${loc.file}:${loc.line}:${loc.column}` : `${cluster ? `cluster ${cluster}, ` : ''}${displayName(f.resource)} (${toDotted(f.path)})`;
  const href = loc && loc.file !== '<stdin>' && !loc.file.startsWith('/') ? `${encodeRelativePath(loc.file)}#L${loc.line}` : undefined;
  const evidenceProps = [prop('path', toDotted(f.path)), prop('fingerprint', f.fingerprint)];
  if (f.evidence !== undefined) evidenceProps.push(prop('evidence', JSON.stringify(f.evidence) ?? String(f.evidence)));
  if (loc) evidenceProps.push(prop('file', loc.file), prop('line', loc.line), prop('column', loc.column));
  const props = [prop('control-id', f.controlId), prop('severity', f.severity), prop('status', f.status), prop('message-id', f.messageId)];
  if (f.exception) props.push(prop('exception-id', f.exception.id), prop('exception-reason', f.exception.reason));
  if (f.exception?.owner) props.push(prop('exception-owner', f.exception.owner));
  if (f.exception?.expires) props.push(prop('exception-expires', f.exception.expires));
  return {
    uuid,
    title: `${f.controlId} on ${displayName(f.resource)}`,
    description: f.message,
    props,
    methods: ['TEST'],
    types: ['finding'],
    origins,
    subjects: [subjectRef(subject)],
    'relevant-evidence': [{ ...(href ? { href } : {}), description: `Observed at ${where}.`, props: evidenceProps }],
    collected,
  };
}

function riskFor(run: ControlRun, uuid: string, origins: unknown, observationUuids: string[]) {
  const m = run.meta;
  return {
    uuid,
    title: m.title,
    description: m.rationale,
    statement: `${run.failed} open and ${run.excepted} excepted finding(s) of ${m.id} (${run.severity}).`,
    props: [prop('control-id', m.id), prop('severity', run.severity), prop('category', m.category)],
    status: run.failed > 0 ? 'open' : 'deviation-approved',
    origins,
    characterizations: [{ origin: (origins as unknown[])[0], facets: [{ name: 'severity', system: PALISADE_NS, value: run.severity }] }],
    remediations: [{ uuid: uuidV5(`remediation:${uuid}`), lifecycle: 'recommendation', title: `Remediate ${m.id}`, description: m.remediation, origins }],
    ...(observationUuids.length ? { 'related-observations': observationUuids.map((u) => ({ 'observation-uuid': u })) } : {}),
  };
}

/** satisfied only when evidence says so; partial passes the automated part, so it is satisfied with reason "other". */
function targetStatus(status: RequirementResult['status']): { state: 'satisfied' | 'not-satisfied'; reason: string; remarks?: string } {
  switch (status) {
    case 'pass':
      return { state: 'satisfied', reason: 'pass' };
    case 'partial':
      return { state: 'satisfied', reason: 'other', remarks: 'The automated part passed; the rest of the requirement needs review.' };
    case 'fail':
      return { state: 'not-satisfied', reason: 'fail' };
    case 'manual':
      return { state: 'not-satisfied', reason: 'other', remarks: 'Manual requirement: not assessed by this scan; never counted as satisfied.' };
    case 'node':
      return { state: 'not-satisfied', reason: 'other', remarks: 'Evidenced by node or host checks, not by this scan.' };
    default:
      return { state: 'not-satisfied', reason: 'other', remarks: 'Not evaluated: none of its controls ran or they had nothing to examine.' };
  }
}

function requirementFinding(fw: FrameworkStatus, req: RequirementResult, uuid: string, origins: unknown) {
  const status = targetStatus(req.status);
  return {
    uuid,
    title: `${fw.title}: ${req.id} ${req.title}`,
    description: `Requirement ${req.id} is ${req.status}: ${req.failed} failing and ${req.excepted} excepted finding(s) of ${req.controls.length ? req.controls.join(', ') : 'no mapped control'}.`,
    props: [prop('framework', fw.id), prop('requirement-id', req.id), prop('requirement-status', req.status), prop('assessment', req.assessment), ...(req.section ? [prop('section', req.section)] : [])],
    origins,
    target: { type: 'objective-id', 'target-id': oscalToken(req.id), title: req.title, status },
  };
}

function controlFinding(run: ControlRun, uuid: string, origins: unknown) {
  const failed = run.failed > 0;
  const status = failed
    ? { state: 'not-satisfied', reason: 'fail' }
    : run.evaluated > 0
      ? { state: 'satisfied', reason: 'pass' }
      : { state: 'not-satisfied', reason: 'other', remarks: 'The control had nothing to examine.' };
  return {
    uuid,
    title: `${run.meta.id}: ${run.meta.title}`,
    description: `Control ${run.meta.id} examined ${run.evaluated} resource(s): ${run.failed} failing and ${run.excepted} excepted finding(s).`,
    props: [prop('control-id', run.meta.id), prop('severity', run.severity)],
    origins,
    target: { type: 'objective-id', 'target-id': oscalToken(run.meta.id), title: run.meta.title, status },
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const oscalFormatter: Formatter = {
  name: 'oscal',
  description: 'NIST OSCAL 1.1.3 assessment results (JSON): requirement findings, observations with evidence, risks.',
  extension: 'json',
  render(result) {
    return JSON.stringify(oscalDocument(result), null, 2) + '\n';
  },
};
