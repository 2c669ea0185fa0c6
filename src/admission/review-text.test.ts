import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_REVIEW_DEPTH, nestsDeeperThan, reviewText } from './review.js';
import { admissionReview, HARDENED_CONTAINER, podSpec, workload, WORKLOAD_KINDS } from './test-support.js';

/** The definition: the parsed review without object.metadata.managedFields and oldObject.metadata.managedFields. */
function withoutManagedFields(review: any): any {
  const out = structuredClone(review);
  for (const k of ['object', 'oldObject']) {
    const meta = out?.request?.[k]?.metadata;
    if (meta && typeof meta === 'object' && !Array.isArray(meta)) delete meta.managedFields;
  }
  return out;
}

const MANAGED = [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } } }];

let seed = 5;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

/** A metadata object with managedFields at a random place (or none), and look-alikes elsewhere. */
function metadata(base: Record<string, unknown>): Record<string, unknown> {
  const entries = Object.entries(base);
  const where = Math.floor(rnd() * (entries.length + 2)) - 1; // -1: none
  if (where >= 0) entries.splice(where, 0, ['managedFields', rnd() < 0.2 ? null : MANAGED]);
  if (rnd() < 0.3) entries.splice(Math.floor(rnd() * entries.length), 0, ['managedFields', []]); // a duplicate key
  return Object.fromEntries(entries);
}

function reviewBody(): string {
  const kind = WORKLOAD_KINDS[Math.floor(rnd() * WORKLOAD_KINDS.length)]!;
  const op = rnd() < 0.4 ? 'UPDATE' : 'CREATE';
  const obj: any = workload(kind, podSpec([HARDENED_CONTAINER]));
  obj.metadata = metadata({ name: 'app', namespace: 'shop', labels: { app: 'x' }, annotations: { 'note/"q"': 'a,b}{[' } });
  // Look-alikes that must stay: in the spec, in a pod template's metadata, in userInfo.
  if (rnd() < 0.5) obj.spec.managedFields = MANAGED;
  if (obj.spec?.template?.metadata) obj.spec.template.metadata.managedFields = MANAGED;
  const review: any = admissionReview(op, obj, op === 'UPDATE' ? { oldObject: { ...obj, metadata: metadata({ name: 'app', resourceVersion: '7' }) } } : {});
  if (rnd() < 0.3) review.request.userInfo = { username: 'u', extra: { managedFields: ['x'] } };
  // White space as different encoders write it, around every punctuation mark.
  return rnd() < 0.5 ? JSON.stringify(review, null, [undefined, 2, '\t'][Math.floor(rnd() * 3)] as never) : spaced(review);
}

/** JSON with random white space between tokens. */
function spaced(v: unknown): string {
  const ws = () => [' ', '', '\n', '\t ', '\r\n'][Math.floor(rnd() * 5)]!;
  if (Array.isArray(v)) return `[${ws()}${v.map((x) => spaced(x)).join(`${ws()},${ws()}`)}${ws()}]`;
  if (v && typeof v === 'object') return `{${ws()}${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}${ws()}:${ws()}${spaced(x)}`).join(`${ws()},${ws()}`)}${ws()}}`;
  return JSON.stringify(v) ?? 'null';
}

describe('review text', () => {
  it('leaves out the managedFields of object and oldObject metadata, and nothing else, whatever the layout', () => {
    let shorter = 0;
    for (let n = 0; n < 2_000; n++) {
      const text = reviewBody();
      const cut = reviewText(Buffer.from(text), MAX_REVIEW_DEPTH);
      assert.ok(cut !== undefined);
      assert.deepEqual(JSON.parse(cut), withoutManagedFields(JSON.parse(text)), text);
      if (cut.length < text.length) shorter++;
    }
    // Most bodies had something to leave out.
    assert.ok(shorter > 1_000, `${shorter} of 2,000 bodies were cut`);
  });

  it('keeps a managedFields key written with escapes, and parses like JSON.parse where there is none', () => {
    const escaped = '{"request":{"object":{"metadata":{"name":"a","managed\\u0046ields":[1]}}}}';
    assert.deepEqual(JSON.parse(reviewText(Buffer.from(escaped), MAX_REVIEW_DEPTH)!), JSON.parse(escaped));
    for (const t of ['{}', '[]', '"x"', '{"request":null}', '{"request":{"object":[{"metadata":{"managedFields":1}}]}}', '{"a":{"request":{"object":{"metadata":{"managedFields":1}}}}}']) {
      assert.equal(reviewText(Buffer.from(t), MAX_REVIEW_DEPTH), t, t);
    }
    assert.equal(reviewText(Buffer.from('{"request":{"object":{"metadata":{"managedFields":[{"a":"]},{"}]}}}}'), MAX_REVIEW_DEPTH), '{"request":{"object":{"metadata":{}}}}');
  });

  it('refuses nesting beyond the limit exactly when nestsDeeperThan does', () => {
    for (let d = 1; d < 12; d++) {
      for (const shape of ['{"a":', '[', '{"request":']) {
        const text = Buffer.from(shape.repeat(d) + '1' + (shape === '[' ? ']' : '}').repeat(d));
        for (const limit of [3, 6, 9]) assert.equal(reviewText(text, limit) === undefined, nestsDeeperThan(text, limit), `${shape} ×${d} limit ${limit}`);
      }
    }
  });
});
