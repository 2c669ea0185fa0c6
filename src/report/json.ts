import { toDotted, toPointer } from '../core/path.js';
import type { Finding } from '../core/finding.js';
import type { Formatter } from './formatter.js';
import { summarize } from './summary.js';

/** Machine-readable result; the schema is documented in docs/json-output.md. */
export const jsonFormatter: Formatter = {
  name: 'json',
  description: 'Every finding, control and input problem as JSON (schema: docs/json-output.md).',
  extension: 'json',
  render(result, opts) {
    return [...this.chunks!(result, opts)].join('');
  },
  *chunks(result) {
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
      findings: FINDINGS_MARK,
      frameworks: result.frameworks,
      diagnostics: result.diagnostics,
      // Live scans only: the cluster and the kinds it could not read (docs/cluster.md).
      ...(result.cluster !== undefined ? { cluster: result.cluster, gaps: result.gaps ?? [] } : {}),
    };
    // Everything but the findings is small: render it whole, then splice the findings in,
    // a thousand at a time, with the indentation JSON.stringify would have used.
    const text = JSON.stringify(out, null, 2);
    const mark = text.indexOf(JSON.stringify(FINDINGS_MARK));
    yield text.slice(0, mark);
    if (result.findings.length === 0) yield '[]';
    else {
      for (let i = 0; i < result.findings.length; i += 1000) {
        // Stringified inside the same wrapper shape, a chunk comes out already indented.
        const text = JSON.stringify({ findings: result.findings.slice(i, i + 1000).map(findingJson) }, null, 2);
        const items = text.slice(text.indexOf('[') + 2, text.lastIndexOf(']') - 3);
        yield (i === 0 ? '[\n' : ',\n') + items;
      }
      yield '\n  ]';
    }
    yield text.slice(mark + JSON.stringify(FINDINGS_MARK).length) + '\n';
  },
};

const FINDINGS_MARK = '\u0000findings\u0000';

function findingJson(f: Finding) {
  return {
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
  };
}
