import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatDiagnostic } from '../core/errors.js';
import { runControls } from '../engine/engine.js';
import type { Framework } from '../frameworks/loader.js';
import { buildInventory } from '../inventory/inventory.js';
import { DEFAULT_LIMITS, parseManifestText, type LoadResult } from '../sources/manifests.js';
import { loadPolicies, parseFrameworkAnnotation, withPolicyMappings } from './index.js';

function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-policies-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const policy = (id: string, extra = '') => `apiVersion: palisade.dev/v1
kind: Policy
metadata:
  name: ${id.toLowerCase()}
spec:
  id: ${id}
  title: Team label
  severity: medium
  description: Workloads carry a team label.
  remediation: Add a team label.
  frameworks:
    soc2: [CC6.1]
    pci-dss: [2.2.1]
${extra}  validations:
    - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
      message: no team label
      path: metadata
`;

const VAP = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: max-replicas
  annotations:
    palisade.dev/frameworks: '{"soc2": ["CC8.1"]}'
spec:
  matchConstraints:
    resourceRules:
      - apiGroups: [apps]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [deployments]
  validations:
    - expression: object.spec.replicas <= 5
`;

const binding = (name: string, actions: string, policyName = 'max-replicas') => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: ${name}
spec:
  policyName: ${policyName}
  validationActions: ${actions}
`;

const KYVERNO = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-team
  annotations:
    palisade.dev/frameworks: "soc2:CC6.1"
spec:
  rules:
    - name: team-label
      match:
        any:
          - resources:
              kinds: [Deployment]
      validate:
        message: a team label is required
        pattern:
          metadata:
            labels:
              team: "?*"
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 9
`;

describe('loadPolicies', () => {
  it('turns Palisade policies, VAP bindings and Kyverno rules into controls with their framework requirements', () => {
    const dir = workdir({
      'policies/team.yaml': policy('ACME-001'),
      'policies/vap.yaml': `${VAP}---\n${binding('deny', '[Deny]')}---\n${binding('audit', '[Audit]')}`,
      'policies/kyverno.yaml': KYVERNO,
      'policies/kyverno-test.yaml': 'name: ignored\npolicies: [kyverno.yaml]\n',
    });
    const loaded = loadPolicies(['policies'], dir);
    assert.deepEqual(loaded.diagnostics.map(formatDiagnostic), []);
    assert.deepEqual(loaded.controls.map((c) => c.meta.id).sort(), ['ACME-001', 'KYV-require-team/team-label', 'VAP-max-replicas/audit', 'VAP-max-replicas/deny']);
    assert.deepEqual(loaded.counts, { files: 3, palisade: 1, vap: 1, vapBindings: 2, kyverno: 1 });
    assert.deepEqual(loaded.frameworkRefs.get('ACME-001'), [
      { framework: 'soc2', requirement: 'CC6.1' },
      { framework: 'pci-dss', requirement: '2.2.1' },
    ]);
    assert.deepEqual(loaded.frameworkRefs.get('VAP-max-replicas/deny'), [{ framework: 'soc2', requirement: 'CC8.1' }]);
    assert.deepEqual(loaded.frameworkRefs.get('KYV-require-team/team-label'), [{ framework: 'soc2', requirement: 'CC6.1' }]);
    // A Deny binding is high severity, an Audit one low.
    const sev = Object.fromEntries(loaded.controls.map((c) => [c.meta.id, c.meta.severity]));
    assert.equal(sev['VAP-max-replicas/deny'], 'high');
    assert.equal(sev['VAP-max-replicas/audit'], 'low');

    const parsed: LoadResult = { resources: [], diagnostics: [], files: 0 };
    parseManifestText(DEPLOYMENT, 'k8s/web.yaml', false, DEFAULT_LIMITS, parsed);
    const result = runControls(buildInventory(parsed.resources), { controls: loaded.controls, settings: { allowedRegistries: [], pssVersion: 'latest' } });
    assert.deepEqual(
      result.findings.map((f) => [f.controlId, f.messageId, f.message, f.location?.line]).sort(),
      [
        ['ACME-001', 'violation', 'no team label', 3],
        ['KYV-require-team/team-label', 'fail', result.findings.find((f) => f.controlId.startsWith('KYV'))!.message, result.findings.find((f) => f.controlId.startsWith('KYV'))!.location?.line],
        ['VAP-max-replicas/audit', 'validation-0', 'failed expression: object.spec.replicas <= 5', 1],
        ['VAP-max-replicas/deny', 'validation-0', 'failed expression: object.spec.replicas <= 5', 1],
      ].sort(),
    );
  });

  it('reports bad documents with file, line and field, and still loads the others', () => {
    const dir = workdir({
      'a.yaml': policy('ACME-001'),
      'b.yaml': policy('ACME-002', '  severty: high\n'),
      'c.yaml': policy('ACME-001'),
      'd.yaml': `${VAP.replace('resources: [deployments]', 'resources: [deployments]\n        scope: Somewhere')}---\n${binding('b', '[Deny, Warn]')}`,
      'e.yaml': 'apiVersion: palisade.dev/v1\nkind: Policy\nmetadata: {name: x\n',
      'f.yaml': binding('orphan', '[Deny]', 'nowhere'),
      'g.yaml': VAP.replace('max-replicas', 'unbound'),
    });
    const loaded = loadPolicies(['.'], dir, { reservedIds: new Set(['PAL-POD-001']) });
    assert.deepEqual(loaded.controls.map((c) => c.meta.id), ['ACME-001']);
    const lines = loaded.diagnostics.map(formatDiagnostic);
    assert.deepEqual(lines, [
      'e.yaml:4:1: error: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a } [PALISADE_SOURCE_YAML_SYNTAX]',
      'b.yaml:14:3: error: spec.severty: unknown field "severty" [PALISADE_POLICY_INVALID]',
      'c.yaml:6:3: error: control id ACME-001 is already defined (a.yaml:1); this definition is ignored (field spec.id) [PALISADE_POLICY_DUPLICATE_ID]',
      'd.yaml:14:9: error: spec.matchConstraints.resourceRules[0].scope: unsupported value "Somewhere"; expected *, Cluster or Namespaced [PALISADE_POLICY_INVALID]',
      'd.yaml:24:3: error: spec.validationActions: Deny and Warn may not be used together (the failure would be reported twice); use [Deny] or [Deny, Audit] [PALISADE_POLICY_INVALID]',
      'g.yaml:4:3: note: ValidatingAdmissionPolicy unbound has no ValidatingAdmissionPolicyBinding; it is loaded but checks nothing [PALISADE_POLICY_UNBOUND]',
      'f.yaml:6:3: warning: ValidatingAdmissionPolicyBinding orphan binds policy nowhere, which is not loaded; the binding is ignored (field spec.policyName) [PALISADE_POLICY_NO_SUCH_POLICY]',
    ]);
  });

  it('notes a policy without binding: loaded, but it checks nothing', () => {
    const loaded = loadPolicies(['vap.yaml'], workdir({ 'vap.yaml': VAP }));
    assert.deepEqual(loaded.controls, []);
    assert.deepEqual(loaded.diagnostics.map(formatDiagnostic), ['vap.yaml:4:3: note: ValidatingAdmissionPolicy max-replicas has no ValidatingAdmissionPolicyBinding; it is loaded but checks nothing [PALISADE_POLICY_UNBOUND]']);
  });

  it('refuses ids of built-in controls', () => {
    const loaded = loadPolicies(['p.yaml'], workdir({ 'p.yaml': policy('PAL-POD-001') }), { reservedIds: new Set(['PAL-POD-001']) });
    assert.deepEqual(loaded.controls, []);
    assert.match(formatDiagnostic(loaded.diagnostics[0]!), /control id PAL-POD-001 is already defined \(a built-in control\)/);
  });
});

describe('framework mappings', () => {
  it('reads the palisade.dev/frameworks annotation as JSON or framework:requirement pairs', () => {
    assert.deepEqual(parseFrameworkAnnotation('soc2:CC6.1, pci-dss=2.2.1'), [
      { framework: 'soc2', requirement: 'CC6.1' },
      { framework: 'pci-dss', requirement: '2.2.1' },
    ]);
    assert.deepEqual(parseFrameworkAnnotation('{"nist-800-190": ["4.1.1", "4.1.2"]}')?.length, 2);
    assert.equal(parseFrameworkAnnotation('just words'), undefined);
  });

  it('adds policy controls to the framework requirements they name, and lists unknown ones', () => {
    const fw: Framework = { id: 'soc2', title: 'SOC 2', version: '2017', publisher: 'AICPA', description: '', file: 'soc2.yaml', requirements: [{ id: 'CC6.1', title: 'Access', assessment: 'automated', controls: ['PAL-RBAC-001'] }] };
    const { frameworks, unknown } = withPolicyMappings(new Map([['soc2', fw]]), new Map([['ACME-001', [{ framework: 'soc2', requirement: 'CC6.1' }, { framework: 'soc2', requirement: 'CC9.9' }]]]));
    assert.deepEqual(frameworks.get('soc2')!.requirements[0]!.controls, ['PAL-RBAC-001', 'ACME-001']);
    assert.deepEqual(fw.requirements[0]!.controls, ['PAL-RBAC-001'], 'the built-in framework is not changed');
    assert.deepEqual(unknown, [{ framework: 'soc2', requirement: 'CC9.9', control: 'ACME-001' }]);
  });
});
