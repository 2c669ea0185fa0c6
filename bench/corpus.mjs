#!/usr/bin/env node
// Generates a deterministic, realistic Kubernetes manifest corpus shaped like a GitOps
// repository: platform components, per-team/per-app/per-environment folders, multi-document
// YAML files, JSON files and `kind: List` files, with a mix of well-configured and risky
// workloads. The same --objects and --seed always give the same bytes.
//
//   node bench/corpus.mjs --objects 50000 --out bench/.corpus/50000 [--seed 1]
//
// The corpus root also gets `.corpus-info` (JSON, but no manifest extension, so scanners
// skip it) with the object count, file count, bytes and kinds.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { generatorHash } from './lib.mjs';

/** mulberry32: tiny, fast and good enough for picking fixtures deterministically. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEAM_WORDS = ['payments', 'checkout', 'search', 'identity', 'catalog', 'billing', 'growth', 'platform-data', 'logistics', 'risk', 'messaging', 'media', 'mobile-bff', 'analytics', 'support', 'pricing', 'inventory', 'loyalty', 'fraud', 'ads'];
const APP_WORDS = ['api', 'gateway', 'worker', 'web', 'frontend', 'indexer', 'scheduler', 'notifier', 'exporter', 'sync', 'ledger', 'auth', 'session', 'cart', 'orders', 'recommender', 'thumbnailer', 'mailer', 'webhooks', 'reports', 'feeds', 'profile', 'geo', 'quotes', 'tax', 'audit', 'events', 'stream', 'cache', 'router'];
const APP_SUFFIXES = ['', '', '', '-svc', '-v2', '-consumer', '-producer', '-admin', '-internal', '-public'];
const ENVS = ['dev', 'staging', 'prod'];
const CLUSTERS = { dev: 'nonprod-eu-west-1', staging: 'nonprod-eu-west-1', prod: 'prod-eu-west-1' };
const PLATFORM_COMPONENTS = ['ingress-nginx', 'cert-manager', 'external-dns', 'prometheus', 'node-exporter', 'fluent-bit', 'calico', 'kube-state-metrics', 'vault-agent', 'argocd', 'velero', 'keda', 'istio', 'datadog-agent', 'falco'];
const REGISTRY = 'registry.corp.example.com';
const PUBLIC_IMAGES = ['nginx:1.25.3', 'nginx:latest', 'redis:7.2.4-alpine', 'redis', 'postgres:16.1', 'docker.io/bitnami/kafka:3.6.1', 'busybox:1.36', 'busybox', 'alpine:3.19', 'gcr.io/distroless/static-debian12:nonroot', 'quay.io/prometheus/statsd-exporter:v0.26.0', 'ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib:0.93.0', 'envoyproxy/envoy:v1.29.1', 'memcached:1.6.23'];
const SECRET_ENV_NAMES = ['DB_PASSWORD', 'API_KEY', 'AWS_SECRET_ACCESS_KEY', 'STRIPE_SECRET_KEY', 'JWT_SIGNING_SECRET', 'REDIS_PASSWORD', 'SMTP_PASSWORD', 'GITHUB_TOKEN'];
const PLAIN_ENV = [['LOG_LEVEL', ['info', 'debug', 'warn']], ['LOG_FORMAT', ['json']], ['PORT', ['8080', '3000', '9000']], ['JAVA_OPTS', ['-XX:MaxRAMPercentage=75 -XX:+UseG1GC', '-Xms512m -Xmx1g']], ['NODE_ENV', ['production']], ['OTEL_EXPORTER_OTLP_ENDPOINT', ['http://otel-collector.observability:4317']], ['FEATURE_FLAGS', ['new-checkout,fast-search', '']], ['TZ', ['UTC', 'Europe/Amsterdam']], ['GOMAXPROCS', ['2', '4']], ['SPRING_PROFILES_ACTIVE', ['kubernetes']], ['HTTP_TIMEOUT', ['30s', '5s']], ['CACHE_TTL_SECONDS', ['300', '3600']], ['WORKERS', ['4', '8', '16']]];
const ARGS = ['--port=8080', '--config=/etc/app/config.yaml', '--log-level=info', '--metrics-addr=:9090', '--workers=4', '--upstream=http://backend:8080', '--v=2', '--leader-elect'];
const DANGEROUS_CAPS = ['SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'NET_RAW', 'SYS_MODULE', 'DAC_READ_SEARCH'];

export function generateCorpus({ objects, seed = 1 }) {
  const rand = prng(seed * 2654435761);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const chance = (p) => rand() < p;
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const weighted = (pairs) => {
    let total = 0;
    for (const [, w] of pairs) total += w;
    let x = rand() * total;
    for (const [v, w] of pairs) if ((x -= w) < 0) return v;
    return pairs[pairs.length - 1][0];
  };
  const hex = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[int(0, 15)];
    return s;
  };
  const words = (n) => Array.from({ length: n }, () => pick([...APP_WORDS, ...TEAM_WORDS, 'retry', 'timeout', 'enabled', 'upstream', 'pool', 'limit'])).join(' ');

  /** @type {{dir: string, object: object}[]} */
  const entries = [];
  const emit = (dir, object) => entries.push({ dir, object });
  const namespacesDone = new Set();
  const teamCount = Math.max(6, Math.round(objects / 300));
  const teams = Array.from({ length: teamCount }, (_, i) => (i < TEAM_WORDS.length ? TEAM_WORDS[i] : `${TEAM_WORDS[i % TEAM_WORDS.length]}-${Math.floor(i / TEAM_WORDS.length) + 1}`));
  const appNames = new Set();
  // Some teams commit `helm template` output: one folder per environment with every app in it.
  const renderedTeams = new Set(teams.filter(() => chance(0.2)));

  const labelsFor = (app, component, team, env) => {
    const l = { 'app.kubernetes.io/name': app, 'app.kubernetes.io/component': component, 'app.kubernetes.io/part-of': team };
    if (chance(0.7)) l['app.kubernetes.io/managed-by'] = pick(['argocd', 'flux', 'helm', 'kustomize']);
    if (chance(0.5)) l['app.kubernetes.io/version'] = `${int(0, 4)}.${int(0, 30)}.${int(0, 12)}`;
    if (env && chance(0.6)) l.environment = env;
    if (chance(0.3)) l['cost-center'] = `cc-${int(1000, 9999)}`;
    return l;
  };

  // ---------- containers and pod specs ----------

  function image(team, app, posture) {
    const kind = weighted([['own-tag', 55], ['own-digest', 15], ['public', posture === 'risky' ? 40 : 20], ['own-latest', posture === 'hardened' ? 0 : 5]]);
    if (kind === 'own-tag') return `${REGISTRY}/${team}/${app}:${int(0, 5)}.${int(0, 40)}.${int(0, 20)}`;
    if (kind === 'own-digest') return `${REGISTRY}/${team}/${app}@sha256:${hex(64)}`;
    if (kind === 'own-latest') return `${REGISTRY}/${team}/${app}:latest`;
    return pick(PUBLIC_IMAGES);
  }

  function securityContext(posture) {
    if (posture === 'hardened') {
      const sc = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };
      if (chance(0.6)) sc.runAsUser = pick([1000, 10001, 65532]);
      if (chance(0.5)) sc.runAsGroup = pick([1000, 10001, 65532]);
      if (chance(0.5)) sc.seccompProfile = { type: 'RuntimeDefault' };
      return sc;
    }
    if (posture === 'typical') {
      const sc = {};
      if (chance(0.6)) sc.allowPrivilegeEscalation = false;
      if (chance(0.4)) sc.readOnlyRootFilesystem = chance(0.8);
      if (chance(0.5)) sc.runAsNonRoot = true;
      if (chance(0.3)) sc.runAsUser = pick([1000, 101, 999]);
      if (chance(0.4)) sc.capabilities = chance(0.7) ? { drop: ['ALL'] } : { drop: ['ALL'], add: ['NET_BIND_SERVICE'] };
      return Object.keys(sc).length ? sc : undefined;
    }
    if (posture === 'risky') {
      const sc = {};
      if (chance(0.5)) sc.privileged = true;
      if (chance(0.5)) sc.allowPrivilegeEscalation = true;
      if (chance(0.4)) sc.runAsUser = 0;
      if (chance(0.5)) sc.capabilities = { add: Array.from({ length: int(1, 3) }, () => pick(DANGEROUS_CAPS)).filter((v, i, a) => a.indexOf(v) === i) };
      if (chance(0.1)) sc.procMount = 'Unmasked';
      if (chance(0.1)) sc.seccompProfile = { type: 'Unconfined' };
      return Object.keys(sc).length ? sc : undefined;
    }
    return undefined; // lax: nothing set
  }

  function probe(port) {
    const kind = weighted([['http', 70], ['tcp', 20], ['exec', 10]]);
    const p = kind === 'http' ? { httpGet: { path: pick(['/healthz', '/health', '/ready', '/actuator/health', '/livez']), port } } : kind === 'tcp' ? { tcpSocket: { port } } : { exec: { command: ['sh', '-c', 'test -f /tmp/healthy'] } };
    if (chance(0.7)) p.initialDelaySeconds = pick([5, 10, 15, 30, 60]);
    if (chance(0.7)) p.periodSeconds = pick([5, 10, 20, 30]);
    if (chance(0.4)) p.timeoutSeconds = pick([1, 2, 5]);
    if (chance(0.4)) p.failureThreshold = pick([3, 5, 6, 10]);
    return p;
  }

  function env(posture, configMapName, secretName) {
    const list = [];
    const n = int(posture === 'lax' ? 0 : 2, 18);
    const used = new Set();
    for (let i = 0; i < n; i++) {
      const [name, values] = pick(PLAIN_ENV);
      if (used.has(name)) continue;
      used.add(name);
      list.push({ name, value: pick(values) });
    }
    if (chance(0.4)) list.push({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    if (chance(0.3)) list.push({ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
    if (chance(0.2)) list.push({ name: 'MEMORY_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } });
    if (configMapName && chance(0.4)) list.push({ name: 'APP_CONFIG_PATH', valueFrom: { configMapKeyRef: { name: configMapName, key: 'config-path', optional: true } } });
    const secrets = int(0, 3);
    for (let i = 0; i < secrets; i++) {
      const name = pick(SECRET_ENV_NAMES);
      if (used.has(name)) continue;
      used.add(name);
      // A share of lax and risky apps put credentials straight into the manifest.
      if ((posture === 'risky' && chance(0.6)) || (posture === 'lax' && chance(0.2))) list.push({ name, value: `${pick(['s3cr3t', 'changeme', 'sk_live_', 'AKIA'])}${hex(int(8, 32))}` });
      else list.push({ name, valueFrom: { secretKeyRef: { name: secretName, key: name.toLowerCase().replace(/_/g, '-') } } });
    }
    return list;
  }

  function resources(posture, big) {
    if (posture === 'lax' && chance(0.7)) return undefined;
    if (posture === 'risky' && chance(0.5)) return undefined;
    const cpuReq = pick(big ? ['500m', '1', '2'] : ['10m', '50m', '100m', '250m']);
    const memReq = pick(big ? ['1Gi', '2Gi', '4Gi'] : ['32Mi', '64Mi', '128Mi', '256Mi', '512Mi']);
    const r = { requests: { cpu: cpuReq, memory: memReq } };
    if (chance(0.75)) r.limits = chance(0.6) ? { memory: memReq } : { cpu: pick(['500m', '1', '2', '4']), memory: pick(['256Mi', '512Mi', '1Gi', '2Gi', '8Gi']) };
    if (posture === 'typical' && chance(0.2)) delete r.requests.cpu;
    return r;
  }

  function container({ name, team, app, posture, port, configMapName, secretName, mounts, main = true, init = false, big = false }) {
    const c = { name, image: image(team, app, posture) };
    if (chance(0.6)) c.imagePullPolicy = pick(['IfNotPresent', 'IfNotPresent', 'Always']);
    if (chance(0.25)) c.command = pick([['/app/server'], ['java', '-jar', '/app/app.jar'], ['node', 'dist/index.js'], ['python', '-m', app.replace(/-/g, '_')]]);
    if (chance(0.3)) c.args = [...new Set(Array.from({ length: int(1, 6) }, () => pick(ARGS)))];
    if (main && port) {
      c.ports = [{ name: 'http', containerPort: port, protocol: 'TCP' }];
      if (chance(0.5)) c.ports.push({ name: 'metrics', containerPort: 9090, protocol: 'TCP' });
      if (posture === 'risky' && chance(0.2)) c.ports[0].hostPort = port;
    }
    const e = env(posture, configMapName, secretName);
    if (e.length) c.env = e;
    if (chance(0.25)) c.envFrom = [{ configMapRef: { name: configMapName } }, ...(chance(0.5) ? [{ secretRef: { name: secretName } }] : [])];
    const res = resources(posture, big);
    if (res) c.resources = res;
    // Init containers may not have probes or lifecycle hooks (the API server rejects them).
    if (!init && (main && port && posture !== 'lax' ? chance(0.85) : chance(0.3))) c.livenessProbe = probe(port ?? 8080);
    if (!init && (main && port && posture !== 'lax' ? chance(0.85) : chance(0.25))) c.readinessProbe = probe(port ?? 8080);
    if (!init && main && chance(0.15)) c.startupProbe = { ...probe(port ?? 8080), failureThreshold: 30 };
    const sc = securityContext(posture);
    if (sc) c.securityContext = sc;
    if (mounts.length) c.volumeMounts = mounts;
    if (!init && chance(0.2)) c.lifecycle = { preStop: { exec: { command: ['sh', '-c', `sleep ${pick([5, 10, 15])}`] } } };
    if (chance(0.1)) c.terminationMessagePolicy = 'FallbackToLogsOnError';
    return c;
  }

  function podSpec({ team, app, posture, port, sa, configMapName, secretName, restartPolicy, hostAccess = false, big = false }) {
    const spec = {};
    if (sa) spec.serviceAccountName = sa;
    if (posture === 'hardened' || (posture === 'typical' && chance(0.4))) spec.automountServiceAccountToken = false;
    if (restartPolicy) spec.restartPolicy = restartPolicy;
    if (posture === 'hardened') spec.securityContext = { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } };
    else if (posture === 'typical' && chance(0.6)) spec.securityContext = chance(0.5) ? { fsGroup: 2000 } : { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
    if (posture === 'risky' || hostAccess) {
      if (chance(hostAccess ? 0.6 : 0.3)) spec.hostNetwork = true;
      if (chance(hostAccess ? 0.4 : 0.15)) spec.hostPID = true;
      if (chance(0.05)) spec.hostIPC = true;
    }
    const volumes = [];
    const mounts = [];
    if (configMapName && chance(0.6)) {
      volumes.push({ name: 'config', configMap: { name: configMapName, ...(chance(0.3) ? { defaultMode: 420 } : {}) } });
      mounts.push({ name: 'config', mountPath: '/etc/app', readOnly: true });
    }
    if (chance(0.3)) {
      volumes.push({ name: 'secrets', secret: { secretName } });
      mounts.push({ name: 'secrets', mountPath: '/var/run/secrets/app', readOnly: true });
    }
    if (posture === 'hardened' || chance(0.3)) {
      volumes.push({ name: 'tmp', emptyDir: chance(0.5) ? { sizeLimit: '64Mi' } : {} });
      mounts.push({ name: 'tmp', mountPath: '/tmp' });
    }
    if (hostAccess || (posture === 'risky' && chance(0.4))) {
      const hp = pick([['/var/log', 'varlog'], ['/var/run/docker.sock', 'docker-sock'], ['/proc', 'proc'], ['/', 'host-root'], ['/var/lib/kubelet', 'kubelet'], ['/sys', 'sys']]);
      volumes.push({ name: hp[1], hostPath: { path: hp[0], ...(chance(0.5) ? { type: hp[0].endsWith('.sock') ? 'Socket' : 'Directory' } : {}) } });
      mounts.push({ name: hp[1], mountPath: `/host${hp[0] === '/' ? '' : hp[0]}`, ...(chance(0.5) ? { readOnly: true } : {}) });
    }
    if (chance(0.05)) volumes.push({ name: 'bound-token', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600, audience: 'vault' } }] } });
    const containers = [container({ name: app.length > 40 ? 'app' : app, team, app, posture, port, configMapName, secretName, mounts, big })];
    if (chance(0.2)) {
      containers.push(container({ name: pick(['log-shipper', 'envoy', 'cloudsql-proxy', 'oauth2-proxy', 'statsd-exporter']), team, app, posture: posture === 'risky' ? 'typical' : posture, port: undefined, configMapName, secretName, mounts: [], main: false }));
    }
    spec.containers = containers;
    if (chance(0.18)) {
      spec.initContainers = [container({ name: pick(['migrate', 'wait-for-db', 'init-config', 'chown-data']), team, app, posture: chance(0.3) ? 'risky' : posture, port: undefined, configMapName, secretName, mounts: [], main: false, init: true })];
    }
    if (volumes.length) spec.volumes = volumes;
    if (chance(0.3)) spec.nodeSelector = chance(0.5) ? { 'kubernetes.io/os': 'linux' } : { 'node.kubernetes.io/instance-type': pick(['m6i.xlarge', 'c6i.2xlarge', 'r6i.large']) };
    if (chance(0.2) || hostAccess) spec.tolerations = hostAccess ? [{ operator: 'Exists' }] : [{ key: 'dedicated', operator: 'Equal', value: team, effect: 'NoSchedule' }];
    if (chance(0.35)) {
      spec.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { 'app.kubernetes.io/name': app } }, topologyKey: 'kubernetes.io/hostname' } }] } };
    }
    if (chance(0.2)) spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': app } } }];
    if (chance(0.3)) spec.terminationGracePeriodSeconds = pick([10, 30, 60, 120]);
    if (chance(0.2)) spec.priorityClassName = pick(['business-critical', 'batch-low']);
    if (chance(0.3)) spec.imagePullSecrets = [{ name: 'registry-credentials' }];
    if (chance(0.05)) spec.dnsPolicy = 'ClusterFirstWithHostNet';
    return spec;
  }

  function podTemplate(args, labels) {
    const metadata = { labels: { ...labels } };
    if (chance(0.5)) metadata.annotations = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090', ...(chance(0.3) ? { 'sidecar.istio.io/inject': 'true' } : {}), ...(chance(0.2) ? { 'kubectl.kubernetes.io/default-container': args.app } : {}) };
    return { metadata, spec: podSpec(args) };
  }

  // ---------- object builders ----------

  const meta = (name, namespace, labels, annotations) => {
    const m = { name };
    if (namespace !== undefined) m.namespace = namespace;
    if (labels) m.labels = labels;
    if (annotations && Object.keys(annotations).length) m.annotations = annotations;
    return m;
  };

  function bigConfigText(kind) {
    const lines = [];
    const target = int(1_000, 20_000);
    let size = 0;
    let i = 0;
    while (size < target) {
      let line;
      if (kind === 'properties') line = `${pick(APP_WORDS)}.${pick(TEAM_WORDS)}.${pick(['timeout', 'pool-size', 'enabled', 'url', 'retries'])}${i}=${pick(['30s', '16', 'true', `http://${pick(APP_WORDS)}:8080/v1`, '3'])}`;
      else if (kind === 'nginx') line = i % 6 === 0 ? `location /${pick(APP_WORDS)}/${i} {` : i % 6 === 5 ? '}' : `    ${pick(['proxy_pass http://upstream_' + pick(APP_WORDS) + ';', 'proxy_set_header Host $host;', 'proxy_read_timeout 60s;', 'add_header X-Frame-Options DENY;'])}`;
      else line = `${'  '.repeat(i % 3)}${pick(APP_WORDS)}_${i}: ${pick(['true', '42', '"' + words(3) + '"', 'null', '[a, b, c]'])}`;
      lines.push(line);
      size += line.length + 1;
      i++;
    }
    return lines.join('\n') + '\n';
  }

  function dashboardJson() {
    const panels = Array.from({ length: int(10, 60) }, (_, id) => ({
      id,
      title: `${pick(APP_WORDS)} ${pick(['latency p99', 'error rate', 'requests', 'saturation', 'queue depth'])}`,
      type: pick(['timeseries', 'stat', 'gauge', 'table']),
      gridPos: { h: 8, w: 12, x: (id % 2) * 12, y: Math.floor(id / 2) * 8 },
      targets: [{ expr: `sum(rate(http_requests_total{app="${pick(APP_WORDS)}",code=~"5.."}[5m])) by (pod)`, refId: 'A' }],
      fieldConfig: { defaults: { unit: pick(['s', 'reqps', 'percent', 'short']), thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: 80 }] } } },
    }));
    return JSON.stringify({ title: `${pick(TEAM_WORDS)} overview`, uid: hex(9), schemaVersion: 39, panels }, null, 2);
  }

  function configMap(name, ns, labels) {
    const size = weighted([['small', 86], ['large', 12], ['dashboard', 2]]);
    const data = {};
    if (size === 'dashboard') data[`${name}.json`] = dashboardJson();
    else if (size === 'large') data[pick(['application.properties', 'nginx.conf', 'config.yaml'])] = bigConfigText(pick(['properties', 'nginx', 'yaml']));
    const keys = size === 'small' ? int(2, 15) : int(0, 3);
    for (let i = 0; i < keys; i++) data[`${pick(['feature', 'upstream', 'timeout', 'limit', 'region', 'mode', 'pool', 'config'])}-${i === 0 ? 'path' : i}`] = pick(['true', 'false', '30', 'eu-west-1', `http://${pick(APP_WORDS)}.${ns}.svc:8080`, words(int(1, 8)), '/etc/app/config.yaml']);
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name, ns, labels), data };
  }

  function service(name, ns, labels, selector, port, headless) {
    const type = headless ? 'ClusterIP' : weighted([['ClusterIP', 80], ['NodePort', 10], ['LoadBalancer', 10]]);
    const annotations = {};
    if (type === 'LoadBalancer') {
      annotations['service.beta.kubernetes.io/aws-load-balancer-type'] = 'nlb';
      if (chance(0.5)) annotations['service.beta.kubernetes.io/aws-load-balancer-internal'] = 'true';
    }
    const spec = { type, selector, ports: [{ name: 'http', port: 80, targetPort: chance(0.5) ? 'http' : port, protocol: 'TCP' }] };
    if (headless) spec.clusterIP = 'None';
    if (type === 'NodePort') spec.ports[0].nodePort = int(30000, 32767);
    if (type === 'LoadBalancer') {
      if (chance(0.4)) spec.loadBalancerSourceRanges = ['10.0.0.0/8', ...(chance(0.3) ? ['0.0.0.0/0'] : [])];
      if (chance(0.3)) spec.externalTrafficPolicy = 'Local';
    }
    if (chance(0.02)) spec.externalIPs = [`203.0.113.${int(1, 254)}`];
    if (chance(0.3)) spec.ports.push({ name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' });
    return { apiVersion: 'v1', kind: 'Service', metadata: meta(name, ns, labels, annotations), spec };
  }

  function ingress(name, ns, labels, svc, host) {
    const annotations = { 'nginx.ingress.kubernetes.io/proxy-body-size': pick(['1m', '8m', '50m']) };
    if (chance(0.6)) annotations['cert-manager.io/cluster-issuer'] = 'letsencrypt-prod';
    if (chance(0.3)) annotations['nginx.ingress.kubernetes.io/ssl-redirect'] = 'true';
    if (chance(0.03)) annotations['nginx.ingress.kubernetes.io/configuration-snippet'] = 'more_set_headers "X-Debug: on";';
    const spec = { ingressClassName: pick(['nginx', 'nginx', 'alb']), rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: svc, port: { name: 'http' } } } }] } }] };
    if (chance(0.3)) spec.rules[0].http.paths.push({ path: '/api', pathType: 'Prefix', backend: { service: { name: svc, port: { number: 80 } } } });
    if (chance(0.7)) spec.tls = [{ hosts: [host], secretName: `${name}-tls` }];
    return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta(name, ns, labels, annotations), spec };
  }

  function networkPolicy(name, ns, labels, podLabels, port) {
    const spec = { podSelector: { matchLabels: podLabels }, policyTypes: chance(0.5) ? ['Ingress'] : ['Ingress', 'Egress'] };
    spec.ingress = [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }, { podSelector: { matchLabels: { 'app.kubernetes.io/part-of': labels['app.kubernetes.io/part-of'] } } }], ports: [{ protocol: 'TCP', port }] }];
    if (spec.policyTypes.includes('Egress')) {
      spec.egress = [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }];
      if (chance(0.4)) spec.egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }] });
    }
    return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(name, ns, labels), spec };
  }

  function role(name, ns, labels, risky) {
    const rules = [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }];
    if (chance(0.4)) rules.push({ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] });
    if (risky) rules.push(pick([{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }, { apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }, { apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }]));
    return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(name, ns, labels), rules };
  }

  function roleBinding(name, ns, labels, roleRef, subjects) {
    return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(name, ns, labels), roleRef, subjects };
  }

  function namespaceObject(ns, team, env) {
    const labels = { team, environment: env };
    const level = weighted([['restricted', 30], ['baseline', 35], ['privileged', 5], ['none', 30]]);
    if (level !== 'none') {
      labels['pod-security.kubernetes.io/enforce'] = level;
      if (chance(0.5)) labels['pod-security.kubernetes.io/warn'] = 'restricted';
    }
    const annotations = chance(0.4) ? { 'scheduler.alpha.kubernetes.io/node-selector': 'pool=general', owner: `${team}@example.com` } : undefined;
    return { apiVersion: 'v1', kind: 'Namespace', metadata: meta(ns, undefined, labels, annotations) };
  }

  // ---------- bundles ----------

  function ensureNamespace(team, env) {
    const ns = `${team}-${env}`;
    if (namespacesDone.has(ns)) return ns;
    namespacesDone.add(ns);
    const dir = `clusters/${CLUSTERS[env]}/namespaces`;
    emit(dir, namespaceObject(ns, team, env));
    if (chance(0.7)) emit(`teams/${team}/_namespace/${env}`, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('default-deny-all', ns), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
    if (chance(0.5)) emit(`teams/${team}/_namespace/${env}`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta('compute', ns), spec: { hard: { 'requests.cpu': `${int(4, 64)}`, 'requests.memory': `${int(8, 256)}Gi`, pods: `${int(50, 500)}` } } });
    if (chance(0.3)) emit(`teams/${team}/_namespace/${env}`, { apiVersion: 'v1', kind: 'LimitRange', metadata: meta('defaults', ns), spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '512Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }] } });
    if (chance(0.6)) {
      emit(`teams/${team}/_namespace/${env}`, roleBinding(`${team}-developers`, ns, undefined, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: env === 'prod' ? 'view' : pick(['edit', 'edit', 'admin']) }, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `oidc:${team}-developers` }]));
    }
    return ns;
  }

  function appBundle() {
    const team = pick(teams);
    let app = `${pick(APP_WORDS)}${pick(APP_SUFFIXES)}${chance(0.3) ? `-${pick(APP_WORDS)}` : ''}`;
    if (appNames.has(`${team}/${app}`)) {
      let n = 2;
      while (appNames.has(`${team}/${app}-${n}`)) n++;
      app = `${app}-${n}`;
    }
    appNames.add(`${team}/${app}`);
    const posture = weighted([['hardened', 30], ['typical', 42], ['lax', 20], ['risky', 8]]);
    const kind = weighted([['Deployment', 66], ['StatefulSet', 11], ['CronJob', 12], ['Job', 4], ['Pod', 3], ['DaemonSet', 2], ['Rollout', 2]]);
    const envs = weighted([[ENVS, 55], [['staging', 'prod'], 25], [['prod'], 20]]);
    const port = pick([8080, 8080, 3000, 8000, 9000, 5000]);
    const big = chance(0.1);
    for (const env of envs) {
      const ns = ensureNamespace(team, env);
      const dir = renderedTeams.has(team) ? `teams/${team}/rendered/${env}` : `teams/${team}/${app}/${env}`;
      const labels = labelsFor(app, kind === 'CronJob' || kind === 'Job' ? 'batch' : 'server', team, env);
      const selector = { 'app.kubernetes.io/name': app, 'app.kubernetes.io/instance': `${app}-${env}` };
      const podLabels = { ...selector, ...labels };
      const hasSa = posture !== 'lax' && chance(0.8);
      const sa = hasSa ? app : posture === 'risky' && chance(0.3) ? 'default' : undefined;
      const configMapName = `${app}-config`;
      const secretName = `${app}-secrets`;
      const a = { team, app, posture, port, sa, configMapName, secretName, big };
      if (hasSa) {
        const sao = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(app, ns, labels, chance(0.3) ? { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${int(1e11, 9e11)}:role/${team}-${app}-${env}` } : undefined) };
        if (posture === 'hardened' && chance(0.5)) sao.automountServiceAccountToken = false;
        emit(dir, sao);
      }
      const cms = int(0, 1) + (chance(0.6) ? 1 : 0);
      for (let i = 0; i < cms; i++) emit(dir, configMap(i === 0 ? configMapName : `${app}-${pick(['files', 'env', 'scripts', 'dashboards', 'rules'])}-${i}`, ns, labels));
      if (chance(0.015)) emit(dir, { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: meta(secretName, ns, labels), data: { password: Buffer.from(hex(16)).toString('base64'), username: Buffer.from(app).toString('base64') } });
      const replicas = env === 'prod' ? int(2, 12) : 1;
      const workload = (k, name) => {
        const annotations = chance(0.3) ? { 'reloader.stakater.com/auto': 'true' } : chance(0.2) ? { 'argocd.argoproj.io/sync-wave': `${int(-2, 5)}` } : undefined;
        if (k === 'Deployment' || k === 'Rollout') {
          const spec = { replicas, selector: { matchLabels: selector }, template: podTemplate(a, podLabels) };
          if (chance(0.5)) spec.revisionHistoryLimit = pick([3, 5, 10]);
          if (k === 'Deployment' && chance(0.4)) spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } };
          if (k === 'Rollout') spec.strategy = { canary: { steps: [{ setWeight: 20 }, { pause: { duration: '5m' } }, { setWeight: 50 }, { pause: {} }] } };
          return { apiVersion: k === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1', kind: k, metadata: meta(name, ns, labels, annotations), spec };
        }
        if (k === 'StatefulSet') {
          const spec = { serviceName: `${name}-headless`, replicas: env === 'prod' ? 3 : 1, selector: { matchLabels: selector }, template: podTemplate(a, podLabels) };
          spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: pick(['gp3', 'standard-rwo', 'fast-ssd']), resources: { requests: { storage: pick(['10Gi', '50Gi', '200Gi']) } } } }];
          spec.template.spec.containers[0].volumeMounts = [...(spec.template.spec.containers[0].volumeMounts ?? []), { name: 'data', mountPath: '/data' }];
          if (chance(0.5)) spec.podManagementPolicy = 'Parallel';
          return { apiVersion: 'apps/v1', kind: k, metadata: meta(name, ns, labels, annotations), spec };
        }
        if (k === 'DaemonSet') {
          const spec = { selector: { matchLabels: selector }, template: podTemplate({ ...a, hostAccess: chance(0.5) }, podLabels), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } };
          return { apiVersion: 'apps/v1', kind: k, metadata: meta(name, ns, labels, annotations), spec };
        }
        if (k === 'CronJob') {
          const spec = { schedule: pick(['*/5 * * * *', '0 * * * *', '0 3 * * *', '30 2 * * 0', '@daily']), concurrencyPolicy: pick(['Forbid', 'Replace', 'Allow']), successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, jobTemplate: { spec: { backoffLimit: int(0, 6), template: podTemplate({ ...a, port: undefined, restartPolicy: 'OnFailure' }, podLabels) } } };
          if (chance(0.3)) spec.jobTemplate.spec.activeDeadlineSeconds = pick([600, 3600]);
          if (chance(0.2)) spec.timeZone = 'Etc/UTC';
          return { apiVersion: 'batch/v1', kind: k, metadata: meta(name, ns, labels, annotations), spec };
        }
        if (k === 'Job') {
          const spec = { backoffLimit: int(0, 6), template: podTemplate({ ...a, port: undefined, restartPolicy: 'Never' }, podLabels) };
          if (chance(0.6)) spec.ttlSecondsAfterFinished = pick([300, 3600, 86400]);
          return { apiVersion: 'batch/v1', kind: k, metadata: meta(`${name}-${pick(['migrate', 'backfill', 'seed'])}`, ns, labels, { 'argocd.argoproj.io/hook': 'PreSync' }), spec };
        }
        // Pod: debug and one-off pods, often the riskiest things in a repo.
        const pa = { ...a, posture: chance(0.5) ? 'risky' : posture };
        return { apiVersion: 'v1', kind: 'Pod', metadata: meta(`${name}-${pick(['debug', 'toolbox', 'netshoot', 'oneoff'])}`, ns, podLabels), spec: podSpec({ ...pa, restartPolicy: pick(['Always', 'Never']) }) };
      };
      emit(dir, workload(kind, app));
      if ((kind === 'Deployment' || kind === 'Rollout') && chance(0.25)) emit(dir, workload('Deployment', `${app}-worker`));
      const served = kind === 'Deployment' || kind === 'Rollout' || kind === 'StatefulSet' || kind === 'DaemonSet';
      if (served) {
        emit(dir, service(app, ns, labels, selector, port, false));
        if (kind === 'StatefulSet') emit(dir, service(`${app}-headless`, ns, labels, selector, port, true));
        if ((kind === 'Deployment' || kind === 'Rollout') && chance(0.45)) emit(dir, ingress(app, ns, labels, app, `${app}.${env === 'prod' ? '' : env + '.'}${team}.example.com`));
        if (chance(0.55)) emit(dir, networkPolicy(`${app}-allow`, ns, labels, selector, port));
        if (kind !== 'DaemonSet' && env !== 'dev' && chance(0.6)) {
          emit(dir, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(app, ns, labels), spec: { ...(chance(0.5) ? { minAvailable: 1 } : { maxUnavailable: pick([1, '25%']) }), selector: { matchLabels: selector } } });
        }
        if ((kind === 'Deployment' || kind === 'Rollout') && chance(0.5)) {
          const metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: pick([60, 70, 80]) } } }];
          if (chance(0.4)) metrics.push({ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } });
          emit(dir, { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta(app, ns, labels), spec: { scaleTargetRef: { apiVersion: kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1', kind, name: app }, minReplicas: replicas, maxReplicas: replicas * int(2, 5), metrics } });
        }
        if (chance(0.25)) emit(dir, { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: meta(app, ns, labels), spec: { selector: { matchLabels: selector }, endpoints: [{ port: 'metrics', interval: '30s', path: '/metrics' }] } });
      }
      if (hasSa && chance(0.45)) {
        const risky = posture === 'risky' || chance(0.05);
        emit(dir, role(app, ns, labels, risky));
        emit(dir, roleBinding(app, ns, labels, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: app }, [{ kind: 'ServiceAccount', name: app, namespace: ns }]));
      }
    }
  }

  function platformBundle(counter) {
    const component = PLATFORM_COMPONENTS[counter % PLATFORM_COMPONENTS.length];
    const cluster = pick(Object.values(CLUSTERS));
    const instance = counter < PLATFORM_COMPONENTS.length ? component : `${component}-${Math.floor(counter / PLATFORM_COMPONENTS.length) + 1}`;
    const ns = weighted([[component, 60], ['kube-system', 25], ['monitoring', 15]]);
    const dir = `platform/${component}/${cluster}${instance === component ? '' : '/' + instance}`;
    const labels = { 'app.kubernetes.io/name': component, 'app.kubernetes.io/instance': instance, 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': `${component}-${int(0, 9)}.${int(0, 40)}.${int(0, 9)}` };
    const selector = { 'app.kubernetes.io/name': component, 'app.kubernetes.io/instance': instance };
    const posture = weighted([['hardened', 35], ['typical', 35], ['risky', 30]]);
    const nodeAgent = ['node-exporter', 'fluent-bit', 'calico', 'datadog-agent', 'falco', 'vault-agent'].includes(component);
    emit(dir, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(instance, ns, labels) });
    const a = { team: 'platform', app: component, posture, port: pick([8080, 9100, 10254, 9402]), sa: instance, configMapName: `${instance}-config`, secretName: `${instance}-secrets` };
    emit(dir, configMap(`${instance}-config`, ns, labels));
    const rules = [{ apiGroups: [''], resources: ['pods', 'nodes', 'namespaces', 'endpoints', 'services'], verbs: ['get', 'list', 'watch'] }];
    if (chance(0.5)) rules.push({ apiGroups: ['apps'], resources: ['deployments', 'daemonsets', 'statefulsets', 'replicasets'], verbs: ['get', 'list', 'watch'] });
    if (posture === 'risky') rules.push(pick([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }, { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles', 'clusterrolebindings'], verbs: ['escalate', 'bind', 'create'] }, { apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] }, { apiGroups: [''], resources: ['users', 'groups', 'serviceaccounts'], verbs: ['impersonate'] }]));
    if (chance(0.3)) rules.push({ nonResourceURLs: ['/metrics'], verbs: ['get'] });
    emit(dir, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(instance, undefined, labels), rules });
    const roleName = posture === 'risky' && chance(0.3) ? 'cluster-admin' : instance;
    emit(dir, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(instance, undefined, labels), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'ServiceAccount', name: instance, namespace: ns }] });
    if (chance(0.2)) emit(dir, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(`${instance}-aggregate-view`, undefined, { ...labels, 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }), rules: [{ apiGroups: [`${component}.example.com`], resources: ['*'], verbs: ['get', 'list', 'watch'] }] });
    const tmpl = podTemplate({ ...a, hostAccess: nodeAgent && chance(0.8) }, { ...selector, ...labels });
    if (nodeAgent) emit(dir, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta(instance, ns, labels), spec: { selector: { matchLabels: selector }, template: tmpl, updateStrategy: { type: 'RollingUpdate' } } });
    else emit(dir, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(instance, ns, labels), spec: { replicas: int(1, 3), selector: { matchLabels: selector }, template: tmpl } });
    emit(dir, service(instance, ns, labels, selector, a.port, false));
    if (component === 'ingress-nginx') emit(dir, { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: meta('nginx', undefined, labels, { 'ingressclass.kubernetes.io/is-default-class': 'true' }), spec: { controller: 'k8s.io/ingress-nginx' } });
    if (chance(0.3)) emit(dir, { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: meta(instance, undefined, labels), webhooks: [{ name: `validate.${component}.example.com`, admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: pick(['Fail', 'Ignore']), clientConfig: { service: { name: instance, namespace: ns, path: '/validate' } }, rules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*'] }] }] });
  }

  // Cluster-wide basics first, then apps, with a platform component every ~25 apps.
  for (const c of new Set(Object.values(CLUSTERS))) {
    emit(`clusters/${c}/priority`, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: meta('business-critical'), value: 100000, globalDefault: false, description: 'Customer-facing services.' });
    emit(`clusters/${c}/priority`, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: meta('batch-low'), value: -10, preemptionPolicy: 'Never' });
  }
  let apps = 0;
  let platform = 0;
  while (entries.length < objects) {
    if (apps % 25 === 0) platformBundle(platform++);
    appBundle();
    apps++;
  }
  entries.length = objects;
  return entries;
}

// ---------- files ----------

const KIND_FILE = { Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset', CronJob: 'cronjob', Job: 'job', Pod: 'pod', Rollout: 'rollout', Service: 'service', Ingress: 'ingress', NetworkPolicy: 'networkpolicy', ConfigMap: 'configmap', Secret: 'secret', ServiceAccount: 'serviceaccount', Role: 'role', RoleBinding: 'rolebinding', ClusterRole: 'clusterrole', ClusterRoleBinding: 'clusterrolebinding', HorizontalPodAutoscaler: 'hpa', PodDisruptionBudget: 'pdb', Namespace: 'namespace' };
const GROUP_FILE = { Deployment: 'workload', StatefulSet: 'workload', DaemonSet: 'workload', CronJob: 'workload', Job: 'workload', Pod: 'workload', Rollout: 'workload', Service: 'network', Ingress: 'network', NetworkPolicy: 'network', ConfigMap: 'config', Secret: 'config', ServiceAccount: 'rbac', Role: 'rbac', RoleBinding: 'rbac', ClusterRole: 'rbac', ClusterRoleBinding: 'rbac', HorizontalPodAutoscaler: 'scaling', PodDisruptionBudget: 'scaling' };
const HEADERS = ['# Managed by Argo CD. Changes made in the cluster are reverted.', '# Source: generated by the platform team templates; edit values, not this file.', '# yaml-language-server: $schema=https://kubernetes-schemas.example.com/all.json', '# Owner: see CODEOWNERS'];

/** Packs the entries of each folder into files the way people and tools lay them out. */
export function layoutFiles(entries, seed = 1) {
  const rand = prng(seed * 40503 + 7);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const chance = (p) => rand() < p;
  const byDir = new Map();
  for (const e of entries) {
    const list = byDir.get(e.dir);
    if (list) list.push(e.object);
    else byDir.set(e.dir, [e.object]);
  }
  const files = [];
  const yamlDocs = (objs) => {
    let text = chance(0.25) ? `${HEADERS[int(0, HEADERS.length - 1)]}\n` : '';
    if (chance(0.3)) text += '---\n';
    text += objs.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
    return text;
  };
  const chunks = (objs, max) => {
    const out = [];
    for (let i = 0; i < objs.length; ) {
      const n = Math.min(objs.length - i, int(1, max));
      out.push(objs.slice(i, i + n));
      i += n;
    }
    return out;
  };
  for (const [dir, objs] of byDir) {
    const used = new Map();
    const name = (base, ext) => {
      const n = (used.get(base) ?? 0) + 1;
      used.set(base, n);
      return `${dir}/${n === 1 ? base : `${base}-${n}`}.${ext}`;
    };
    const kindName = (o) => KIND_FILE[o.kind] ?? o.kind.toLowerCase();
    const style = dir.endsWith('/namespaces') || dir.includes('/priority') || dir.includes('/rendered/') ? 'multi' : pickStyle(rand);
    if (style === 'per-object') {
      for (const o of objs) files.push({ path: name(kindName(o), chance(0.85) ? 'yaml' : 'yml'), text: yamlDocs([o]) });
    } else if (style === 'multi') {
      for (const c of chunks(objs, 30)) files.push({ path: name(objs.length <= 30 ? 'manifests' : 'all', 'yaml'), text: yamlDocs(c) });
    } else if (style === 'by-group') {
      const groups = new Map();
      for (const o of objs) {
        const g = GROUP_FILE[o.kind] ?? 'other';
        groups.set(g, [...(groups.get(g) ?? []), o]);
      }
      for (const [g, list] of groups) for (const c of chunks(list, 30)) files.push({ path: name(g, 'yaml'), text: yamlDocs(c) });
    } else if (style === 'json') {
      if (chance(0.5)) for (const o of objs) files.push({ path: name(kindName(o), 'json'), text: JSON.stringify(o, null, 2) + '\n' });
      else files.push({ path: name('list', 'json'), text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }, null, chance(0.8) ? 2 : 0) + '\n' });
    } else {
      // `kubectl get -o yaml` style: a List with every object as an item.
      for (const c of chunks(objs, 30)) files.push({ path: name('export', 'yaml'), text: stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: c }, { lineWidth: 0 }) });
    }
  }
  return files;
}

function pickStyle(rand) {
  const x = rand();
  return x < 0.3 ? 'per-object' : x < 0.7 ? 'multi' : x < 0.85 ? 'by-group' : x < 0.93 ? 'json' : 'list';
}

function main() {
  const { values } = parseArgs({ options: { objects: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string', default: '1' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || !values.objects || !values.out) {
    process.stdout.write('Usage: node bench/corpus.mjs --objects N --out DIR [--seed S]\n');
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const objects = Number(values.objects);
  const seed = Number(values.seed);
  if (!Number.isInteger(objects) || objects <= 0 || !Number.isInteger(seed)) throw new Error('--objects and --seed must be integers');
  const out = resolve(values.out);
  const started = performance.now();
  const entries = generateCorpus({ objects, seed });
  const files = layoutFiles(entries, seed);
  rmSync(out, { recursive: true, force: true });
  let bytes = 0;
  const dirs = new Set();
  for (const f of files) {
    const p = join(out, f.path);
    const d = dirname(p);
    if (!dirs.has(d)) {
      mkdirSync(d, { recursive: true });
      dirs.add(d);
    }
    writeFileSync(p, f.text);
    bytes += Buffer.byteLength(f.text);
  }
  const kinds = {};
  for (const e of entries) kinds[e.object.kind] = (kinds[e.object.kind] ?? 0) + 1;
  const sortedKinds = Object.fromEntries(Object.entries(kinds).sort((a, b) => b[1] - a[1]));
  const info = { generator: 'bench/corpus.mjs', generatorHash: generatorHash(), seed, objects: entries.length, files: files.length, bytes, directories: dirs.size, kinds: sortedKinds };
  writeFileSync(join(out, '.corpus-info'), JSON.stringify(info, null, 2) + '\n');
  const mib = (bytes / 1048576).toFixed(1);
  process.stdout.write(`corpus ${values.out}: ${entries.length} objects, ${files.length} files, ${bytes} bytes (${mib} MiB) in ${dirs.size} directories, seed ${seed}, ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`kinds: ${Object.entries(sortedKinds).map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
