#!/usr/bin/env node
// In-process cost of each step the admission webhook takes for a review, on the reviews of
// bench/admission.mjs, without HTTP or TLS: the depth check, JSON.parse, reading the review,
// the decision (controls, actions, warnings, annotations) and JSON.stringify of the answer.
// Not part of `npm run bench`: a loop on one process keeps everything hot, so these figures
// are lower than what the server spends per review (docs/benchmarks.md, admission webhook).
//
//   node bench/admission-stages.mjs [--framework ID] [--reviews 20000]
//
// The build under test is $PALISADE_DIST (default dist/).

import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { makeReviews } from './admission.mjs';
import { REPO } from './lib.mjs';

const DIST = resolve(process.env.PALISADE_DIST || join(REPO, 'dist'));
const { values } = parseArgs({ options: { framework: { type: 'string' }, reviews: { type: 'string', default: '20000' } } });
const { resolveJudging } = await import(join(DIST, 'cli', 'judging-options.js'));
const serve = await import(join(DIST, 'cli', 'admission', 'serve.js'));
const { mergeSettings } = await import(join(DIST, 'admission', 'config.js'));
const { decide, Exemptions } = await import(join(DIST, 'admission', 'judge.js'));
const { parseReview, reviewResponse, nestsDeeperThan, MAX_REVIEW_DEPTH } = await import(join(DIST, 'admission', 'review.js'));
const { ContextCache } = await import(join(DIST, 'admission', 'context-cache.js'));

const flags = values.framework ? { framework: [values.framework] } : {};
const io = { cwd: REPO, env: {}, stdout: process.stdout, stderr: process.stderr };
const judging = resolveJudging({ values: flags, positionals: [] }, io);
const known = new Set([...serve.knownControlIds(), ...judging.controls.map((c) => c.meta.id)]);
const settings = serve.applyPolicySwitches(mergeSettings(serve.settingsFromFlags(flags, known)));
const judge = serve.judgeFrom(judging, settings, false);
const exemptions = new Exemptions(settings.exemptions);
const cache = new ContextCache(settings.cache.kinds, settings.cache.maxObjects);
const bodies = makeReviews(300).map((r) => Buffer.from(JSON.stringify(r)));

const n = Number(values.reviews);
const pass = () => {
  const t = { depth: 0, parse: 0, review: 0, decide: 0, stringify: 0 };
  let bytes = 0;
  let warnings = 0;
  let findings = 0;
  for (let k = 0; k < n; k++) {
    const body = bodies[k % bodies.length];
    let t0 = performance.now();
    nestsDeeperThan(body, MAX_REVIEW_DEPTH);
    let t1 = performance.now();
    t.depth += t1 - t0;
    const parsed = JSON.parse(body.toString('utf8'));
    t0 = performance.now();
    t.parse += t0 - t1;
    const req = parseReview(parsed);
    t1 = performance.now();
    t.review += t1 - t0;
    const d = decide(req, judge, settings, exemptions, cache, { fingerprints: false });
    t0 = performance.now();
    t.decide += t0 - t1;
    const text = JSON.stringify(reviewResponse(d.response));
    t1 = performance.now();
    t.stringify += t1 - t0;
    bytes += text.length;
    warnings += d.response.warnings?.length ?? 0;
    findings += d.findings.length;
  }
  return { t, bytes: bytes / n, warnings: warnings / n, findings: findings / n };
};
pass(); // warm-up: JIT and caches
const r = pass();
const us = Object.fromEntries(Object.entries(r.t).map(([k, v]) => [k, ((1000 * v) / n).toFixed(1)]));
process.stdout.write(
  `${values.framework ? `--framework ${values.framework}` : 'every built-in control'}: ${judge.controls.length} controls, ${n} reviews\n` +
    `µs per review: ${Object.entries(us).map(([k, v]) => `${k} ${v}`).join(', ')}\n` +
    `answer ${Math.round(r.bytes)} characters, ${r.warnings.toFixed(1)} warnings, ${r.findings.toFixed(1)} findings per review\n`,
);
