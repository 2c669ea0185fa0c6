import { toDotted, toPointer } from '../core/path.js';
import type { Formatter } from './formatter.js';
import { summarize } from './summary.js';

/** Machine-readable result; the schema is documented in docs/json-output.md. */
export const jsonFormatter: Formatter = {
  name: 'json',
  description: 'Every finding, control and input problem as JSON (schema: docs/json-output.md).',
  extension: 'json',
  render(result) {
    const out = {
      schemaVersion: 'palisade.scan/v1',
      tool: result.tool,
      startedAt: result.startedAt,
      durationMs: result.durationMs,
      root: result.root,
      inputs: result.inputs,
      summary: summarize(result),
      resources: result.resources,
      controls: result.controls.map((c) => ({
        id: c.meta.id,
        slug: c.meta.slug,
        title: c.meta.title,
        category: c.meta.category,
        severity: c.severity,
        evaluated: c.evaluated,
        failed: c.failed,
        excepted: c.excepted,
      })),
      findings: result.findings.map((f) => ({
        controlId: f.controlId,
        severity: f.severity,
        status: f.status,
        messageId: f.messageId,
        message: f.message,
        resource: f.resource,
        path: toDotted(f.path),
        pointer: toPointer(f.path),
        location: f.location
          ? { file: f.location.file, line: f.location.line, column: f.location.column, exact: f.location.exact, path: toDotted(f.location.path) }
          : undefined,
        evidence: f.evidence,
        fix: f.fix,
        fingerprint: f.fingerprint,
        exception: f.exception,
      })),
      frameworks: result.frameworks,
      diagnostics: result.diagnostics,
    };
    return JSON.stringify(out, null, 2) + '\n';
  },
};
