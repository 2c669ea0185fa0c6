/**
 * The detection throughput figures for bench/ (benchmarks live there, not in tests): a
 * deterministic corpus built from the test scenario, a ruleset of the compatibility rules
 * plus generated ones, and two timings — rules alone, and the whole file pipeline.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../core/version.js';
import { analyzeAuditLogs } from './analyze.js';
import { AuditDetector, loadAuditRules } from './detector.js';
import { toAuditEvent, type AuditEvent } from './event.js';
import { openAuditFile } from './reader.js';
import { scenario } from './test-events.js';

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const RESOURCES = ['pods', 'secrets', 'configmaps', 'deployments', 'services', 'roles', 'rolebindings', 'nodes'];

export function benchRules(extra: number): string {
  let text = readFileSync(join(PACKAGE_ROOT, 'src/detect/audit/__fixtures__/k8s-audit-style-rules.yaml'), 'utf8');
  for (let i = 0; i < extra; i++) {
    const cond = i % 4 === 3
      ? `kevt and ka.user.name icontains "intruder${i}" and not ka.target.namespace in (kube-system, kube-public)`
      : `kevt and ka.verb=${VERBS[i % VERBS.length]} and ka.target.resource=${RESOURCES[i % RESOURCES.length]} and ka.target.namespace startswith prod${i} and not ka.user.name in (secret_readers)`;
    text += `\n- rule: Generated ${i}\n  desc: generated for the benchmark\n  condition: ${cond}\n  output: "gen ${i} user=%ka.user.name ns=%ka.target.namespace"\n  priority: notice\n  source: k8s_audit\n  tags: [bench]\n`;
  }
  return text;
}

export function benchEvents(n: number): string[] {
  const base = Object.values(scenario());
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const e = structuredClone(base[i % base.length]!) as Record<string, unknown> & { objectRef?: Record<string, unknown> };
    if (i % 3 !== 0) e.verb = VERBS[i % VERBS.length];
    if (e.objectRef) e.objectRef = { ...e.objectRef, resource: i % 5 === 0 ? e.objectRef.resource : RESOURCES[i % RESOURCES.length], namespace: `ns${i % 50}` };
    e.auditID = `bench-${i}`;
    lines.push(JSON.stringify(e));
  }
  return lines;
}

export interface ThroughputFigures {
  events: number;
  rules: number;
  bytes: number;
  rulesOnlyPerSecond: number;
  endToEndPerSecond: number;
  alerts: number;
}

/** Writes the corpus to `file` and measures. */
export async function measureThroughput(opts: { events: number; extraRules: number; file: string }): Promise<ThroughputFigures> {
  const loaded = loadAuditRules([{ name: 'bench.yaml', text: benchRules(opts.extraRules) }]);
  const detector = new AuditDetector(loaded.rules, { hostname: 'bench' });
  const lines = benchEvents(opts.events);
  writeFileSync(opts.file, lines.join('\n') + '\n');
  const events = lines.map((l) => toAuditEvent(JSON.parse(l)) as AuditEvent);
  for (const e of events.slice(0, 10_000)) detector.matches(e);
  let t = process.hrtime.bigint();
  for (const e of events) detector.matches(e);
  const rulesOnly = Number(process.hrtime.bigint() - t) / 1e9;
  t = process.hrtime.bigint();
  const r = await analyzeAuditLogs({ inputs: [{ name: opts.file, open: () => openAuditFile(opts.file) }], detector, limiter: { dedupWindowMs: 60_000, ratePerSecond: 0, burst: 100 }, emit: () => undefined });
  const endToEnd = Number(process.hrtime.bigint() - t) / 1e9;
  return {
    events: opts.events,
    rules: loaded.rules.filter((x) => x.enabled).length,
    bytes: lines.reduce((s, l) => s + l.length + 1, 0),
    rulesOnlyPerSecond: Math.round(opts.events / rulesOnly),
    endToEndPerSecond: Math.round(r.events / endToEnd),
    alerts: r.alerts,
  };
}
