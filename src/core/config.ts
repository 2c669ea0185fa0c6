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
}

export const EMPTY_CONFIG: PalisadeConfig = { controls: {}, allowedRegistries: [], ignore: [], frameworks: [], policies: [], limits: {} };

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
  },
} as const;

