import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineControl, formatMessage, type Control } from '../core/control.js';
import { buildInventory } from '../inventory/inventory.js';
import { DEFAULT_LIMITS, parseManifestText, type LoadResult } from '../sources/manifests.js';
import { fingerprint, formatTemplate, prepareControls, runControls } from './engine.js';

function inventoryOf(yaml: string) {
  const out: LoadResult = { resources: [], diagnostics: [], files: 0 };
  parseManifestText(yaml, 'x.yaml', false, DEFAULT_LIMITS, out);
  return buildInventory(out.resources);
}

const meta = (id: string) => ({
  id,
  slug: id.toLowerCase(),
  title: 'test control',
  severity: 'medium' as const,
  category: 'test',
  description: 'test description',
  rationale: 'test rationale',
  remediation: 'test remediation',
  messages: { m: 'found {{what}}' },
  appliesTo: ['Pod'],
  maturity: 'experimental' as const,
});

const YAML = `apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers: [{name: c, image: x, env: [{name: PASSWORD, value: hunter2-secret}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: b, labels: {tier: system}}
spec:
  containers: [{name: c, image: x}]
---
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {token: aHVudGVyMg==}
`;

describe('engine', () => {
  it('counts only the resources a control judged (false = out of scope)', () => {
    const scoped: Control = defineControl({
      meta: meta('T-1'),
      check: () => ({
        podSpec(ps) {
          if (ps.resource.labels.tier !== 'system') return false;
        },
      }),
    });
    const none: Control = defineControl({ meta: meta('T-2'), check: () => ({ podSpec: () => false, inventory: () => 0 }) });
    const r = runControls(inventoryOf(YAML), { controls: [scoped, none], settings: { allowedRegistries: [], pssVersion: 'latest' } });
    assert.deepEqual(r.controls.map((c) => [c.meta.id, c.evaluated]), [['T-1', 1], ['T-2', 0]]);
  });

  it('keeps going when a control throws, reporting it as a warning', () => {
    const boom: Control = defineControl({ meta: meta('T-3'), check: () => ({ Pod() { throw new Error('bad shape'); } }) });
    const ok: Control = defineControl({ meta: meta('T-4'), check: (ctx) => ({ Pod(r) { ctx.report({ messageId: 'm', data: { what: r.name }, path: ['metadata', 'name'] }); } }) });
    const r = runControls(inventoryOf(YAML), { controls: [boom, ok], settings: { allowedRegistries: [], pssVersion: 'latest' } });
    assert.equal(r.findings.length, 2);
    assert.equal(r.diagnostics.length, 2);
    assert.equal(r.diagnostics[0]!.code, 'PALISADE_ENGINE_CONTROL_FAILED');
    assert.equal(r.diagnostics[0]!.level, 'warning');
  });

  it('redacts evidence taken from secret-bearing paths and fingerprints by identity, not position', () => {
    const leaky: Control = defineControl({
      meta: meta('T-5'),
      check: (ctx) => ({
        container(c) {
          ctx.report({ messageId: 'm', data: { what: 'env' }, path: [...c.path, 'env', 0, 'value'], evidence: c.container.env?.[0]?.value });
        },
        Secret(r) {
          ctx.report({ messageId: 'm', data: { what: 'secret' }, path: ['data', 'token'], evidence: (r.object.data as Record<string, string>).token });
        },
      }),
    });
    const r = runControls(inventoryOf(YAML), { controls: [leaky], settings: { allowedRegistries: [], pssVersion: 'latest' } });
    const text = JSON.stringify(r.findings);
    assert.ok(!text.includes('hunter2-secret'));
    assert.ok(!text.includes('aHVudGVyMg=='));
    assert.match(String(r.findings[0]!.evidence), /^<redacted len=\d+ sha256:[0-9a-f]{12}>$/);
    const shifted = runControls(inventoryOf('# moved down\n\n' + YAML), { controls: [leaky], settings: { allowedRegistries: [], pssVersion: 'latest' } });
    assert.deepEqual(shifted.findings.map((f) => f.fingerprint), r.findings.map((f) => f.fingerprint));
    assert.notDeepEqual(shifted.findings.map((f) => f.location?.line), r.findings.map((f) => f.location?.line));
    assert.equal(r.findings[0]!.fingerprint, fingerprint('T-5', '/Pod//a', ['spec', 'containers', 0, 'env', 0, 'value'], 'm'));
  });
  it('keeps fingerprints stable across releases (stored history names findings by them)', () => {
    // Values of the first release's implementation: a change here breaks "new / still open / resolved".
    assert.equal(fingerprint('PAL-POD-001', 'v1/Pod/shop/web', ['spec', 'containers', 0, 'securityContext', 'privileged'], 'privileged'), '6eeea2b1049e0d9a16596d078b0e7fbf');
    assert.equal(fingerprint('', '', [], ''), 'e8cc67efc2c40e388c03471fbcf51837');
    assert.notEqual(fingerprint('a', 'bc', [], 'm'), fingerprint('ab', 'c', [], 'm'));
    assert.notEqual(fingerprint('a', 'b', [0], 'm'), fingerprint('a', 'b', ['0'], 'm'));
  });

  it('formats messages exactly as formatMessage does', () => {
    const data = { what: 'x', n: 3, ok: false, dollar: '$& $1' };
    for (const t of ['found {{what}}', '{{ what }}/{{n}}/{{ok}}', '{{missing}} stays', 'no placeholders', '', '{{dollar}}', '{{ toString }}', '{{what}', '{{}}']) {
      assert.equal(formatTemplate(t, data), formatMessage(t, data), t);
      assert.equal(formatTemplate(t), formatMessage(t), t);
    }
  });

  it('says which messages are not plain text, from the values put in them and the template itself', () => {
    const values = ['api', 'registry.example.com/a:1', 'two words', 3, true, '', ' lead', 'trail ', 'a  b', 'tab\tx', 'bell\u0007', 'lone\uD800', 'smile 😀'];
    const control = defineControl({
      meta: { ...meta('PAL-TEST-PLAIN'), messages: { m: 'Container "{{v}}" found', odd: 'two  spaces {{v}}', missing: 'no {{nothing}} here' } },
      check: (ctx) => ({
        Pod() {
          values.forEach((v, i) => ctx.report({ messageId: 'm', path: ['spec', i], data: { v } }));
          ctx.report({ messageId: 'odd', path: ['odd'], data: { v: 'x' } });
          ctx.report({ messageId: 'missing', path: ['missing'] });
        },
      }),
    });
    const result = runControls(inventoryOf(YAML), { controls: [control], settings: { allowedRegistries: [], pssVersion: 'latest' } });
    const raw = result.rawMessages ?? new Set();
    for (const f of result.findings) {
      const plainByDefinition = f.message === f.message.trim() && !/\s{2}|[^\S ]|\p{Cc}/u.test(f.message) && !/[\uD800-\uDFFF]/.test(f.message);
      // Sound: what is called plain is plain.
      if (!raw.has(f)) assert.ok(plainByDefinition, JSON.stringify(f.message));
    }
    // Values are judged on their own, wherever they land: empty, or with white space at an end, count as not plain.
    const plainValue = (v: unknown) => typeof v !== 'string' || (v.length > 0 && v === v.trim() && !/\s{2}|[^\S ]|\p{Cc}/u.test(v) && !/[\uD800-\uDFFF]/.test(v));
    for (const f of result.findings.filter((x) => x.messageId === 'm')) assert.equal(!raw.has(f), plainValue(values[f.path[1] as number]), JSON.stringify(f.message));
    assert.ok(result.findings.filter((f) => f.messageId === 'odd').every((f) => raw.has(f)));
    // Per pod: five plain values ('two words' among them) and the message with a missing key.
    assert.equal(result.findings.filter((f) => !raw.has(f)).length, 2 * 6);
    // A run where every message is plain says so by leaving the set out.
    const plainOnly = defineControl({ meta: meta('PAL-TEST-PLAIN2'), check: (ctx) => ({ Pod: () => ctx.report({ messageId: 'm', path: ['x'], data: { what: 'api' } }) }) });
    assert.equal(runControls(inventoryOf(YAML), { controls: [plainOnly], settings: { allowedRegistries: [], pssVersion: 'latest' } }).rawMessages, undefined);
  });

  it('runs prepared controls like unprepared ones, with fresh per-run state each time', () => {
    // Counts pods during the walk and reports at the end: state that must not leak between runs.
    const counting: Control = defineControl({
      meta: meta('T-6'),
      check: (ctx) => {
        const seen: string[] = [];
        return {
          Pod(r) {
            seen.push(r.name);
          },
          inventory(inv) {
            const first = inv.byKind('Pod')[0];
            if (first) ctx.report({ messageId: 'm', data: { what: seen.join(',') }, path: ['metadata'], resource: first });
          },
        };
      },
    });
    const scoped: Control = defineControl({ meta: meta('T-1'), check: (ctx) => ({ podSpec(ps) { ctx.report({ messageId: 'm', data: { what: ps.resource.name }, path: ps.path }); } }) });
    const opts = { controls: [counting, scoped], settings: { allowedRegistries: [], pssVersion: 'latest' } };
    const inventory = inventoryOf(YAML);
    const plain = runControls(inventory, opts);
    const prepared = prepareControls(opts);
    const once = runControls(inventory, prepared);
    const twice = runControls(inventory, prepared);
    assert.deepEqual(once, plain);
    assert.deepEqual(twice, plain);
    assert.equal(plain.findings[plain.findings.length - 1]!.message, 'found a,b');
    const bare = runControls(inventory, prepared, { fingerprints: false });
    assert.deepEqual(bare.findings.map((f) => f.fingerprint), plain.findings.map(() => ''));
    assert.deepEqual(bare.findings.map((f) => f.message), plain.findings.map((f) => f.message));
  });

  it('gives the same findings and diagnostics without per-control counts (controlRuns: false), run after run', () => {
    const inventory = inventoryOf(YAML);
    const reporting: Control = defineControl({
      meta: meta('T-13'),
      check: (ctx) => {
        const names: string[] = [];
        return {
          Pod(r) {
            names.push(r.name);
            ctx.report({ messageId: 'm', data: { what: r.name }, path: ['metadata', 'name'], evidence: r.name });
          },
          container(c) {
            ctx.report({ messageId: 'm', data: { what: c.name }, path: [...c.path, 'env', 0, 'value'], evidence: c.container.env?.[0]?.value, fix: () => [{ op: 'remove', path: '/x' }] });
          },
          inventory(inv) {
            ctx.report({ messageId: 'm', data: { what: names.join(',') }, path: [], resource: inv.byKind('Secret')[0]! });
            return 1;
          },
        };
      },
    });
    const boom: Control = defineControl({ meta: meta('T-14'), check: () => ({ podSpec() { throw new Error('bad'); } }) });
    const quiet: Control = defineControl({ meta: meta('T-15'), reusableVisitor: true, check: (ctx) => ({ Secret(r) { ctx.report({ messageId: 'm', path: ['data'], resource: r }); } }) });
    const opts = {
      controls: [reporting, boom, quiet],
      settings: { allowedRegistries: [], pssVersion: 'latest' },
      exceptionFor: (f: { path: readonly (string | number)[] }) => (f.path.length === 0 ? { id: 'accepted', reason: 'test' } : undefined),
    };
    const counted = runControls(inventory, opts);
    assert.deepEqual(counted.controls.map((c) => [c.meta.id, c.evaluated, c.failed, c.excepted]), [['T-13', 3, 4, 1], ['T-14', 0, 0, 0], ['T-15', 1, 1, 0]]);
    assert.ok(counted.findings.some((f) => f.status === 'excepted' && f.fix === undefined));
    assert.deepEqual(runControls(inventory, opts, { controlRuns: true }), counted);
    const prepared = prepareControls(opts);
    for (let k = 0; k < 3; k++) {
      const bare = runControls(inventory, prepared, { controlRuns: false });
      assert.deepEqual(bare.findings, counted.findings);
      assert.deepEqual(bare.diagnostics, counted.diagnostics);
      assert.deepEqual(bare.controls, []);
      // Interleaved with counting runs of the same prepared controls.
      assert.deepEqual(runControls(inventory, prepared), counted);
    }
    const lean = runControls(inventory, prepared, { controlRuns: false, fingerprints: false, fixes: false });
    assert.deepEqual(
      lean.findings,
      counted.findings.map(({ fix: _fix, ...f }) => ({ ...f, fingerprint: '' })),
    );
  });

  it('calls check() once per run, the first run of prepared controls using the visitors made while preparing', () => {
    let checks = 0;
    const counted: Control = defineControl({ meta: meta('T-7'), check: (ctx) => (checks++, { Pod(r) { ctx.report({ messageId: 'm', data: { what: r.name }, path: ['metadata'] }); } }) });
    const opts = { controls: [counted], settings: { allowedRegistries: [], pssVersion: 'latest' } };
    const inventory = inventoryOf(YAML);
    runControls(inventory, opts);
    assert.equal(checks, 1);
    const prepared = prepareControls(opts);
    assert.equal(checks, 2);
    assert.equal(runControls(inventory, prepared).findings.length, 2);
    assert.equal(checks, 2);
    assert.equal(runControls(inventory, prepared).findings.length, 2);
    assert.equal(checks, 3);
  });

  it('keeps the findings of a run started from inside another run of the same controls apart', () => {
    const inventory = inventoryOf(YAML);
    let inner: ReturnType<typeof runControls> | undefined;
    const nesting: Control = defineControl({
      meta: meta('T-8'),
      check: (ctx) => ({
        Pod(r) {
          ctx.report({ messageId: 'm', data: { what: `before ${r.name}` }, path: ['metadata'] });
          if (!inner) inner = runControls(inventory, prepared);
          ctx.report({ messageId: 'm', data: { what: `after ${r.name}` }, path: ['metadata'] });
        },
      }),
    });
    const prepared = prepareControls({ controls: [nesting], settings: { allowedRegistries: [], pssVersion: 'latest' } });
    const outer = runControls(inventory, prepared);
    assert.deepEqual(outer.findings.map((f) => f.message), ['found before a', 'found after a', 'found before b', 'found after b']);
    assert.deepEqual(inner!.findings.map((f) => f.message), ['found before a', 'found after a', 'found before b', 'found after b']);
    assert.deepEqual(outer.controls.map((c) => [c.evaluated, c.failed]), [[2, 4]]);
  });

  it('gives the findings of one resource one reference object, also from inventory visitors', () => {
    const both: Control = defineControl({
      meta: meta('T-9'),
      check: (ctx) => ({
        Pod(r) {
          ctx.report({ messageId: 'm', data: { what: r.name }, path: ['metadata'] });
        },
        inventory(inv) {
          for (const r of inv.byKind('Pod')) ctx.report({ messageId: 'm', data: { what: r.name }, path: ['spec'], resource: r });
        },
      }),
    });
    const r = runControls(inventoryOf(YAML), { controls: [both], settings: { allowedRegistries: [], pssVersion: 'latest' } });
    const [a1, b1, a2, b2] = r.findings;
    assert.equal(a1!.resource, a2!.resource);
    assert.equal(b1!.resource, b2!.resource);
    assert.notEqual(a1!.resource, b1!.resource);
    assert.deepEqual(a1!.resource, { apiVersion: 'v1', kind: 'Pod', namespace: undefined, name: 'a', key: '/Pod//a' });
  });

  it('reports an unknown message id and a failing inventory visitor as control failures, without a file for the latter', () => {
    const typo: Control = defineControl({ meta: meta('T-10'), check: (ctx) => ({ Secret() { ctx.report({ messageId: 'nope', path: [] }); } }) });
    const late: Control = defineControl({ meta: meta('T-11'), check: () => ({ inventory() { throw new Error('late'); } }) });
    const r = runControls(inventoryOf(YAML), { controls: [typo, late], settings: { allowedRegistries: [], pssVersion: 'latest' } });
    assert.equal(r.findings.length, 0);
    assert.deepEqual(r.diagnostics.map((d) => [d.code, d.file, 'file' in d]), [
      ['PALISADE_ENGINE_CONTROL_FAILED', 'x.yaml', true],
      ['PALISADE_ENGINE_CONTROL_FAILED', undefined, false],
    ]);
    assert.match(r.diagnostics[0]!.message, /T-10: unknown messageId "nope"/);
  });

  it('still judges with a control that reports from check() itself, as when it was not prepared', () => {
    const inventory = inventoryOf(YAML);
    const anchor = inventory.resources[0]!;
    const eager: Control = defineControl({
      meta: meta('T-12'),
      check: (ctx) => {
        ctx.report({ messageId: 'm', data: { what: 'at check' }, path: [], resource: anchor });
        return { Pod() {} };
      },
    });
    const opts = { controls: [eager], settings: { allowedRegistries: [], pssVersion: 'latest' } };
    const plain = runControls(inventory, opts);
    assert.deepEqual(plain.findings.map((f) => f.message), ['found at check']);
    const prepared = prepareControls(opts);
    assert.deepEqual(runControls(inventory, prepared), plain);
    assert.deepEqual(runControls(inventory, prepared), plain);
  });
});
