import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAdmissionConfig, mergeSettings, DEFAULT_SETTINGS } from './config.js';
import { formatQuantity, parseQuantity } from './quantity.js';
import { encodePatch, parseReview, ReviewError } from './review.js';
import { parseChallenge } from './registry-client.js';
import { admissionReview, workload, podSpec, HARDENED_CONTAINER } from './test-support.js';
import { isPlainText } from '../core/plain-text.js';
import { auditAnnotations, isValidAnnotationKey, limitWarnings, prefixSanitized, sanitizeText, WARNING_CUT, WARNING_TARGET_RUNES, WARNINGS_TOTAL_RUNES, WarningList } from './warnings.js';
import { AdmissionMetrics } from './metrics.js';

describe('AdmissionReview parsing', () => {
  const valid = admissionReview('CREATE', workload('Pod', podSpec([HARDENED_CONTAINER])));

  it('reads a v1 review', () => {
    const r = parseReview(valid);
    assert.equal(r.operation, 'CREATE');
    assert.equal(r.kind.kind, 'Pod');
    assert.equal(r.namespace, 'shop');
    assert.deepEqual(r.userInfo.groups, ['system:authenticated', 'developers']);
    assert.equal(r.dryRun, false);
  });

  const broken: [string, (b: any) => unknown, string][] = [
    ['a body that is not an object', () => [], '(body)'],
    ['no apiVersion', (b) => ({ ...b, apiVersion: undefined }), 'apiVersion'],
    ['a kind other than AdmissionReview', (b) => ({ ...b, kind: 'Pod' }), 'kind'],
    ['no request', (b) => ({ ...b, request: undefined }), 'request'],
    ['a uid of the wrong type', (b) => ({ ...b, request: { ...b.request, uid: 42 } }), 'request.uid'],
    ['an empty uid', (b) => ({ ...b, request: { ...b.request, uid: '' } }), 'request.uid'],
    ['an unknown operation', (b) => ({ ...b, request: { ...b.request, operation: 'PATCH' } }), 'request.operation'],
    ['groups that are not strings', (b) => ({ ...b, request: { ...b.request, userInfo: { username: 'x', groups: [1] } } }), 'request.userInfo.groups'],
    ['an object that is a string', (b) => ({ ...b, request: { ...b.request, object: 'pod' } }), 'request.object'],
    ['CREATE without an object', (b) => ({ ...b, request: { ...b.request, object: null } }), 'request.object'],
    ['dryRun that is not a boolean', (b) => ({ ...b, request: { ...b.request, dryRun: 'yes' } }), 'request.dryRun'],
  ];
  for (const [name, mutate, field] of broken) {
    it(`refuses ${name}, naming the field`, () => {
      assert.throws(() => parseReview(mutate(valid)), (e: unknown) => e instanceof ReviewError && e.code === 'PALISADE_ADMISSION_MALFORMED_REVIEW' && e.field === field);
    });
  }

  it('refuses admission.k8s.io/v1beta1 as an unsupported version', () => {
    assert.throws(() => parseReview({ ...valid, apiVersion: 'admission.k8s.io/v1beta1' }), (e: unknown) => e instanceof ReviewError && e.code === 'PALISADE_ADMISSION_UNSUPPORTED_VERSION');
  });

  it('encodes a patch as base64 JSON with patchType JSONPatch', () => {
    const p = encodePatch([{ op: 'add', path: '/spec/x', value: 1 }]);
    assert.equal(p.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(p.patch, 'base64').toString()), [{ op: 'add', path: '/spec/x', value: 1 }]);
  });
});

describe('warnings within the API server limits', () => {
  it('keeps each warning to 120 characters and replaces control characters and lone surrogates', () => {
    const [w] = limitWarnings(['x'.repeat(500) + '\n\u0007\uD800']);
    assert.ok(Array.from(w!).length <= WARNING_TARGET_RUNES);
    assert.equal(sanitizeText('a\nb\tc\u0000d\uDC00'), 'a b c d\uFFFD');
    assert.doesNotMatch(limitWarnings(['bad\r\nheader'])[0]!, /\p{Cc}/u);
  });

  it('deduplicates and stays under 4096 characters in total, saying how many were left out', () => {
    const many = Array.from({ length: 200 }, (_, i) => `[PAL-X-${i}] ${'w'.repeat(150)}`);
    const out = limitWarnings([...many, ...many]);
    const total = out.reduce((n, w) => n + Array.from(w).length, 0);
    assert.ok(total <= WARNINGS_TOTAL_RUNES, `total ${total}`);
    assert.match(out[out.length - 1]!, /^\d+ more warning\(s\) not shown/);
    assert.equal(new Set(out).size, out.length);
  });

  it('sanitises exactly like the full replacement chain, whatever the text (fast path included)', () => {
    // The definition: lone surrogates replaced, control characters to spaces, white-space runs folded, trimmed.
    const full = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD').replace(/\p{Cc}/gu, ' ').replace(/\s{2,}/g, ' ').trim();
    const alphabet = ['a', 'Z', '"', ' ', ' ', '\t', '\n', '\u0000', '\u007f', '\u0085', '\u009f', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u202f', '\u3000', '\ufeff', '\uD83D', '\uDE00', '…', 'é'];
    let seed = 42;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let n = 0; n < 20_000; n++) {
      let s = '';
      const len = Math.floor(rnd() * 12);
      for (let i = 0; i < len; i++) s += rnd() < 0.6 ? 'x' : alphabet[Math.floor(rnd() * alphabet.length)];
      assert.equal(sanitizeText(s), full(s), JSON.stringify(s));
    }
  });

  it('adds a prefixed warning the same way whether or not the caller vouches that it is clean', () => {
    // The fast path (clean: no scan, cut before joining) must give what the general one gives.
    const prefixes = ['[PAL-POD-001] ', '[PSS-SECCOMP-PROFILE-RESTRICTED] ', '[dry-run, would deny] [PAL-X] '];
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let n = 0; n < 5_000; n++) {
      const prefix = prefixes[n % prefixes.length]!;
      const text = 'Container "app" '.repeat(1 + Math.floor(rnd() * 12)).slice(0, 1 + Math.floor(rnd() * 180)).replace(/ $/, '.');
      assert.ok(isPlainText(text) && isPlainText(prefix.trimEnd()));
      const fast = new WarningList();
      const slow = new WarningList();
      fast.add(prefix, text, true);
      slow.add(prefix, text);
      const [w] = fast.list();
      assert.equal(w, slow.list()[0]);
      const whole = prefixSanitized(prefix, sanitizeText(text));
      assert.equal(w, whole.length <= WARNING_TARGET_RUNES ? whole : whole.slice(0, WARNING_TARGET_RUNES - WARNING_CUT.length) + WARNING_CUT);
      assert.ok(w!.length <= WARNING_TARGET_RUNES);
    }
  });

  it('deduplicates warnings with the same prefix and counts what is over the limit once', () => {
    const list = new WarningList();
    for (let round = 0; round < 2; round++) for (let i = 0; i < 30; i++) list.add(`[PAL-X-${i % 3}] `, `finding ${i}`, true);
    const out = list.list();
    assert.equal(out.length, 24);
    assert.equal(new Set(out).size, 24);
    assert.match(out[23]!, /^7 more warning\(s\) not shown/);
    // Cut in the middle of a surrogate pair never: the general path counts runes.
    const [w] = limitWarnings(['😀'.repeat(200)]);
    assert.equal(Array.from(w!).length, WARNING_TARGET_RUNES);
    assert.ok(w!.endsWith(WARNING_CUT) && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(w!));
  });

  it('writes only audit annotation keys that are valid qualified names', () => {
    assert.ok(isValidAnnotationKey('denied-by'));
    assert.ok(!isValidAnnotationKey('a/b'));
    assert.ok(!isValidAnnotationKey('x'.repeat(64)));
    assert.deepEqual(Object.keys(auditAnnotations({ decision: 'deny', 'bad key': 'x', '-x': 'y' })), ['decision']);
  });
});

describe('quantities', () => {
  it('parses the Kubernetes suffixes', () => {
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('2'), 2);
    assert.equal(parseQuantity('1Gi'), 2 ** 30);
    assert.equal(parseQuantity('1G'), 1e9);
    assert.equal(parseQuantity('1.5Mi'), 1.5 * 2 ** 20);
    assert.equal(parseQuantity('2e3'), 2000);
    assert.equal(parseQuantity(3), 3);
    assert.equal(parseQuantity('1 Gi'), undefined);
    assert.equal(parseQuantity('abc'), undefined);
    assert.equal(formatQuantity(0.25, 'cpu'), '250m');
    assert.equal(formatQuantity(1.5 * 2 ** 30, 'memory'), '1.5Gi');
  });
});

describe('registry challenges', () => {
  it('reads a Bearer challenge with quoted parameters', () => {
    const c = parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/app:pull"');
    assert.deepEqual(c, { scheme: 'bearer', params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:team/app:pull' } });
    assert.equal(parseChallenge('Basic realm="Registry"')?.scheme, 'basic');
  });
});

describe('admission configuration', () => {
  const known = new Set(['PAL-IMG-001', 'PAL-POD-001']);
  it('reads the documented fields', () => {
    const { settings, diagnostics } = parseAdmissionConfig(
      'denyAt: medium\nactions: {PAL-IMG-001: deny}\nexemptions: {namespaces: [ops-*], labels: {team: platform}}\nregistries: {requireDigest: true}\noverload: {mode: closed}\nmutations: [seccomp-runtime-default]\ndefaultResources: {requests: {cpu: 100m}}\n',
      'admission.yaml',
      known,
    );
    assert.deepEqual(diagnostics, []);
    const merged = mergeSettings(settings, { exemptions: { namespaces: ['kube-*'], users: [], groups: [], labels: {} } });
    assert.equal(merged.denyAt, 'medium');
    assert.deepEqual(merged.exemptions.namespaces, ['ops-*', 'kube-*']);
    assert.equal(merged.registries.requireDigest, true);
    assert.equal(merged.registries.timeoutMs, DEFAULT_SETTINGS.registries.timeoutMs);
    assert.equal(merged.overload.mode, 'closed');
    assert.equal(merged.overload.maxInFlight, DEFAULT_SETTINGS.overload.maxInFlight);
    assert.deepEqual(merged.defaultResources.requests, { cpu: '100m' });
  });

  it('locates unknown fields, bad values and unknown control ids', () => {
    const bad = parseAdmissionConfig('denyAt: urgent\nfoo: 1\n', 'a.yaml', known);
    assert.deepEqual(bad.diagnostics.map((d) => [d.code, d.field, d.line]).sort(), [['PALISADE_ADMISSION_CONFIG_INVALID', 'denyAt', 1], ['PALISADE_ADMISSION_CONFIG_INVALID', 'foo', 2]]);
    const unknown = parseAdmissionConfig('actions:\n  PAL-NOPE-001: deny\n', 'a.yaml', known);
    assert.equal(unknown.diagnostics[0]?.field, 'actions.PAL-NOPE-001');
    assert.equal(unknown.diagnostics[0]?.line, 2);
  });
});

describe('metrics exposition', () => {
  it('renders counters, gauges and a cumulative histogram', () => {
    const m = new AdmissionMetrics();
    m.reviews.inc({ endpoint: 'validate', outcome: 'deny' });
    m.latency.observe({ endpoint: 'validate' }, 0.003);
    m.latency.observe({ endpoint: 'validate' }, 0.2);
    const text = m.render();
    assert.match(text, /^palisade_admission_reviews_total\{endpoint="validate",outcome="deny"\} 1$/m);
    assert.match(text, /^palisade_admission_review_duration_seconds_bucket\{endpoint="validate",le="0.005"\} 1$/m);
    assert.match(text, /^palisade_admission_review_duration_seconds_bucket\{endpoint="validate",le="\+Inf"\} 2$/m);
    assert.match(text, /^palisade_admission_review_duration_seconds_count\{endpoint="validate"\} 2$/m);
    assert.match(text, /^palisade_admission_in_flight_reviews 0$/m);
  });
});
