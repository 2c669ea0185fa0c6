import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeResource, type K8sObject } from '../core/resource.js';
import { ContextCache } from './context-cache.js';
import { decide, Exemptions, parseFindingsAnnotation } from './judge.js';
import { parseReview } from './review.js';
import { admissionReview, HARDENED_CONTAINER, judgeFromArgs, podSpec, workload, WORKLOAD_KINDS } from './test-support.js';

function judgeWith(argv: string[], cwd?: string) {
  const { judge, settings } = judgeFromArgs(argv, cwd);
  const cache = new ContextCache(settings.cache.kinds, settings.cache.maxObjects);
  const exemptions = new Exemptions(settings.exemptions);
  return { cache, run: (body: Record<string, unknown>) => decide(parseReview(body), judge, settings, exemptions, cache) };
}

const privileged = { ...HARDENED_CONTAINER, securityContext: { ...(HARDENED_CONTAINER.securityContext as object), privileged: true } };
const latest = { ...HARDENED_CONTAINER, image: 'registry.example.com/shop/app:latest' };

describe('validating decisions', () => {
  const { run } = judgeWith([]);

  for (const kind of WORKLOAD_KINDS) {
    it(`denies a privileged ${kind} and allows a hardened one`, () => {
      const denied = run(admissionReview('CREATE', workload(kind, podSpec([privileged]))));
      assert.equal(denied.response.allowed, false);
      assert.equal(denied.response.status?.code, 403);
      assert.ok(denied.findings.some((f) => f.controlId === 'PAL-POD-001' && f.action === 'deny'));
      assert.match(denied.response.status!.message, /\[PAL-POD-001\]/);
      assert.equal(denied.response.auditAnnotations?.decision, 'deny');
      const ok = run(admissionReview('CREATE', workload(kind, podSpec([HARDENED_CONTAINER]))));
      assert.equal(ok.response.allowed, true, JSON.stringify(ok.findings.filter((f) => f.action === 'deny')));
      assert.equal(ok.response.status, undefined);
    });
  }

  it('warns below --deny-at and audits below --warn-at', () => {
    const d = run(admissionReview('CREATE', workload('Deployment', podSpec([latest]))));
    assert.equal(d.response.allowed, true);
    assert.equal(d.outcome, 'warn');
    const f = d.findings.find((x) => x.controlId === 'PAL-IMG-001')!;
    assert.equal(f.action, 'warn');
    assert.ok(d.response.warnings?.some((w) => w.startsWith('[PAL-IMG-001]')));
    const audited = judgeWith(['--warn-at', 'high']).run(admissionReview('CREATE', workload('Deployment', podSpec([latest]))));
    assert.equal(audited.findings.find((x) => x.controlId === 'PAL-IMG-001')!.action, 'audit');
    assert.equal(audited.response.warnings, undefined);
    assert.match(audited.response.auditAnnotations!.findings!, /PAL-IMG-001/);
  });

  it('sends warnings the API server keeps, whatever the object holds: values with control characters and odd spaces are sanitised, plain ones sent as they are', () => {
    const odd = ['app\u0007bell', ' lead', 'two  spaces', 'tab\tname', 'lone\uD800', 'ok-name'];
    const containers = odd.map((name) => ({ ...latest, name }));
    const d = run(admissionReview('CREATE', workload('Deployment', podSpec(containers))));
    const warnings = d.response.warnings ?? [];
    assert.ok(warnings.length >= odd.length, JSON.stringify(warnings));
    for (const w of warnings) {
      assert.doesNotMatch(w, /\p{Cc}|\s{2}|^\s|\s$/u, JSON.stringify(w));
      assert.doesNotMatch(w, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/, JSON.stringify(w));
      assert.ok(Array.from(w).length <= 120, w);
    }
    const tag = (name: string) => warnings.find((w) => w.startsWith('[PAL-IMG-001]') && w.includes(name));
    assert.ok(tag('"app bell"'), 'the bell became a space');
    assert.ok(tag('"lead"') || tag('" lead"'), 'leading space folded');
    assert.ok(tag('"two spaces"'), 'double space folded');
    assert.ok(tag('"lone\uFFFD"'), 'lone surrogate replaced');
    assert.ok(tag('"ok-name"'));
  });

  it('denies latest with --refuse-latest and digest-less images with --require-digest', () => {
    const refuse = judgeWith(['--refuse-latest', '--require-digest']).run(admissionReview('CREATE', workload('Pod', podSpec([latest]))));
    assert.equal(refuse.response.allowed, false);
    assert.deepEqual(refuse.response.auditAnnotations!['denied-by']!.split(',').sort(), ['PAL-IMG-001', 'PAL-IMG-002']);
  });

  it('refuses images outside --allowed-registry (PAL-IMG-003)', () => {
    const d = judgeWith(['--allowed-registry', 'registry.example.com']).run(admissionReview('CREATE', workload('Pod', podSpec([{ ...HARDENED_CONTAINER, image: `docker.io/evil/miner:1.0@${'sha256:' + 'a'.repeat(64)}` }]))));
    assert.equal(d.response.allowed, false);
    assert.ok(d.findings.some((f) => f.controlId === 'PAL-IMG-003' && f.action === 'deny'));
  });

  it('per-control actions win over severities', () => {
    const d = judgeWith(['--action', 'PAL-POD-001=warn', '--action', 'PSS-PRIVILEGED=off']).run(admissionReview('CREATE', workload('Pod', podSpec([privileged]))));
    assert.equal(d.response.allowed, true);
    assert.equal(d.findings.find((f) => f.controlId === 'PAL-POD-001')?.action, 'warn');
    assert.equal(d.findings.find((f) => f.controlId === 'PSS-PRIVILEGED'), undefined);
  });

  it('--dry-run never denies: denials become warnings marked as such', () => {
    const d = judgeWith(['--dry-run']).run(admissionReview('CREATE', workload('Pod', podSpec([privileged]))));
    assert.equal(d.response.allowed, true);
    assert.ok(d.response.warnings!.some((w) => w.startsWith('[dry-run, would deny] [PAL-POD-001]')));
    assert.equal(d.response.auditAnnotations?.mode, 'dry-run');
    assert.ok(d.findings.find((f) => f.controlId === 'PAL-POD-001')?.wouldDeny);
  });

  it('writes every judged finding into the findings audit annotation, as text within its limit', () => {
    const d = run(admissionReview('CREATE', workload('Deployment', podSpec([privileged, latest]))));
    const value = d.response.auditAnnotations!.findings!;
    assert.match(value, /^PAL-\S+ (deny|warn|audit) spec\./);
    assert.doesNotMatch(value, /"/, 'no JSON to escape inside the review');
    const annotated = parseFindingsAnnotation(value);
    assert.deepEqual(
      annotated.map((a) => `${a.control} ${a.action} ${a.path}`),
      d.findings.map((f) => `${f.controlId} ${f.action} ${f.path}`),
    );
    // A pod with many containers: the value stops at a whole entry and counts the rest.
    const many = Array.from({ length: 60 }, (_, i) => ({ ...privileged, name: `c${i}` }));
    const big = run(admissionReview('CREATE', workload('Pod', podSpec(many))));
    const text = big.response.auditAnnotations!.findings!;
    assert.ok(text.length <= 4096, `${text.length}`);
    const m = /; and (\d+) more \(decision log\)$/.exec(text);
    assert.ok(m, text.slice(-80));
    assert.equal(parseFindingsAnnotation(text).length + Number(m[1]), big.findings.length);
  });

  it('reads back quoted exception ids and paths with "; " inside quoted keys', () => {
    const value = 'PAL-X-1 audit+exception="odd id; with spaces" metadata.annotations["a; b"]; PAL-X-2 warn+existing spec.x; and 3 more (decision log)';
    assert.deepEqual(parseFindingsAnnotation(value), [
      { control: 'PAL-X-1', action: 'audit', existing: false, exception: 'odd id; with spaces', path: 'metadata.annotations["a; b"]' },
      { control: 'PAL-X-2', action: 'warn', existing: true, path: 'spec.x' },
    ]);
  });

  describe('UPDATE', () => {
    const old = workload('Deployment', podSpec([privileged]), 'legacy');
    const relabelled = { ...old, metadata: { ...old.metadata, labels: { app: 'legacy', tier: 'web' } } } as K8sObject;
    const worse = workload('Deployment', podSpec([privileged, { ...privileged, name: 'sidecar', securityContext: { ...(privileged.securityContext as object), capabilities: { add: ['SYS_ADMIN'] } } }]), 'legacy');

    it('does not block an unrelated update for a finding the stored object already had', () => {
      const d = run(admissionReview('UPDATE', relabelled, { oldObject: old }));
      assert.equal(d.response.allowed, true);
      const f = d.findings.find((x) => x.controlId === 'PAL-POD-001')!;
      assert.equal(f.existing, true);
      assert.equal(f.action, 'warn');
      assert.ok(d.response.warnings!.some((w) => w.startsWith('[existing, not blocking] [PAL-POD-001]')));
    });

    it('denies what the update makes worse', () => {
      const d = run(admissionReview('UPDATE', worse, { oldObject: old }));
      assert.equal(d.response.allowed, false);
      const denied = d.findings.filter((f) => f.action === 'deny');
      assert.ok(denied.length > 0);
      assert.ok(denied.every((f) => f.path.includes('containers[1]')), JSON.stringify(denied));
    });

    it('decides the same without fingerprints (no decision log): only the findings lose them', () => {
      const { judge, settings } = judgeFromArgs([]);
      const exemptions = new Exemptions(settings.exemptions);
      for (const body of [admissionReview('UPDATE', relabelled, { oldObject: old }), admissionReview('UPDATE', worse, { oldObject: old })]) {
        const request = parseReview(body);
        const withPrints = decide(request, judge, settings, exemptions);
        const without = decide(request, judge, settings, exemptions, undefined, { fingerprints: false });
        assert.deepEqual(without.response, withPrints.response);
        assert.ok(withPrints.findings.every((f) => /^[0-9a-f]{32}$/.test(f.fingerprint ?? '')));
        assert.deepEqual(without.findings, withPrints.findings.map(({ fingerprint: _, ...f }) => f));
      }
    });

    it('blocks existing findings too with --block-existing', () => {
      const d = judgeWith(['--block-existing']).run(admissionReview('UPDATE', relabelled, { oldObject: old }));
      assert.equal(d.response.allowed, false);
    });
  });

  it('skips DELETE, CONNECT and subresources (unless --include-subresources)', () => {
    const pod = workload('Pod', podSpec([privileged]));
    assert.equal(run(admissionReview('DELETE', null, { oldObject: pod })).outcome, 'skip');
    assert.equal(run(admissionReview('CONNECT', pod)).outcome, 'skip');
    const sub = run(admissionReview('UPDATE', pod, { oldObject: pod, subResource: 'ephemeralcontainers' }));
    assert.equal(sub.outcome, 'skip');
    assert.equal(sub.response.allowed, true);
    const judged = judgeWith(['--include-subresources', '--block-existing']).run(admissionReview('UPDATE', pod, { oldObject: pod, subResource: 'ephemeralcontainers' }));
    assert.equal(judged.response.allowed, false);
  });

  it('exempts by namespace, user, group and labels', () => {
    const { run: exempt } = judgeWith(['--exempt-namespace', 'ops-*', '--exempt-user', 'system:serviceaccount:argocd:*', '--exempt-group', 'platform-admins', '--exempt-label', 'palisade.dev/exempt=true']);
    const pod = (ns: string, labels?: Record<string, string>) => workload('Pod', podSpec([privileged]), 'p', ns, labels);
    assert.equal(exempt(admissionReview('CREATE', pod('ops-tools'))).outcome, 'exempt');
    assert.equal(exempt(admissionReview('CREATE', pod('shop'), { user: 'system:serviceaccount:argocd:argocd-application-controller' })).outcome, 'exempt');
    assert.equal(exempt(admissionReview('CREATE', pod('shop'), { groups: ['platform-admins'] })).outcome, 'exempt');
    assert.equal(exempt(admissionReview('CREATE', pod('shop', { 'palisade.dev/exempt': 'true' }))).outcome, 'exempt');
    const judged = exempt(admissionReview('CREATE', pod('shop')));
    assert.equal(judged.outcome, 'deny');
  });
});

describe('exceptions at admission', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pal-adm-exc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'exceptions.yaml'),
    `apiVersion: palisade.dev/v1
kind: ExceptionList
exceptions:
  - id: EXC-1
    controls: [PAL-POD-001, PSS-PRIVILEGED, PAL-POD-005, PSS-ALLOW-PRIVILEGE-ESCALATION]
    resources: [{kind: Pod, namespace: shop, name: node-agent}]
    justification: The node agent needs privileged mode to load eBPF programs.
    owner: platform-team
    approvedBy: security-team
    expires: "2999-12-31"
`,
  );

  it('never denies for an excepted finding, and records the exception', () => {
    const { run } = judgeWith(['--exceptions', join(dir, 'exceptions.yaml')], dir);
    const d = run(admissionReview('CREATE', workload('Pod', podSpec([privileged]), 'node-agent')));
    assert.equal(d.response.allowed, true, d.response.status?.message);
    const f = d.findings.find((x) => x.controlId === 'PAL-POD-001')!;
    assert.equal(f.status, 'excepted');
    assert.equal(f.action, 'audit');
    assert.equal(f.exception, 'EXC-1');
    const annotated = parseFindingsAnnotation(d.response.auditAnnotations!.findings!);
    assert.deepEqual(annotated.find((x) => x.control === 'PAL-POD-001'), { control: 'PAL-POD-001', action: 'audit', existing: false, exception: 'EXC-1', path: 'spec.containers[0].securityContext.privileged' });
    assert.equal(run(admissionReview('CREATE', workload('Pod', podSpec([privileged]), 'other'))).response.allowed, false);
  });

  it('honours an opt-out annotation with a reason', () => {
    const { run } = judgeWith([]);
    const pod = workload('Pod', podSpec([privileged]), 'annotated');
    pod.metadata!.annotations = { 'exempt.palisade.dev/PAL-POD-001': 'accepted: legacy driver', 'exempt.palisade.dev/PSS-PRIVILEGED': 'accepted: legacy driver' };
    const d = run(admissionReview('CREATE', pod));
    assert.equal(d.findings.find((x) => x.controlId === 'PAL-POD-001')?.status, 'excepted');
    assert.equal(d.response.allowed, true);
  });
});

describe('policies (--policy) at admission', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pal-adm-policy-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'team.yaml'),
    `apiVersion: palisade.dev/v1
kind: Policy
metadata: {name: require-team-label}
spec:
  id: ACME-001
  title: Workloads carry a team label
  severity: medium
  category: ownership
  description: Every workload's pods have a team label.
  rationale: Findings are routed by team.
  remediation: Add a team label.
  match: {kinds: [Deployment, Pod]}
  variables:
    - name: labels
      expression: "podMetadata.?labels.orValue({})"
  validations:
    - name: missing-team
      expression: "'team' in variables.labels"
      message: the pods have no team label
      path: $podSpec
`,
  );

  it('judges with the Judging\'s policy controls, whose ids per-control actions may name', () => {
    const { run } = judgeWith(['--policy', join(dir, 'team.yaml'), '--action', 'ACME-001=deny'], dir);
    const unlabelled = run(admissionReview('CREATE', workload('Deployment', podSpec([HARDENED_CONTAINER]), 'web', 'shop', { app: 'web' })));
    assert.equal(unlabelled.response.allowed, false, JSON.stringify(unlabelled.findings));
    assert.deepEqual(unlabelled.response.auditAnnotations?.['denied-by'], 'ACME-001');
    const labelled = run(admissionReview('CREATE', workload('Deployment', podSpec([HARDENED_CONTAINER]), 'web', 'shop', { app: 'web', team: 'payments' })));
    assert.equal(labelled.response.allowed, true);
  });
});

describe('context objects', () => {
  const bare = { ...HARDENED_CONTAINER, resources: undefined };
  const limitRange: K8sObject = {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'defaults', namespace: 'shop' },
    spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' }, max: { memory: '1Gi' } }] },
  };

  it('learns LimitRanges from admitted reviews and judges with them; a dry run teaches nothing', () => {
    const { run, cache } = judgeWith(['--require-limits', '--require-requests']);
    const deploy = () => run(admissionReview('CREATE', workload('Deployment', podSpec([bare]))));
    assert.equal(deploy().response.allowed, false);
    run(admissionReview('CREATE', limitRange, { dryRun: true }));
    assert.equal(cache.size, 0);
    assert.equal(run(admissionReview('CREATE', limitRange)).response.allowed, true);
    assert.equal(cache.size, 1);
    assert.equal(deploy().response.allowed, true, JSON.stringify(deploy().findings.filter((f) => f.action === 'deny')));
    run(admissionReview('DELETE', null, { oldObject: limitRange }));
    assert.equal(cache.size, 0);
    assert.equal(deploy().response.allowed, false);
  });

  it('checks limits against the LimitRange maximum and the ResourceQuota (PAL-QUOTA-001, PAL-QUOTA-002)', () => {
    const { run, cache } = judgeWith(['--action', 'PAL-QUOTA-001=deny', '--action', 'PAL-QUOTA-002=deny']);
    cache.put(makeResource(limitRange, { type: 'admission', uid: 'x' }));
    cache.put(makeResource({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: 'shop' }, spec: { hard: { 'requests.memory': '1Gi', 'limits.memory': '2Gi' } } }, { type: 'admission', uid: 'y' }));
    const big = { ...HARDENED_CONTAINER, resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } } };
    const d = run(admissionReview('CREATE', workload('Deployment', podSpec([big]))));
    assert.equal(d.response.allowed, false);
    const ids = d.findings.filter((f) => f.action === 'deny').map((f) => `${f.controlId}:${f.messageId}`).sort();
    // 2 × 2Gi of limits.memory exceed the 2Gi quota; 2 × 512Mi of requests fit 1Gi exactly.
    assert.deepEqual(ids, ['PAL-QUOTA-001:overMax', 'PAL-QUOTA-002:exceeds']);
    assert.match(d.findings.find((f) => f.controlId === 'PAL-QUOTA-002')!.message, /2 pod\(s\) need 4Gi of limits.memory/);
    const fits = { ...HARDENED_CONTAINER, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } } };
    assert.equal(run(admissionReview('CREATE', workload('Deployment', podSpec([fits])))).response.allowed, true);
  });
});
