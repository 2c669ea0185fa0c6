import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../core/finding.js';
import type { ScanResult } from '../engine/scan-result.js';
import { jsonFormatter } from './json.js';

function result(n: number): ScanResult {
  const findings: Finding[] = Array.from({ length: n }, (_, i) => ({
    controlId: 'PAL-POD-001',
    severity: 'high',
    status: 'fail',
    messageId: 'm',
    message: `finding "${i}"\nwith a newline`,
    resource: { apiVersion: 'v1', kind: 'Pod', name: `p${i}`, key: `/Pod//p${i}` },
    path: ['spec', 'containers', 0, 'securityContext', 'privileged'],
    location: { file: 'a.yaml', line: i + 1, column: 3, path: ['spec'], exact: false },
    fingerprint: `fp${i}`,
  }));
  return {
    tool: { name: 'palisade', version: '1' }, startedAt: 'x', durationMs: 1, root: '/r', inputs: ['.'],
    resources: { total: n, byKind: { Pod: n } }, files: 1, controls: [], findings, diagnostics: [], frameworks: [],
  };
}

describe('JSON report', () => {
  for (const n of [0, 1, 1000, 2001]) {
    it(`streams exactly what a single JSON.stringify would write (${n} findings)`, () => {
      const text = jsonFormatter.render(result(n), { color: false });
      const parsed = JSON.parse(text);
      assert.equal(parsed.findings.length, n);
      assert.equal(text, JSON.stringify(parsed, null, 2) + '\n', 'same bytes as one pretty-printed document');
      if (n) assert.equal(parsed.findings[n - 1].location.path, 'spec');
    });
  }
});
