/**
 * A generated, labelled cluster history for tests and evaluation: several identities with
 * steady habits (controllers, an app, developers, an admin), a learning period, then a
 * detection period with injected attack episodes and a little benign drift. Seeded, so
 * every run produces the same events. Written for Palisade.
 */
import { toAuditEvent, type AuditEvent } from '../audit/event.js';

export interface LabelledEvent {
  event: AuditEvent;
  /** The attack episode this event belongs to; undefined for benign traffic. */
  episode?: string;
}

export interface Episode {
  id: string;
  kind: 'kill-chain' | 'namespace' | 'sourceIP' | 'userAgent' | 'rate' | 'verb' | 'resource';
  user: string;
}

export interface Scenario {
  events: LabelledEvent[];
  episodes: Episode[];
  startMs: number;
  learnMs: number;
  attacker: string;
}

/** Mulberry32: a small, well-distributed 32-bit PRNG (deterministic tests). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Action = [verb: string, resource: string, namespace: string | undefined, subresource?: string, name?: string];

interface Persona {
  user: string;
  ua: string;
  ips: string[];
  /** Probability of being active in a given minute. */
  active: number;
  /** Mean requests in an active minute. */
  perMinute: number;
  actions: Action[];
}

const SA = (ns: string, name: string): string => `system:serviceaccount:${ns}:${name}`;
const KUBECTL = 'kubectl/v1.30.1 (linux/amd64) kubernetes/7c48c2b';

export const PERSONAS: Persona[] = [
  { user: SA('shop', 'api'), ua: 'shop-api/2.3.0', ips: ['10.1.0.11'], active: 1, perMinute: 6, actions: [['get', 'secrets', 'shop', undefined, 'db'], ['get', 'configmaps', 'shop', undefined, 'settings'], ['list', 'endpoints', 'shop']] },
  { user: SA('shop', 'web'), ua: 'shop-web/1.4.2', ips: ['10.1.0.12'], active: 0.5, perMinute: 2, actions: [['get', 'configmaps', 'shop', undefined, 'web-config'], ['get', 'services', 'shop', undefined, 'api']] },
  { user: SA('monitoring', 'prometheus'), ua: 'Prometheus/2.53.0', ips: ['10.1.2.20'], active: 1, perMinute: 10, actions: [['list', 'pods', undefined], ['list', 'nodes', undefined], ['list', 'services', undefined], ['watch', 'endpoints', undefined]] },
  { user: SA('ci', 'deployer'), ua: 'argocd-application-controller/v2.11.0', ips: ['10.1.3.5'], active: 0.2, perMinute: 5, actions: [['patch', 'deployments', 'shop', undefined, 'web'], ['get', 'deployments', 'shop', undefined, 'web'], ['patch', 'deployments', 'staging', undefined, 'web'], ['get', 'services', 'staging', undefined, 'web']] },
  { user: 'alice@example.com', ua: KUBECTL, ips: ['10.8.0.21'], active: 0.04, perMinute: 4, actions: [['get', 'pods', 'dev'], ['list', 'pods', 'dev'], ['get', 'pods', 'staging'], ['get', 'pods', 'dev', 'log', 'app-1'], ['create', 'pods', 'dev', 'exec', 'app-1']] },
  { user: 'bob@example.com', ua: KUBECTL, ips: ['10.8.0.33', '10.8.0.34'], active: 0.03, perMinute: 5, actions: [['list', 'namespaces', undefined], ['get', 'secrets', 'shop', undefined, 'tls'], ['get', 'secrets', 'staging', undefined, 'tls'], ['list', 'pods', 'shop'], ['list', 'pods', 'monitoring'], ['create', 'pods', 'shop', 'exec', 'web-1'], ['get', 'nodes', undefined, undefined, 'node-1'], ['list', 'events', 'kube-system']] },
];

let counter = 0;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function auditEvent(p: { user: string; ua: string; ip: string; at: number; action: Action; code?: number; extra?: Record<string, unknown> }): AuditEvent {
  const [verb, resource, namespace, subresource, name] = p.action;
  counter++;
  const path = `/api/v1/${namespace ? `namespaces/${namespace}/` : ''}${resource}${name ? `/${name}` : ''}${subresource ? `/${subresource}` : ''}`;
  const raw: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `a0000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`,
    stage: 'ResponseComplete',
    requestURI: path,
    verb,
    user: { username: p.user, groups: p.user.startsWith('system:serviceaccount:') ? ['system:serviceaccounts', 'system:authenticated'] : ['system:authenticated'] },
    sourceIPs: [p.ip],
    userAgent: p.ua,
    objectRef: { resource, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}), ...(subresource ? { subresource } : {}), apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: p.code ?? (verb === 'create' && subresource ? 101 : 200) },
    requestReceivedTimestamp: iso(p.at),
    stageTimestamp: iso(p.at + 3),
    ...p.extra,
  };
  const e = toAuditEvent(raw);
  if (typeof e === 'string') throw new Error(e);
  return e;
}

function poisson(r: () => number, mean: number): number {
  // Knuth's multiplication method: fine for the small means used here.
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > l);
  return k - 1;
}

/**
 * `days` of traffic starting 2026-03-01T00:00Z; the first `learnDays` are for learning.
 * With `attacks`, the detection period carries the episodes listed in `episodes`.
 */
export function generateScenario(opts: { seed?: number; days?: number; learnDays?: number; attacks?: boolean } = {}): Scenario {
  const r = rng(opts.seed ?? 7);
  const days = opts.days ?? 3;
  const learnDays = opts.learnDays ?? 2;
  const startMs = Date.parse('2026-03-01T00:00:00Z');
  const minutes = days * 24 * 60;
  const out: LabelledEvent[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  // A DaemonSet's privileged pod, created before anything else: the attack's target.
  out.push({ event: auditEvent({ user: SA('kube-system', 'daemon-set-controller'), ua: 'kube-controller-manager/v1.30.1', ip: '10.0.0.2', at: startMs + 1000, action: ['create', 'pods', 'monitoring', undefined, 'node-exporter-7x2k9'], code: 201, extra: { requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'node-exporter-7x2k9', namespace: 'monitoring' }, spec: { hostPID: true, hostNetwork: true, containers: [{ name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.8.1', securityContext: { privileged: true } }] } } } }) });
  for (let m = 0; m < minutes; m++) {
    const base = startMs + m * 60_000;
    for (const p of PERSONAS) {
      if (r() >= p.active) continue;
      const n = Math.max(1, poisson(r, p.perMinute));
      for (let i = 0; i < n; i++) out.push({ event: auditEvent({ user: p.user, ua: p.ua, ip: pick(p.ips), at: base + Math.floor(r() * 59_000), action: pick(p.actions) }) });
    }
  }
  const episodes: Episode[] = [];
  const attacker = SA('shop', 'web');
  if (opts.attacks !== false) {
    const det = startMs + learnDays * 86_400_000;
    const at = (h: number, min = 0): number => det + h * 3_600_000 + min * 60_000;
    const add = (ep: Episode, events: AuditEvent[]): void => {
      episodes.push(ep);
      for (const e of events) out.push({ event: e, episode: ep.id });
    };
    const web = PERSONAS[1]!;
    const inPod = { user: attacker, ua: KUBECTL, ip: web.ips[0]! };
    add({ id: 'kill-chain', kind: 'kill-chain', user: attacker }, [
      auditEvent({ ...inPod, at: at(3, 0), action: ['list', 'namespaces', undefined] }),
      auditEvent({ ...inPod, at: at(3, 1), action: ['list', 'pods', undefined] }),
      auditEvent({ ...inPod, at: at(3, 4), action: ['list', 'secrets', 'kube-system'] }),
      auditEvent({ ...inPod, at: at(3, 5), action: ['get', 'secrets', 'kube-system', undefined, 'bootstrap-token-abcdef'] }),
      auditEvent({ ...inPod, at: at(3, 9), action: ['create', 'pods', 'monitoring', 'exec', 'node-exporter-7x2k9'], code: 101 }),
    ]);
    const alice = PERSONAS[4]!;
    add({ id: 'alice-namespace', kind: 'namespace', user: alice.user }, [auditEvent({ user: alice.user, ua: KUBECTL, ip: alice.ips[0]!, at: at(5), action: ['list', 'secrets', 'payments'] })]);
    add({ id: 'alice-ip', kind: 'sourceIP', user: alice.user }, [auditEvent({ user: alice.user, ua: KUBECTL, ip: '203.0.113.50', at: at(9), action: ['get', 'pods', 'dev'] })]);
    const ci = PERSONAS[3]!;
    add({ id: 'ci-ip', kind: 'sourceIP', user: ci.user }, [auditEvent({ user: ci.user, ua: ci.ua, ip: '198.51.100.23', at: at(6), action: ['patch', 'deployments', 'shop', undefined, 'web'] })]);
    add({ id: 'ci-verb', kind: 'verb', user: ci.user }, [auditEvent({ user: ci.user, ua: ci.ua, ip: ci.ips[0]!, at: at(12), action: ['delete', 'deployments', 'shop', undefined, 'web'] })]);
    const prom = PERSONAS[2]!;
    add({ id: 'prometheus-ua', kind: 'userAgent', user: prom.user }, [auditEvent({ user: prom.user, ua: 'python-requests/2.31.0', ip: prom.ips[0]!, at: at(7), action: ['list', 'pods', undefined] })]);
    const burst = (p: Persona, h: number, n: number, action: Action): AuditEvent[] => Array.from({ length: n }, (_, i) => auditEvent({ user: p.user, ua: p.ua, ip: p.ips[0]!, at: at(h) + 5_000 + Math.floor((i * 50_000) / n), action }));
    const api = PERSONAS[0]!;
    add({ id: 'api-burst', kind: 'rate', user: api.user }, burst(api, 8, 300, ['get', 'secrets', 'shop', undefined, 'db']));
    add({ id: 'prometheus-burst', kind: 'rate', user: prom.user }, burst(prom, 10, 400, ['list', 'pods', undefined]));
    add({ id: 'api-resource', kind: 'resource', user: api.user }, [auditEvent({ user: api.user, ua: api.ua, ip: api.ips[0]!, at: at(11), action: ['list', 'clusterroles', undefined] })]);
    // Benign drift, labelled benign: the admin looks at a brand-new team's namespace …
    const bob = PERSONAS[5]!;
    out.push({ event: auditEvent({ user: bob.user, ua: KUBECTL, ip: bob.ips[0]!, at: at(13), action: ['list', 'pods', 'newteam'] }) });
    // … and the deployer ships to a namespace it never deployed to before (labelled benign).
    out.push({ event: auditEvent({ user: ci.user, ua: ci.ua, ip: ci.ips[0]!, at: at(14), action: ['patch', 'deployments', 'prod', undefined, 'web'] }) });
  }
  out.sort((a, b) => (a.event.rawtime < b.event.rawtime ? -1 : a.event.rawtime > b.event.rawtime ? 1 : 0));
  return { events: out, episodes, startMs, learnMs: learnDays * 86_400_000, attacker };
}
