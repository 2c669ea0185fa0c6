/*
 * Scans for the report-format tests, built with the real pipeline (parser → inventory →
 * engine) from the manifests below, so locations, fingerprints and diagnostics are the
 * ones a user gets.
 */
import { defineControl, type Control } from '../../core/control.js';
import type { Diagnostic } from '../../core/errors.js';
import type { ExceptionRef, Finding } from '../../core/finding.js';
import type { Resource } from '../../core/resource.js';
import { allControls } from '../../controls/registry.js';
import { runControls } from '../../engine/engine.js';
import type { ScanResult } from '../../engine/scan-result.js';
import { buildInventory } from '../../inventory/inventory.js';
import { DEFAULT_LIMITS, parseManifestText, type LoadResult } from '../../sources/manifests.js';

export interface SourceFile {
  /** As the loader names it: relative to the root, forward slashes. */
  file: string;
  text: string;
}

/** A Deployment whose second container runs privileged; the file name has a space. */
export const DEPLOYMENT_YAML: SourceFile = {
  file: 'manifests/web deployment.yaml',
  text: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: app
          image: registry.example.com/web:1.4.2
        - name: debug
          image: busybox
          securityContext:
            privileged: true
`,
};

/** A privileged Pod written as JSON. */
export const POD_JSON: SourceFile = {
  file: 'manifests/pod.json',
  text: `{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": { "name": "agent", "namespace": "ops" },
  "spec": {
    "containers": [
      {
        "name": "agent",
        "image": "agent:2",
        "securityContext": {
          "privileged": true
        }
      }
    ]
  }
}
`,
};

/** Three documents; the second and third have a privileged container. */
export const MULTI_DOC_YAML: SourceFile = {
  file: 'manifests/multi.yaml',
  text: `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ops
data:
  mode: strict
---
apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: ops
spec:
  initContainers:
    - name: setup
      image: setup:1
      securityContext: { privileged: true }
  containers:
    - name: api
      image: api:3
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: kube-system
spec:
  template:
    spec:
      containers:
        - name: agent
          image: agent:2
          securityContext:
            privileged: true
`,
};

/** Invalid YAML (an unclosed flow sequence) and a document that is no Kubernetes object. */
export const BROKEN_YAML: SourceFile = {
  file: 'broken/bad.yaml',
  text: `apiVersion: v1
kind: ConfigMap
metadata:
  name: [unclosed
`,
};
export const NOT_K8S_YAML: SourceFile = { file: 'broken/values.yaml', text: `just a string\n` };

/** 1-based line of the `occurrence`-th (0-based) line containing `needle`, found without the parser. */
export function lineOf(text: string, needle: string, occurrence = 0): number {
  let seen = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes(needle) && seen++ === occurrence) return i + 1;
  }
  throw new Error(`"${needle}" #${occurrence} not in text`);
}

export function privilegedControl(): Control {
  const c = allControls().find((x) => x.meta.id === 'PAL-POD-001');
  if (!c) throw new Error('PAL-POD-001 is not registered');
  return c;
}

/** Test-only: a medium control with no references, reporting images without a tag. */
export const untaggedImageControl: Control = defineControl({
  meta: {
    id: 'PAL-TEST-010',
    slug: 'untagged-image',
    title: 'Images must carry a tag',
    severity: 'medium',
    category: 'image',
    description: 'Fails when an image has no tag.',
    rationale: 'An untagged image is whatever was pushed last.',
    remediation: 'Pin a tag or, better, a digest.',
    messages: { untagged: 'Image "{{image}}" has no tag' },
    appliesTo: ['workloads'],
    maturity: 'experimental',
  },
  check(ctx) {
    return {
      container(c) {
        const image = c.container.image ?? '';
        if (!/[:@]/.test(image.split('/').pop() ?? '')) ctx.report({ messageId: 'untagged', data: { image }, path: [...c.path, 'image'], evidence: image });
      },
    };
  },
});

/** Test-only: a low control whose path does not exist, so the location is the nearest parent. */
export const missingLabelControl: Control = defineControl({
  meta: {
    id: 'PAL-TEST-020',
    slug: 'owner-label',
    title: 'Workloads name an owner',
    severity: 'low',
    category: 'data',
    description: 'Fails when a workload has no owner label.',
    rationale: 'Someone must answer for each workload.',
    remediation: 'Add metadata.labels.owner.',
    messages: { missing: 'No owner label' },
    appliesTo: ['workloads'],
    references: ['not a url', 'https://example.com/owners'],
    mitre: ['T1610', 'T1053.007'],
    maturity: 'beta',
  },
  check(ctx) {
    return {
      podSpec(ps) {
        if (!ps.resource.labels.owner) ctx.report({ messageId: 'missing', path: ['metadata', 'labels', 'owner'] });
      },
    };
  },
});

/** Test-only: an informational control that fails on every Pod by throwing, to produce an engine warning. */
export const crashingControl: Control = defineControl({
  meta: {
    id: 'PAL-TEST-030',
    slug: 'crashes',
    title: 'Crashes on pods',
    severity: 'info',
    category: 'workload',
    description: 'Throws.',
    rationale: 'Tests the engine.',
    remediation: 'None.',
    messages: {},
    appliesTo: ['Pod'],
    maturity: 'experimental',
  },
  check() {
    return {
      Pod() {
        throw new Error('boom');
      },
    };
  },
});

export interface ScanOptions {
  controls?: readonly Control[];
  exceptionFor?: (finding: Finding, resource: Resource) => ExceptionRef | undefined;
  root?: string;
  extraDiagnostics?: Diagnostic[];
}

/** Runs the scan pipeline over in-memory files and assembles the ScanResult as `scan` does. */
export function scanSources(files: readonly SourceFile[], opts: ScanOptions = {}): ScanResult {
  const loaded: LoadResult = { resources: [], diagnostics: [], files: 0 };
  for (const f of files) {
    loaded.files++;
    parseManifestText(f.text, f.file, f.file.endsWith('.json'), DEFAULT_LIMITS, loaded);
  }
  const engine = runControls(buildInventory(loaded.resources), {
    controls: opts.controls ?? [privilegedControl()],
    settings: { allowedRegistries: [], pssVersion: 'latest' },
    exceptionFor: opts.exceptionFor,
  });
  const byKind: Record<string, number> = {};
  for (const r of loaded.resources) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
  return {
    tool: { name: 'palisade', version: '1.2.3' },
    startedAt: '2024-05-01T10:00:00.000Z',
    durationMs: 1234,
    root: opts.root ?? '/home/ci/my repo',
    inputs: ['.'],
    resources: { total: loaded.resources.length, byKind },
    files: loaded.files,
    controls: engine.controls,
    findings: engine.findings,
    diagnostics: [...(opts.extraDiagnostics ?? []), ...loaded.diagnostics, ...engine.diagnostics],
    frameworks: [],
  };
}

/** Excepts findings on the Pod "api" by a configured exception, and on "agent" by annotation. */
export function exceptApiAndAgent(f: Finding): ExceptionRef | undefined {
  if (f.resource.name === 'api') return { id: 'EXC-7', reason: 'setup needs host access once', owner: 'team-ops', expires: '2030-01-31' };
  if (f.resource.name === 'agent') return { id: 'annotation', reason: 'agent is the node monitor' };
  return undefined;
}
