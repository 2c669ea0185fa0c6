/**
 * Palisade policy files: a control written as data. The expressions are CEL with the
 * ValidatingAdmissionPolicy environment (object, namespaceObject, request, variables, and
 * podSpec/podMetadata for workloads); the metadata is a control's (id, severity, framework
 * requirements, …). docs/policies.md describes the format.
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { Diagnostic } from '../../core/errors.js';
import type { LabelSelector } from '../../core/inventory.js';
import type { JsonPath } from '../../core/path.js';
import type { Resource } from '../../core/resource.js';
import { SEVERITIES, type Severity } from '../../core/severity.js';
import type { Maturity } from '../../core/control.js';
import { compileExpression, type CompiledExpression, type ResultType, type VariableDefinition } from './expressions.js';
import { celDiagnostic, fieldDiagnostic, type SourceFiles } from './yaml-source.js';

export const PALISADE_POLICY_API = 'palisade.dev/v1';
/** Top-level variables of Palisade policy expressions besides the ValidatingAdmissionPolicy ones. */
export const WORKLOAD_VARIABLES = ['podSpec', 'podMetadata'] as const;

export interface KindSelector {
  group?: string;
  version?: string;
  kind: string;
}

export interface PolicyMatch {
  kinds: KindSelector[];
  apiGroups?: string[];
  namespaces?: string[];
  excludeNamespaces?: string[];
  names?: string[];
  labelSelector?: LabelSelector;
  conditions: { name: string; expression: CompiledExpression }[];
}

export interface PolicyValidation {
  /** Message id of its findings. */
  id: string;
  expression: CompiledExpression;
  message?: string;
  messageExpression?: CompiledExpression;
  /** Where findings point: a path from the object root; `$podSpec` stands for the pod spec of a workload. */
  path: JsonPath;
  pathFromPodSpec: boolean;
  reason?: string;
}

export interface PalisadePolicy {
  name: string;
  id: string;
  title: string;
  severity: Severity;
  category: string;
  description: string;
  rationale: string;
  remediation: string;
  references: string[];
  mitre: string[];
  frameworks: Record<string, string[]>;
  maturity: Maturity;
  failurePolicy: 'Fail' | 'Ignore';
  match: PolicyMatch;
  variables: VariableDefinition[];
  validations: PolicyValidation[];
  resource: Resource;
}

const named = { type: 'object', required: ['name', 'expression'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1 }, expression: { type: 'string' } } };
const selector = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'operator'],
        additionalProperties: false,
        properties: { key: { type: 'string' }, operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }, values: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
};
const strings = { type: 'array', items: { type: 'string', minLength: 1 } };

export const POLICY_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: PALISADE_POLICY_API },
    kind: { const: 'Policy' },
    metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
    spec: {
      type: 'object',
      required: ['id', 'title', 'severity', 'description', 'remediation', 'validations'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_.-]*$' },
        title: { type: 'string', minLength: 1 },
        severity: { enum: [...SEVERITIES] },
        category: { type: 'string', minLength: 1 },
        description: { type: 'string', minLength: 1 },
        rationale: { type: 'string' },
        remediation: { type: 'string', minLength: 1 },
        references: strings,
        mitre: { type: 'array', items: { type: 'string', pattern: '^T[0-9]{4}(\\.[0-9]{3})?$' } },
        frameworks: { type: 'object', additionalProperties: strings },
        maturity: { enum: ['stable', 'beta', 'experimental'] },
        failurePolicy: { enum: ['Fail', 'Ignore'] },
        match: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kinds: strings,
            apiGroups: { type: 'array', items: { type: 'string' } },
            namespaces: strings,
            excludeNamespaces: strings,
            names: strings,
            labels: { type: 'object', additionalProperties: { type: 'string' } },
            labelSelector: selector,
            conditions: { type: 'array', items: named },
          },
        },
        variables: { type: 'array', items: named },
        validations: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['expression'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]*$' },
              expression: { type: 'string' },
              message: { type: 'string' },
              messageExpression: { type: 'string' },
              path: { type: 'string' },
              reason: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const;

const validateSchema = new Ajv({ allErrors: true, strict: false }).compile(POLICY_SCHEMA);

export function isPalisadePolicyDocument(o: { apiVersion: string; kind: string }): boolean {
  return o.kind === 'Policy' && o.apiVersion.startsWith('palisade.dev/');
}

export function describeSchemaError(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case 'required':
      return `required field "${(e.params as { missingProperty: string }).missingProperty}" is missing`;
    case 'enum':
      return `expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `expected ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'type':
      return `expected ${(e.params as { type: string }).type}`;
    case 'pattern':
      return `"${String((e as { data?: unknown }).data)}" does not match ${(e.params as { pattern: string }).pattern}`;
    case 'minItems':
      return `needs at least ${(e.params as { limit: number }).limit} item(s)`;
    case 'minLength':
      return 'must not be empty';
    default:
      return e.message ?? e.keyword;
  }
}

/** Ajv errors as JSON paths with a message (one per field). */
export function schemaProblems(errors: readonly ErrorObject[]): { path: JsonPath; detail: string }[] {
  const out: { path: JsonPath; detail: string }[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const path: (string | number)[] = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    if (e.keyword === 'additionalProperties') path.push((e.params as { additionalProperty: string }).additionalProperty);
    if (e.keyword === 'required') path.push((e.params as { missingProperty: string }).missingProperty);
    const k = path.join('.');
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ path, detail: describeSchemaError(e) });
  }
  return out;
}

/**
 * "spec.containers[0].image", "metadata.labels['app.kubernetes.io/name']", a JSON pointer
 * ("/spec/replicas"), or any of them after "$podSpec" (the pod spec of a workload).
 */
export function parseFieldPath(text: string): { path: JsonPath; fromPodSpec: boolean } | undefined {
  let s = text.trim();
  let fromPodSpec = false;
  if (s.startsWith('$podSpec')) {
    fromPodSpec = true;
    s = s.slice('$podSpec'.length).replace(/^\./, '');
  }
  if (s === '' || s === '.') return { path: [], fromPodSpec };
  if (s.startsWith('/')) {
    return { path: s.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).map((p) => (/^\d+$/.test(p) ? Number(p) : p)), fromPodSpec };
  }
  const path: (string | number)[] = [];
  const re = /\s*(?:\.?([A-Za-z_$][\w$-]*)|\[\s*(\d+)\s*\]|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\])/y;
  let i = 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m || m[0].length === 0) return undefined;
    if (m[1] !== undefined) path.push(m[1]);
    else if (m[2] !== undefined) path.push(Number(m[2]));
    else path.push((m[3] ?? m[4])!);
    i = re.lastIndex;
  }
  return { path, fromPodSpec };
}

function parseKind(entry: string): KindSelector {
  const parts = entry.split('/');
  if (parts.length === 1) return { kind: parts[0]! };
  if (parts.length === 2) {
    const [a, kind] = parts as [string, string];
    if (/^v\d+((alpha|beta)\d+)?$/.test(a)) return { group: '', version: a, kind };
    return { group: a === 'core' ? '' : a, kind };
  }
  const [group, version, kind] = parts as [string, string, string];
  return { group: group === 'core' ? '' : group, version, kind };
}

const CEL_IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const RESERVED_MESSAGE_IDS = new Set(['error', 'costExceeded']);

/** Validates and compiles one Palisade Policy document; diagnostics point into its file. */
export function parsePalisadePolicy(resource: Resource, sources: SourceFiles): { policy?: PalisadePolicy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const o = resource.object as Record<string, unknown>;
  if (!validateSchema(o)) {
    for (const p of schemaProblems(validateSchema.errors ?? [])) diagnostics.push(fieldDiagnostic('PALISADE_POLICY_INVALID', resource, p.path, p.detail));
    return { diagnostics };
  }
  const spec = o.spec as Record<string, any>;
  const extraVariables = [...WORKLOAD_VARIABLES];
  const compileAt = (source: string, expect: ResultType, path: JsonPath, knownVariables: readonly string[]) => {
    const c = compileExpression(source, expect, { knownVariables, extraVariables });
    if (c.error) diagnostics.push(celDiagnostic(c.error, resource, path, sources));
    return c;
  };
  let failed = false;
  const bad = (path: JsonPath, detail: string) => {
    diagnostics.push(fieldDiagnostic('PALISADE_POLICY_INVALID', resource, path, detail));
    failed = true;
  };

  const variables: VariableDefinition[] = [];
  (spec.variables ?? []).forEach((v: { name: string; expression: string }, i: number) => {
    const p = ['spec', 'variables', i];
    if (!CEL_IDENTIFIER.test(v.name)) bad([...p, 'name'], `"${v.name}" is not a valid CEL identifier`);
    if (variables.some((d) => d.name === v.name)) bad([...p, 'name'], `duplicate variable "${v.name}"`);
    variables.push({ name: v.name, expression: compileAt(v.expression, 'any', [...p, 'expression'], variables.map((d) => d.name)) });
  });
  const names = variables.map((d) => d.name);

  const m = (spec.match ?? {}) as Record<string, any>;
  const labelSelector: LabelSelector | undefined =
    m.labels || m.labelSelector ? { matchLabels: { ...(m.labelSelector?.matchLabels ?? {}), ...(m.labels ?? {}) }, matchExpressions: m.labelSelector?.matchExpressions ?? [] } : undefined;
  for (const [i, e] of (labelSelector?.matchExpressions ?? []).entries()) {
    const inOp = e.operator === 'In' || e.operator === 'NotIn';
    if (inOp && !(e.values ?? []).length) bad(['spec', 'match', 'labelSelector', 'matchExpressions', i, 'values'], `must be given for operator ${e.operator}`);
    if (!inOp && (e.values ?? []).length) bad(['spec', 'match', 'labelSelector', 'matchExpressions', i, 'values'], `must be empty for operator ${e.operator}`);
  }
  const match: PolicyMatch = {
    kinds: (m.kinds ?? ['*']).map(parseKind),
    apiGroups: m.apiGroups?.map((g: string) => (g === 'core' ? '' : g)),
    namespaces: m.namespaces,
    excludeNamespaces: m.excludeNamespaces,
    names: m.names,
    labelSelector,
    conditions: (m.conditions ?? []).map((c: { name: string; expression: string }, i: number) => ({
      name: c.name,
      expression: compileAt(c.expression, 'bool', ['spec', 'match', 'conditions', i, 'expression'], names),
    })),
  };

  const ids = new Set<string>();
  const count = spec.validations.length as number;
  const validations: PolicyValidation[] = spec.validations.map((v: Record<string, string>, i: number) => {
    const p = ['spec', 'validations', i];
    const id = v.name ?? (count === 1 ? 'violation' : `violation-${i + 1}`);
    if (ids.has(id)) bad([...p, 'name'], `duplicate validation name "${id}"`);
    if (RESERVED_MESSAGE_IDS.has(id)) bad([...p, 'name'], `"${id}" is reserved for evaluation errors`);
    ids.add(id);
    if (v.message && /[\r\n]/.test(v.message.trim())) bad([...p, 'message'], 'must be one line');
    let path: JsonPath = [];
    let pathFromPodSpec = false;
    if (v.path !== undefined) {
      const parsed = parseFieldPath(v.path);
      if (!parsed) bad([...p, 'path'], `"${v.path}" is not a field path such as spec.template.spec.containers[0].image or /spec/replicas`);
      else ({ path, fromPodSpec: pathFromPodSpec } = parsed);
    }
    return {
      id,
      expression: compileAt(v.expression!, 'bool', [...p, 'expression'], names),
      message: v.message?.trim(),
      messageExpression: v.messageExpression !== undefined ? compileAt(v.messageExpression, 'string', [...p, 'messageExpression'], names) : undefined,
      path,
      pathFromPodSpec,
      reason: v.reason,
    };
  });
  if (failed) return { diagnostics };
  const meta = o.metadata as { name: string };
  return {
    policy: {
      name: meta.name,
      id: spec.id,
      title: spec.title,
      severity: spec.severity,
      category: spec.category ?? 'custom',
      description: spec.description,
      rationale: spec.rationale ?? spec.description,
      remediation: spec.remediation,
      references: spec.references ?? [],
      mitre: spec.mitre ?? [],
      frameworks: spec.frameworks ?? {},
      maturity: spec.maturity ?? 'stable',
      failurePolicy: spec.failurePolicy ?? 'Fail',
      match,
      variables,
      validations,
      resource,
    },
    diagnostics,
  };
}
