import { SEVERITIES, type Severity } from './severity.js';

/** The contents of .palisade.yaml after validation. */
export interface PalisadeConfig {
  controls: Record<string, { enabled?: boolean; severity?: Severity; options?: Record<string, unknown> }>;
  allowedRegistries: string[];
  ignore: string[];
  failOn?: Severity | 'none';
  frameworks: string[];
  pssVersion?: string;
  exceptions?: string;
  /** Policy files or directories (docs/policies.md). */
  policies: string[];
  limits: { maxFileSize?: number; maxAliases?: number; maxDepth?: number; maxDocuments?: number };
  /**
   * Settings of the admission webhook (docs/admission.md), checked against ADMISSION_SCHEMA;
   * `palisade admission serve` reads them (src/admission/config.ts).
   */
  admission?: Record<string, unknown>;
}

export const EMPTY_CONFIG: PalisadeConfig = { controls: {}, allowedRegistries: [], ignore: [], frameworks: [], policies: [], limits: {} };

/** What the admission webhook does with a finding: refuse, allow with a warning, record only, ignore. */
export const ADMISSION_ACTIONS = ['deny', 'warn', 'audit', 'off'] as const;
/** Safe defaults the webhook's /mutate can add. */
export const ADMISSION_MUTATIONS = ['seccomp-runtime-default', 'no-privilege-escalation', 'no-token-automount', 'drop-all-capabilities', 'run-as-non-root'] as const;

const SEVERITY_OR_NONE = { enum: [...SEVERITIES, 'none'] };
const STRINGS = { type: 'array', items: { type: 'string', minLength: 1 } };
const RESOURCE_LIST = { type: 'object', additionalProperties: false, properties: { cpu: { type: ['string', 'number'] }, memory: { type: ['string', 'number'] } } };

/**
 * The admission webhook's settings: the `admission:` section of .palisade.yaml, or a file of
 * its own (`admission serve --admission-config FILE`).
 */
export const ADMISSION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    denyAt: { ...SEVERITY_OR_NONE, description: 'Lowest severity that denies.' },
    warnAt: { ...SEVERITY_OR_NONE, description: 'Lowest severity that warns; lower ones are audited.' },
    actions: { type: 'object', additionalProperties: { enum: [...ADMISSION_ACTIONS] }, description: 'Action per control id.' },
    dryRun: { type: 'boolean' },
    blockExisting: { type: 'boolean' },
    includeSubresources: { type: 'boolean' },
    exemptions: {
      type: 'object',
      additionalProperties: false,
      properties: { namespaces: STRINGS, users: STRINGS, groups: STRINGS, labels: { type: 'object', additionalProperties: { type: 'string' } } },
    },
    registries: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requireDigest: { type: 'boolean' },
        refuseLatest: { type: 'boolean' },
        resolveDigests: { type: 'boolean' },
        insecure: STRINGS,
        caFile: { type: 'string', minLength: 1 },
        timeoutMs: { type: 'integer', minimum: 1, maximum: 30000 },
        cacheSeconds: { type: 'integer', minimum: 0 },
      },
    },
    mutations: { type: 'array', items: { enum: [...ADMISSION_MUTATIONS] } },
    defaultResources: { type: 'object', additionalProperties: false, properties: { requests: RESOURCE_LIST, limits: RESOURCE_LIST } },
    requireRequests: { type: 'boolean' },
    requireLimits: { type: 'boolean' },
    cache: {
      type: 'object',
      additionalProperties: false,
      properties: { kinds: STRINGS, maxObjects: { type: 'integer', minimum: 0 } },
    },
    overload: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { enum: ['open', 'closed'] },
        maxInFlight: { type: 'integer', minimum: 1 },
        maxQueueMs: { type: 'integer', minimum: 1 },
      },
    },
    maxBodyBytes: { type: 'integer', minimum: 1024 },
    decisionLog: { type: 'string', minLength: 1 },
  },
} as const;

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    controls: {
      type: 'object',
      description: 'Per control id: `off`/`on`, or {enabled, severity, options}.',
      additionalProperties: {
        anyOf: [
          { enum: ['off', 'on', false, true] },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              enabled: { type: 'boolean' },
              severity: { enum: [...SEVERITIES] },
              options: { type: 'object' },
            },
          },
        ],
      },
    },
    allowedRegistries: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Registries or registry/path prefixes images may come from.' },
    ignore: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Glob patterns of paths not to scan.' },
    failOn: { enum: [...SEVERITIES, 'none'], description: 'Lowest severity that makes the scan exit 1.' },
    frameworks: { type: 'array', items: { type: 'string' }, description: 'Run only the controls of these frameworks.' },
    pssVersion: { type: 'string', pattern: '^(latest|v?1\\.\\d+)$', description: 'Pod Security Standards version.' },
    exceptions: { type: 'string', description: 'Path of an exceptions file.' },
    policies: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Policy files or directories (docs/policies.md).' },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxFileSize: { type: 'integer', minimum: 1 },
        maxAliases: { type: 'integer', minimum: 0 },
        maxDepth: { type: 'integer', minimum: 1 },
        maxDocuments: { type: 'integer', minimum: 1 },
      },
    },
    admission: { ...ADMISSION_SCHEMA, description: 'Admission webhook settings (docs/admission.md).' },
  },
} as const;

