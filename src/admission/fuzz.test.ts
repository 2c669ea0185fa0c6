import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request, startTestServer, admissionReview, workload, podSpec, HARDENED_CONTAINER, WORKLOAD_KINDS, type TestServer } from './test-support.js';

/** mulberry32: the same seed sends the same 10,000 bodies. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}

type Rng = ReturnType<typeof prng>;

function randomString(r: Rng, max = 40): string {
  const alphabet = ['a', 'Z', '0', ' ', '"', '\\', '\n', '\u0000', 'é', '😀', '\uD800', '{', ']', ':', '/', '-', '.', '*'];
  let s = '';
  const n = r.int(max);
  for (let i = 0; i < n; i++) s += r.pick(alphabet);
  return s;
}

function randomValue(r: Rng, depth = 0): unknown {
  const k = r.int(depth > 4 ? 6 : 9);
  switch (k) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return r.int(1e9) - 5e8;
    case 3: return r.next() * 1e300 * (r.next() < 0.5 ? -1 : 1);
    case 4:
    case 5: return randomString(r);
    case 6: return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(5) }, () => [r.pick(['apiVersion', 'kind', 'metadata', 'spec', 'containers', 'image', 'name', 'securityContext', 'request', 'uid', randomString(r, 8)]), randomValue(r, depth + 1)]));
  }
}

/** Replaces the value at a random path of `obj` (in place) with a random one. */
function corrupt(r: Rng, obj: unknown): void {
  let cur = obj as Record<string, unknown>;
  for (let i = 0; i < 8; i++) {
    const keys = Object.keys(cur);
    if (!keys.length) return;
    const k = r.pick(keys);
    const v = cur[k];
    if (v && typeof v === 'object' && r.next() < 0.7) cur = v as Record<string, unknown>;
    else {
      cur[k] = randomValue(r);
      return;
    }
  }
}

function deep(depth: number, open: string, close: string, inner = '1'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

function body(r: Rng, i: number): { text: string | Buffer; contentType?: string; uid?: string } {
  const uid = `fuzz-${i}`;
  const kind = r.pick(WORKLOAD_KINDS);
  const valid = (op = r.pick(['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const)) =>
    admissionReview(op, workload(kind, podSpec([HARDENED_CONTAINER])), { uid, oldObject: workload(kind, podSpec([HARDENED_CONTAINER])) });
  switch (r.int(12)) {
    case 0: return { text: JSON.stringify(randomValue(r)) };
    case 1: {
      const t = JSON.stringify(valid());
      return { text: t.slice(0, r.int(t.length)) };
    }
    case 2:
    case 3: {
      const v = valid() as any;
      corrupt(r, v);
      return { text: JSON.stringify(v), uid: typeof v.request?.uid === 'string' ? v.request.uid : undefined };
    }
    case 4: {
      // A huge string where a name or an image goes.
      const v = valid('CREATE') as any;
      // Now and then over the 512 KiB --max-body of this server: 413.
      const s = 'x'.repeat(r.next() < 0.05 ? 600_000 : 20_000 + r.int(80_000));
      if (r.next() < 0.5) v.request.object.metadata.name = s;
      else v.request.object.metadata.labels = { big: s };
      return { text: JSON.stringify(v), uid };
    }
    case 5: return { text: r.next() < 0.5 ? deep(10_000 + r.int(50_000), '[', ']') : deep(5_000 + r.int(20_000), '{"a":', '}') };
    case 6: {
      // Deep nesting inside an otherwise valid object the controls walk.
      // Built as text: the client's JSON.stringify could not nest this deep.
      const v = admissionReview('CREATE', workload('Pod', podSpec([{ ...HARDENED_CONTAINER, env: '__DEEP__' }])), { uid }) as any;
      v.request.object.metadata.annotations = { a: '__DEEPER__' };
      const text = JSON.stringify(v).replace('"__DEEP__"', deep(2_000 + r.int(8_000), '[', ']', '{}')).replace('"__DEEPER__"', deep(20_000, '{"a":', '}'));
      return { text, uid };
    }
    case 7: return { text: Buffer.from(Array.from({ length: r.int(2000) }, () => r.int(256))) };
    case 8: {
      // A valid envelope around a random object of a workload kind.
      const v = valid('CREATE') as any;
      v.request.object = { apiVersion: v.request.object.apiVersion, kind: v.request.kind.kind, metadata: randomValue(r), spec: r.next() < 0.5 ? randomValue(r) : { containers: randomValue(r), template: { spec: { containers: [randomValue(r), { image: randomString(r) }] } } } };
      return { text: JSON.stringify(v), uid };
    }
    case 9: return { text: JSON.stringify(valid()), contentType: r.pick(['text/plain', '', 'application/jsonx', 'application/json; charset=utf-8']), uid };
    case 10: return { text: r.pick(['', 'null', '[]', '"x"', '{}', '{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{}}', '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","operation":"CREATE","kind":{"kind":"Pod"},"object":{}}}']) };
    default: return { text: JSON.stringify(valid()), uid };
  }
}

describe('fuzzing the webhook', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(['--max-body', String(512 * 1024), '--max-in-flight', '64', '--mutation', 'seccomp-runtime-default', '--mutation', 'no-privilege-escalation']);
  });
  after(() => t.stop());

  it('answers 10,000 malformed or random reviews with 200 or a 4xx, never a crash or a 5xx', async () => {
    const r = prng(20240601);
    const total = 10_000;
    const statuses = new Map<number, number>();
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const b = body(r, i);
        const endpoint = i % 2 ? '/validate' : '/mutate';
        const res = await request(t, endpoint, b.text, { headers: b.contentType !== undefined ? { 'content-type': b.contentType } : {} });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok([200, 400, 413, 415].includes(res.status), `#${i} answered ${res.status}: ${res.text.slice(0, 300)}`);
        const answer = res.json();
        if (res.status === 200) {
          assert.equal(answer.apiVersion, 'admission.k8s.io/v1');
          assert.equal(typeof answer.response.allowed, 'boolean');
          if (b.uid) assert.equal(answer.response.uid, b.uid);
        } else {
          assert.equal(answer.kind, 'Status');
          assert.equal(answer.code, res.status);
          assert.ok(answer.message.length > 0);
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const seconds = (Date.now() - started) / 1000;
    assert.equal(t.server.metrics.errors.get(), 0, 'no internal errors');
    assert.equal((await request(t, '/healthz')).status, 200);
    assert.ok((statuses.get(200) ?? 0) > 1000 && (statuses.get(400) ?? 0) > 1000 && (statuses.get(413) ?? 0) > 0, JSON.stringify([...statuses]));
    process.stdout.write(`# fuzz: ${total} reviews in ${seconds.toFixed(1)} s, statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`);
  });
});
