import type { ControlContext, ReportDescriptor, Visitor } from '../../core/control.js';
import type { JsonPatchOp } from '../../core/finding.js';
import type { ContainerView, PodSpecView } from '../../core/inventory.js';
import { toPointer, type JsonPath } from '../../core/path.js';

/**
 * Control-plane components as they run in static pods (kubeadm, kops, kubespray, Talos'
 * manifests) or in hosted control planes (Kamaji, vcluster, Cluster API Deployments),
 * and how their command lines are read.
 */
export type Component = 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'etcd';

const BINARIES: Readonly<Record<string, Component>> = {
  'kube-apiserver': 'kube-apiserver',
  'kube-controller-manager': 'kube-controller-manager',
  'kube-scheduler': 'kube-scheduler',
  etcd: 'etcd',
};

/** hyperkube (Kubernetes < 1.17 single binary) took the component as its first argument. */
const HYPERKUBE_SUBCOMMANDS: Readonly<Record<string, Component>> = {
  'kube-apiserver': 'kube-apiserver',
  apiserver: 'kube-apiserver',
  'kube-controller-manager': 'kube-controller-manager',
  'controller-manager': 'kube-controller-manager',
  'kube-scheduler': 'kube-scheduler',
  scheduler: 'kube-scheduler',
};

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'busybox']);
const SHELL_OPERATORS = new Set(['&&', '||', ';', '|', '&']);
const IMAGE_NAME = /^(kube-apiserver|kube-controller-manager|kube-scheduler|etcd)(-(amd64|arm64|arm|ppc64le|s390x))?$/;

/**
 * Flags that take no separate value: `--profiling false` sets profiling to true and leaves
 * "false" as a stray argument (pflag and Go's flag package both read a bool's value only
 * from `--name=value`), so the parser must not consume the next token for these.
 */
const BOOL_FLAGS = new Set([
  'anonymous-auth', 'profiling', 'contention-profiling', 'service-account-lookup', 'use-service-account-credentials',
  'allow-privileged', 'enable-bootstrap-token-auth', 'enable-aggregator-routing', 'enable-priority-and-fairness',
  'enable-garbage-collector', 'enable-logs-handler', 'audit-log-compress', 'leader-elect', 'logtostderr', 'alsologtostderr',
  'authentication-skip-lookup', 'permit-port-sharing', 'permit-address-sharing', 'enable-hostpath-provisioner',
  'service-account-extend-token-expiration', 'enable-dynamic-provisioning',
  // etcd
  'client-cert-auth', 'peer-client-cert-auth', 'auto-tls', 'peer-auto-tls', 'enable-pprof', 'strict-reconfig-check',
  'force-new-cluster', 'enable-v2', 'debug', 'experimental-initial-corrupt-check', 'enable-grpc-gateway',
  'client-crl-check', 'peer-skip-client-san-verification', 'experimental-enable-lease-checkpoint',
]);

/** How a flag was written; decides whether a fix can rewrite it. */
export type FlagForm = 'equals' | 'separate' | 'bare' | 'shell' | 'env';

export interface FlagOccurrence {
  name: string;
  /** The value as written; "true" for a bare boolean flag. */
  value: string;
  form: FlagForm;
  /** Path of the list item that holds the flag name, e.g. spec.containers[0].command[3]. */
  path: JsonPath;
  /** Path of the list item that holds the value (the next item for `--name value`). */
  valuePath: JsonPath;
  /** The item as written, for rewriting it in a fix. */
  token: string;
}

export interface ListItem {
  value: string;
  /** Path of the list item (command/args entry) the value is written in. */
  path: JsonPath;
  flag: FlagOccurrence;
}

interface Token {
  text: string;
  path: JsonPath;
  /** Part of a `sh -c` script: the path is the whole script, and it cannot be patched piecewise. */
  inScript: boolean;
}

/** The parsed command line of one control-plane container. */
export class ComponentFlags {
  private readonly byName = new Map<string, FlagOccurrence[]>();

  constructor(
    readonly component: Component,
    readonly container: ContainerView,
    tokens: readonly Token[],
    /** Where a missing flag is reported: the command list (or args, or the container). */
    readonly listPath: JsonPath,
    /** JSON patch that appends one flag, or undefined when the command is a shell script. */
    private readonly appendOp: ((flag: string) => JsonPatchOp) | undefined,
  ) {
    parseTokens(tokens, (o) => {
      const list = this.byName.get(o.name);
      if (list) list.push(o);
      else this.byName.set(o.name, [o]);
    });
  }

  get name(): string {
    return this.container.name;
  }

  /** Every occurrence of a flag in command-line order. */
  all(name: string): readonly FlagOccurrence[] {
    return this.byName.get(name) ?? this.envFallback(name);
  }

  /** The effective occurrence of a scalar flag: the last one wins, as in pflag. */
  get(name: string): FlagOccurrence | undefined {
    const list = this.all(name);
    return list[list.length - 1];
  }

  has(name: string): boolean {
    return this.all(name).length > 0;
  }

  /** The effective value of a boolean flag; undefined when absent or not a Go boolean. */
  bool(name: string): boolean | undefined {
    const o = this.get(name);
    return o ? parseGoBool(o.value) : undefined;
  }

  /**
   * Items of a comma-separated list flag. Repeated occurrences append, as for pflag's
   * string slices (`--enable-admission-plugins=A --enable-admission-plugins=B` is A,B).
   */
  list(name: string): ListItem[] {
    const out: ListItem[] = [];
    for (const o of this.all(name)) {
      for (const v of o.value.split(',')) {
        const value = v.trim();
        if (value) out.push({ value, path: o.valuePath, flag: o });
      }
    }
    return out;
  }

  /** The value of one feature gate in --feature-gates (later entries win). */
  featureGate(gate: string): { value: boolean | undefined; item: ListItem } | undefined {
    let found: { value: boolean | undefined; item: ListItem } | undefined;
    for (const item of this.list('feature-gates')) {
      const eq = item.value.indexOf('=');
      if (eq < 0 || item.value.slice(0, eq).trim() !== gate) continue;
      found = { value: parseGoBool(item.value.slice(eq + 1).trim()), item };
    }
    return found;
  }

  /** A fix that appends `--name=value`, when the command line can be patched safely. */
  appendFix(name: string, value: string): JsonPatchOp[] | undefined {
    return this.appendOp ? [this.appendOp(`--${name}=${value}`)] : undefined;
  }

  /** A fix that rewrites an occurrence to a new value, keeping how it was written. */
  replaceFix(o: FlagOccurrence, value: string): JsonPatchOp[] | undefined {
    switch (o.form) {
      case 'equals':
      case 'bare': {
        const dashes = o.token.startsWith('--') ? '--' : '-';
        return [{ op: 'replace', path: toPointer(o.path), value: `${dashes}${o.name}=${value}` }];
      }
      case 'separate':
        return [{ op: 'replace', path: toPointer(o.valuePath), value }];
      default:
        return undefined;
    }
  }

  /**
   * etcd also reads every flag from an ETCD_<NAME> environment variable when the flag is
   * not given; the Kubernetes components do not.
   */
  private envFallback(name: string): readonly FlagOccurrence[] {
    if (this.component !== 'etcd') return [];
    const env = this.container.container.env;
    if (!Array.isArray(env)) return [];
    const want = 'ETCD_' + name.toUpperCase().replace(/-/g, '_');
    for (let i = env.length - 1; i >= 0; i--) {
      const e = env[i];
      if (e && e.name === want && typeof e.value === 'string') {
        const path = [...this.container.path, 'env', i, 'value'];
        return [{ name, value: e.value, form: 'env', path, valuePath: path, token: e.value }];
      }
    }
    return [];
  }
}

function parseTokens(tokens: readonly Token[], emit: (o: FlagOccurrence) => void): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '--') return; // the rest is positional
    if (!t.text.startsWith('-') || t.text === '-') continue;
    // Go's flag package (etcd) accepts -name and --name; pflag uses -x only for shorthands.
    const body = t.text.startsWith('--') ? t.text.slice(2) : t.text.slice(1);
    if (!body) continue;
    const eq = body.indexOf('=');
    const shell = t.inScript ? 'shell' : undefined;
    if (eq > 0) {
      emit({ name: body.slice(0, eq), value: body.slice(eq + 1), form: shell ?? 'equals', path: t.path, valuePath: t.path, token: t.text });
      continue;
    }
    const next = tokens[i + 1];
    if (!BOOL_FLAGS.has(body) && next && !next.text.startsWith('-')) {
      emit({ name: body, value: next.text, form: shell ?? 'separate', path: t.path, valuePath: next.path, token: t.text });
      i++;
    } else {
      emit({ name: body, value: BOOL_FLAGS.has(body) ? 'true' : '', form: shell ?? 'bare', path: t.path, valuePath: t.path, token: t.text });
    }
  }
}

/** strconv.ParseBool. */
export function parseGoBool(v: string): boolean | undefined {
  switch (v) {
    case '1': case 't': case 'T': case 'true': case 'TRUE': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'false': case 'FALSE': case 'False':
      return false;
    default:
      return undefined;
  }
}

/** Go's time.ParseDuration, in seconds; undefined when malformed. A bare 0 is valid. */
export function parseGoDuration(v: string): number | undefined {
  if (v === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let s = v;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (!s) return undefined;
  let total = 0;
  re.lastIndex = 0;
  while (re.lastIndex < s.length) {
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]!]!;
  }
  return sign * total;
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

function strings(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

function imageComponent(image: unknown): Component | undefined {
  if (typeof image !== 'string') return undefined;
  // Cheap pre-check: most images are neither.
  if (!image.includes('kube-') && !image.includes('etcd')) return undefined;
  let ref = image;
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const name = basename(ref);
  const colon = name.indexOf(':');
  const repo = colon >= 0 ? name.slice(0, colon) : name;
  const m = IMAGE_NAME.exec(repo);
  return m ? (m[1] as Component) : undefined;
}

/** Splits a `sh -c` script into words; enough for the command lines people write in manifests. */
function shellWords(script: string): string[] {
  return script
    .replace(/\\\r?\n/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => (w.length >= 2 && (w[0] === '"' || w[0] === "'") && w[w.length - 1] === w[0] ? w.slice(1, -1) : w));
}

/** Recognises a control-plane container and reads its command line; undefined for any other container. */
export function parseComponent(c: ContainerView): ComponentFlags | undefined {
  if (c.kind !== 'container') return undefined;
  // The same tests readComponent makes, first and without allocating: most containers are none.
  const command = strings(c.container.command);
  if (command && command.length > 0) {
    const bin = basename(command[0]!);
    if (!BINARIES[bin] && bin !== 'hyperkube' && !SHELLS.has(bin)) return undefined;
  } else if (!(imageComponent(c.container.image) ?? BINARIES[c.name])) return undefined;
  return readComponent(c, command);
}

function readComponent(c: ContainerView, command: string[] | undefined): ComponentFlags | undefined {
  const container = c.container;
  const args = strings(container.args) ?? [];
  const commandPath: JsonPath = [...c.path, 'command'];
  const argsPath: JsonPath = [...c.path, 'args'];
  const listTokens = (list: readonly string[], path: JsonPath, from: number): Token[] =>
    list.slice(from).map((text, i) => ({ text, path: [...path, i + from], inScript: false }));
  const appendTo = (path: JsonPath, exists: boolean) => (flag: string): JsonPatchOp =>
    exists ? { op: 'add', path: toPointer(path) + '/-', value: flag } : { op: 'add', path: toPointer(path), value: [flag] };

  if (command && command.length > 0) {
    const bin = basename(command[0]!);
    const direct = BINARIES[bin];
    if (direct) {
      const tokens = [...listTokens(command, commandPath, 1), ...listTokens(args, argsPath, 0)];
      return new ComponentFlags(direct, c, tokens, commandPath, appendTo(commandPath, true));
    }
    if (bin === 'hyperkube') {
      const rest = [...listTokens(command, commandPath, 1), ...listTokens(args, argsPath, 0)];
      const sub = rest[0] && HYPERKUBE_SUBCOMMANDS[rest[0].text];
      return sub ? new ComponentFlags(sub, c, rest.slice(1), commandPath, appendTo(commandPath, true)) : undefined;
    }
    if (SHELLS.has(bin)) return parseShell(c, [...listTokens(command, commandPath, 1), ...listTokens(args, argsPath, 0)]);
    return undefined;
  }
  // No command: the image's entrypoint runs, so the image (or the container name) says what it is.
  const byImage = imageComponent(container.image) ?? BINARIES[c.name];
  if (!byImage) return undefined;
  return new ComponentFlags(byImage, c, listTokens(args, argsPath, 0), args.length ? argsPath : c.path, appendTo(argsPath, Array.isArray(container.args)));
}

function parseShell(c: ContainerView, tokens: Token[]): ComponentFlags | undefined {
  const dashC = tokens.findIndex((t) => t.text === '-c' || /^-[a-z]*c$/.test(t.text));
  const script = dashC >= 0 ? tokens[dashC + 1] : undefined;
  if (!script) return undefined;
  const words = shellWords(script.text);
  const start = words.findIndex((w) => BINARIES[basename(w)] !== undefined);
  if (start < 0) return undefined;
  const component = BINARIES[basename(words[start]!)]!;
  const flagWords: Token[] = [];
  for (const w of words.slice(start + 1)) {
    if (SHELL_OPERATORS.has(w)) break;
    flagWords.push({ text: w, path: script.path, inScript: true });
  }
  return new ComponentFlags(component, c, flagWords, script.path, undefined);
}

const cache = new WeakMap<PodSpecView, readonly ComponentFlags[]>();
const NONE: readonly ComponentFlags[] = Object.freeze([]);
// The pod spec asked about last: the engine hands one pod spec to every control-plane control
// in a row, so this saves them a WeakMap look-up each. Keeps that one view alive until the next.
let lastSpec: PodSpecView | undefined;
let lastFound: readonly ComponentFlags[] = NONE;

/**
 * The control-plane containers of a pod spec, parsed once per pod spec and shared by every
 * control-plane control. For an ordinary pod this is a look at command[0] and, only when
 * there is no command, at the image name; that answer is not kept beyond the last pod spec
 * asked about, since looking again costs less than a WeakMap entry per pod.
 */
export function controlPlaneContainers(ps: PodSpecView): readonly ComponentFlags[] {
  if (ps === lastSpec) return lastFound;
  let found = cache.get(ps);
  if (found === undefined) {
    let list: ComponentFlags[] | undefined;
    for (const c of ps.containers) {
      const f = parseComponent(c);
      if (f) (list ??= []).push(f);
    }
    found = list ?? NONE;
    if (list) cache.set(ps, found);
  }
  lastSpec = ps;
  lastFound = found;
  return found;
}

/** A visitor that calls `fn` for every container of the given component(s). */
export function onComponent(component: Component | readonly Component[], fn: (f: ComponentFlags, ps: PodSpecView) => void): Visitor {
  return {
    podSpec(ps) {
      const found = controlPlaneContainers(ps);
      // Ordinary workloads are outside these controls' scope.
      if (found.length === 0) return false;
      let judged = false;
      for (const f of found) {
        if (typeof component === 'string' ? f.component === component : component.includes(f.component)) {
          judged = true;
          fn(f, ps);
        }
      }
      if (!judged) return false;
    },
  };
}

/** Reports a required flag that is absent, at the command list (never with a value: there is none). */
export function reportMissing(ctx: ControlContext, f: ComponentFlags, flag: string, messageId: string, fix?: ReportDescriptor['fix']): void {
  ctx.report({ messageId, data: { component: f.component, container: f.name, flag: `--${flag}` }, path: f.listPath, fix });
}

/** True when etcd reads its configuration from a file, which makes its flags and ETCD_* variables ignored. */
export function etcdUsesConfigFile(f: ComponentFlags): boolean {
  return f.component === 'etcd' && f.has('config-file');
}

/** Loopback addresses a component may bind its secure port to. */
export function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '');
  return a === '::1' || a === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}
