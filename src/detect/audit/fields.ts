/**
 * The k8s_audit fields (`ka.*` of Falco's k8saudit plugin, plus the `jevt.*` JSON fields),
 * with the plugin's extraction semantics: values are strings (non-string JSON values are
 * serialized compactly), list fields yield every value, an index argument [n] picks the
 * n-th item of the first array on the path, and a missing path means "not available".
 */
import type { EventSource, FieldDef, FieldValue } from '../rules-lang/fields.js';
import type { AuditEvent } from './event.js';

type Json = unknown;
const NA = undefined;

function get(v: Json, keys: readonly string[]): Json {
  let cur = v;
  for (const k of keys) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** fastjson's MarshalTo for non-strings, the string itself otherwise. */
function str(v: Json): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  // What JSON.stringify gives for parsed numbers (always finite) and booleans, cheaper.
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

/**
 * The plugin's getValuesRecursive: walks keys; at an array, either fans out (no index;
 * items missing the rest of the path give `undefined`) or takes item [index].
 * Returns null when not available.
 */
function valuesRecursive(v: Json, index: number | undefined, keys: readonly string[]): Json[] | null {
  let cur = v;
  for (let i = 0; i < keys.length; i++) {
    if (Array.isArray(cur)) {
      if (index === undefined) {
        const out: Json[] = [];
        for (const item of cur) {
          const r = valuesRecursive(item, index, keys.slice(i));
          if (r === null) out.push(undefined);
          else out.push(...r);
        }
        return out;
      }
      if (index >= cur.length || index < 0) return null;
      cur = cur[index];
    }
    const k = keys[i]!;
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return null;
    if (k === '') {
      // The plugin's Get() with no key: the value itself.
      continue;
    }
    cur = (cur as Record<string, unknown>)[k];
    if (cur === undefined) return null;
  }
  return [cur];
}

function skipNil(values: Json[]): string[] {
  const out: string[] = [];
  for (const v of values) if (v !== undefined && v !== null) out.push(str(v)!);
  return out;
}

/** An empty list counts as not available: no value can satisfy a comparison. */
function listOrNA(values: string[] | undefined): FieldValue {
  return values && values.length ? values : NA;
}

function parseIndex(arg: string | undefined): number | undefined {
  if (arg === undefined || arg === '') return undefined;
  return Number(arg);
}

type Extract = (e: AuditEvent, arg: string | undefined) => FieldValue;

const fields: FieldDef<AuditEvent>[] = [];

/**
 * One extractor per field and argument, shared by every rule that uses it, remembering the
 * value for the last event: the rules run one event at a time and many read the same
 * fields (ka.stage, ka.user.name), so each is extracted once per event. Events are not
 * changed after they are read.
 */
function memoized(extract: Extract, arg: string | undefined): (e: AuditEvent) => FieldValue {
  let last: AuditEvent | undefined;
  let value: FieldValue;
  return (e) => {
    if (e !== last) {
      value = extract(e, arg);
      last = e;
    }
    return value;
  };
}

function def(name: string, desc: string, extract: Extract, opts: { list?: boolean; arg?: FieldDef<AuditEvent>['arg']; type?: 'string' | 'uint64' } = {}): void {
  const bound = new Map<string | undefined, (e: AuditEvent) => FieldValue>();
  fields.push({
    name,
    desc,
    type: opts.type ?? 'string',
    list: opts.list ?? false,
    arg: opts.arg ?? 'none',
    bind: (arg) => {
      let g = bound.get(arg);
      if (!g) bound.set(arg, (g = memoized(extract, arg)));
      return g;
    },
  });
}

/** A scalar at a fixed path (the plugin's extractFromKeys for a non-list field). */
function scalar(name: string, desc: string, ...keys: string[]): void {
  def(name, desc, (e) => str(get(e.raw, keys)));
}

/** A list at a fixed path (extractFromKeys for a list field: must be an array). */
function listAt(name: string, desc: string, ...keys: string[]): void {
  def(name, desc, (e) => {
    const v = get(e.raw, keys);
    if (!Array.isArray(v)) return NA;
    return listOrNA(v.map((x) => str(x) ?? 'null'));
  }, { list: true });
}

/** A list gathered over the items of an array, with an optional [index]. */
function recursive(name: string, desc: string, keys: string[]): void {
  def(name, desc, (e, arg) => {
    const index = parseIndex(arg);
    const vals = valuesRecursive(e.raw, index, keys);
    if (vals === null) return NA;
    // A path ending at an array (capabilities.add) yields its items, as the original
    // k8s audit support did, rather than the array as one JSON string.
    const out: string[] = [];
    for (const v of vals) {
      if (Array.isArray(v)) out.push(...skipNil(v));
      else if (v !== undefined && v !== null) out.push(str(v)!);
    }
    return listOrNA(out);
  }, { list: true, arg: 'index' });
}

/** The pod's container lists; newer plugin versions give init and ephemeral containers fields of their own. */
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
type ContainerList = (typeof CONTAINER_LISTS)[number];

function containerImages(e: AuditEvent, index: number | undefined, list: ContainerList = 'containers'): string[] | undefined {
  const vals = valuesRecursive(e.raw, index, ['requestObject', 'spec', list, 'image']);
  if (vals === null) return undefined;
  // A container without an image makes the whole field unavailable, as in the plugin.
  if (vals.some((v) => v === undefined || v === null)) return undefined;
  return vals.map((v) => str(v)!);
}

const repository = (image: string): string => image.split(':')[0]!.split('@')[0]!;

function effective(e: AuditEvent, index: number | undefined, key: string, list: ContainerList): FieldValue {
  const podLevel = get(e.raw, ['requestObject', 'spec', 'securityContext', key]);
  const fallback = podLevel === undefined ? '0' : str(podLevel)!;
  const vals = valuesRecursive(e.raw, index, ['requestObject', 'spec', list, 'securityContext', key]);
  if (vals === null) return NA;
  return listOrNA(vals.map((v) => (v === undefined || v === null ? fallback : str(v)!)));
}

function rulesField(e: AuditEvent, arg: string | undefined, key: string): FieldValue {
  const vals = valuesRecursive(e.raw, parseIndex(arg), ['requestObject', 'rules', key]);
  if (vals === null) return NA;
  const out: string[] = [];
  for (const v of vals) if (Array.isArray(v)) out.push(...skipNil(v));
  return listOrNA(out);
}

scalar('ka.auditid', 'The unique id of the audit event', 'auditID');
scalar('ka.stage', 'Stage of the request (e.g. RequestReceived, ResponseComplete)', 'stage');
scalar('ka.auth.decision', 'The authorization decision', 'annotations', 'authorization.k8s.io/decision');
scalar('ka.auth.reason', 'The authorization reason', 'annotations', 'authorization.k8s.io/reason');
scalar('ka.auth.openshift.decision', 'The authentication decision of the OpenShift OAuth server (openshift clusters)', 'annotations', 'authentication.openshift.io/decision');
scalar('ka.auth.openshift.username', 'The user name the OpenShift OAuth server authenticated (openshift clusters)', 'annotations', 'authentication.openshift.io/username');
scalar('ka.validations.admission.policy.failure', 'The ValidatingAdmissionPolicy failure recorded for the request', 'annotations', 'validation.policy.admission.k8s.io/validation_failure');
scalar('ka.security.pod.violations', 'The Pod Security admission violations recorded for the request', 'annotations', 'pod-security.kubernetes.io/audit-violations');
scalar('ka.user.name', 'The user name performing the request', 'user', 'username');
listAt('ka.user.groups', 'The groups to which the user belongs', 'user', 'groups');
scalar('ka.impuser.name', 'The impersonated user name', 'impersonatedUser', 'username');
scalar('ka.verb', 'The action being performed', 'verb');
scalar('ka.uri', 'The request URI as sent from client to server', 'requestURI');
/**
 * The first value of a query parameter, read as the plugin reads it (Go's url.ParseQuery): pairs
 * split on '&', '+' is a space, and a pair with ';' or a bad %-escape makes the whole query
 * unreadable, so the field is not available.
 */
function queryParam(uri: string, key: string): string | undefined {
  const hash = uri.indexOf('#');
  const noFragment = hash < 0 ? uri : uri.slice(0, hash);
  const q = noFragment.indexOf('?');
  if (q < 0) return undefined;
  const unescape = (s: string): string | undefined => {
    if (/%(?![0-9a-fA-F]{2})/.test(s)) return undefined;
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  };
  let found: string | undefined;
  for (const pair of noFragment.slice(q + 1).split('&')) {
    if (pair === '') continue;
    if (pair.includes(';')) return undefined;
    const eq = pair.indexOf('=');
    const k = unescape(eq < 0 ? pair : pair.slice(0, eq));
    const v = unescape(eq < 0 ? '' : pair.slice(eq + 1));
    if (k === undefined || v === undefined) return undefined;
    if (k === key && found === undefined) found = v;
  }
  return found;
}
def('ka.uri.param', 'The value of a query parameter of the URI (ka.uri.param[key])', (e, arg) => {
  const uri = get(e.raw, ['requestURI']);
  return typeof uri === 'string' ? queryParam(uri, arg!) : NA;
}, { arg: 'key' });
scalar('ka.target.name', 'The target object name', 'objectRef', 'name');
scalar('ka.target.namespace', 'The target object namespace', 'objectRef', 'namespace');
scalar('ka.target.resource', 'The target object resource', 'objectRef', 'resource');
scalar('ka.target.subresource', 'The target object subresource', 'objectRef', 'subresource');
def('ka.target.pod.name', 'The target pod name (objectRef.name when the resource is pods)', (e) => (get(e.raw, ['objectRef', 'resource']) === 'pods' ? str(get(e.raw, ['objectRef', 'name'])) : NA));
// An audit event does not name its cluster; the field exists so rules that print it load.
def('ka.cluster.name', 'The cluster name: not carried by Kubernetes audit events, so not available', () => NA);
listAt('ka.req.binding.subjects', 'The subjects of a (cluster) role binding in the request', 'requestObject', 'subjects');
/** Names of the binding's subjects of one kind; `withNs` gives service accounts as namespace:name. */
function subjectNames(e: AuditEvent, kind: string, withNs = false): FieldValue {
  const subjects = get(e.raw, ['requestObject', 'subjects']);
  if (!Array.isArray(subjects)) return NA;
  const out: string[] = [];
  for (const s of subjects) {
    if (get(s, ['kind']) !== kind) continue;
    const name = str(get(s, ['name']));
    if (name === undefined) continue;
    out.push(withNs ? `${str(get(s, ['namespace'])) ?? ''}:${name}` : name);
  }
  return listOrNA(out);
}
def('ka.req.binding.subjects.user_names', 'The User subjects of a (cluster) role binding in the request', (e) => subjectNames(e, 'User'), { list: true });
def('ka.req.binding.subjects.serviceaccount_names', 'The ServiceAccount subjects of a (cluster) role binding in the request', (e) => subjectNames(e, 'ServiceAccount'), { list: true });
def('ka.req.binding.subjects.serviceaccount_ns_names', 'The ServiceAccount subjects of a (cluster) role binding, as namespace:name', (e) => subjectNames(e, 'ServiceAccount', true), { list: true });
def('ka.req.binding.subjects.group_names', 'The Group subjects of a (cluster) role binding in the request', (e) => subjectNames(e, 'Group'), { list: true });
scalar('ka.req.binding.role', 'The role a (cluster) role binding in the request refers to', 'requestObject', 'roleRef', 'name');
// Deprecated in the plugin; it returns "true" whatever the argument, and so do we.
def('ka.req.binding.subject.has_name', 'Deprecated; always "true"', () => 'true', { arg: 'key' });
scalar('ka.req.configmap.name', 'The configmap name (objectRef.name)', 'objectRef', 'name');
scalar('ka.req.configmap.obj', 'The data of the configmap in the request', 'requestObject', 'data');
def('ka.req.container.image', 'Deprecated: the image of the first container', (e) => containerImages(e, 0)?.[0]);
def('ka.req.container.image.repository', 'Deprecated: the repository of the first container', (e) => {
  const i = containerImages(e, 0)?.[0];
  return i === undefined ? NA : repository(i);
});
scalar('ka.req.pod.host_ipc', 'The hostIPC flag of the pod', 'requestObject', 'spec', 'hostIPC');
scalar('ka.req.pod.host_network', 'The hostNetwork flag of the pod', 'requestObject', 'spec', 'hostNetwork');
scalar('ka.req.container.host_network', 'Deprecated alias of ka.req.pod.host_network', 'requestObject', 'spec', 'hostNetwork');
scalar('ka.req.pod.host_pid', 'The hostPID flag of the pod', 'requestObject', 'spec', 'hostPID');
def('ka.req.container.privileged', 'Deprecated: "true" when any container is privileged', (e) => {
  const vals = valuesRecursive(e.raw, undefined, ['requestObject', 'spec', 'containers', 'securityContext', 'privileged']);
  if (vals === null) return NA;
  return vals.some((v) => v === true) ? 'true' : 'false';
});
scalar('ka.req.pod.run_as_user', 'The pod-level runAsUser', 'requestObject', 'spec', 'securityContext', 'runAsUser');
scalar('ka.req.pod.run_as_group', 'The pod-level runAsGroup', 'requestObject', 'spec', 'securityContext', 'runAsGroup');
listAt('ka.req.role.rules', 'The rules of the (cluster) role in the request', 'requestObject', 'rules');
def('ka.req.role.rules.apiGroups', 'The apiGroups of the role rules', (e, a) => rulesField(e, a, 'apiGroups'), { list: true, arg: 'index' });
def('ka.req.role.rules.nonResourceURLs', 'The nonResourceURLs of the role rules', (e, a) => rulesField(e, a, 'nonResourceURLs'), { list: true, arg: 'index' });
def('ka.req.role.rules.verbs', 'The verbs of the role rules', (e, a) => rulesField(e, a, 'verbs'), { list: true, arg: 'index' });
def('ka.req.role.rules.resources', 'The resources of the role rules', (e, a) => rulesField(e, a, 'resources'), { list: true, arg: 'index' });
/** Each value of a path that ends at an array, the array as compact JSON (the plugin's getValuesRecursive + arrayAsStringsSkipNil). */
function arraysAsJson(name: string, desc: string, keys: string[]): void {
  def(name, desc, (e, arg) => {
    const vals = valuesRecursive(e.raw, parseIndex(arg), keys);
    return vals === null ? NA : listOrNA(skipNil(vals));
  }, { list: true, arg: 'index' });
}

for (const list of CONTAINER_LISTS) {
  const p = `ka.req.pod.${list}`;
  const what = list === 'containers' ? 'container' : list === 'initContainers' ? 'init container' : 'ephemeral container';
  const sc = (k: string): string[] => ['requestObject', 'spec', list, 'securityContext', k];
  recursive(`${p}.name`, `The name of every ${what}`, ['requestObject', 'spec', list, 'name']);
  def(`${p}.image`, `The image of every ${what}`, (e, arg) => listOrNA(containerImages(e, parseIndex(arg), list)), { list: true, arg: 'index' });
  def(`${p}.image.repository`, `The repository part of the image of every ${what}`, (e, arg) => listOrNA(containerImages(e, parseIndex(arg), list)?.map(repository)), { list: true, arg: 'index' });
  // The plugin yields each container's command and args array as one JSON value.
  arraysAsJson(`${p}.command`, `The command of every ${what}, each as a JSON array`, ['requestObject', 'spec', list, 'command']);
  arraysAsJson(`${p}.args`, `The args of every ${what}, each as a JSON array`, ['requestObject', 'spec', list, 'args']);
  def(`${p}.host_port`, `The hostPort (or, without one, containerPort) of every ${what} port`, (e, arg) => {
    const ports = valuesRecursive(e.raw, parseIndex(arg), ['requestObject', 'spec', list, 'ports']);
    if (ports === null) return NA;
    const out: string[] = [];
    for (const l of ports) {
      if (l === undefined || l === null) continue;
      if (!Array.isArray(l)) return NA;
      for (const port of l) {
        const hp = get(port, ['hostPort']);
        const cp = get(port, ['containerPort']);
        if (hp !== undefined) out.push(str(hp)!);
        else if (cp !== undefined) out.push(str(cp)!);
      }
    }
    return listOrNA(out);
  }, { list: true, arg: 'index' });
  recursive(`${p}.privileged`, `The privileged flag of every ${what}`, sc('privileged'));
  recursive(`${p}.allow_privilege_escalation`, `The allowPrivilegeEscalation flag of every ${what}`, sc('allowPrivilegeEscalation'));
  recursive(`${p}.read_only_fs`, `The readOnlyRootFilesystem flag of every ${what}`, sc('readOnlyRootFilesystem'));
  recursive(`${p}.run_as_user`, `The runAsUser of every ${what}`, sc('runAsUser'));
  def(`${p}.eff_run_as_user`, `The effective uid of every ${what} (its own, else the pod's, else 0)`, (e, arg) => effective(e, parseIndex(arg), 'runAsUser', list), { list: true, arg: 'index' });
  recursive(`${p}.run_as_group`, `The runAsGroup of every ${what}`, sc('runAsGroup'));
  def(`${p}.eff_run_as_group`, `The effective gid of every ${what} (its own, else the pod's, else 0)`, (e, arg) => effective(e, parseIndex(arg), 'runAsGroup', list), { list: true, arg: 'index' });
  recursive(`${p}.proc_mount`, `The procMount of every ${what}`, sc('procMount'));
  // Capability names, the field's documented meaning (the plugin's code yields each container's list as JSON).
  recursive(`${p}.add_capabilities`, `The capabilities added by every ${what}`, ['requestObject', 'spec', list, 'securityContext', 'capabilities', 'add']);
}

scalar('ka.req.pod.fs_group', 'The pod fsGroup', 'requestObject', 'spec', 'securityContext', 'fsGroup');
listAt('ka.req.pod.supplemental_groups', 'The pod supplementalGroups', 'requestObject', 'spec', 'securityContext', 'supplementalGroups');
scalar('ka.req.service.type', 'The type of the service in the request', 'requestObject', 'spec', 'type');
// As the plugin extracts it: the path ends at the ports array, so the field has one value,
// the whole array as JSON (and an [index] selects nothing narrower). Outputs read ([{…},{…}]).
arraysAsJson('ka.req.service.ports', 'The ports of the service in the request, as one JSON array', ['requestObject', 'spec', 'ports']);
def('ka.req.volume.hostpath', 'Deprecated: "true" when a hostPath volume equals the argument (or starts with it when it ends in *)', (e, arg) => {
  const vals = valuesRecursive(e.raw, undefined, ['requestObject', 'spec', 'volumes', 'hostPath', 'path']);
  if (vals === null) return NA;
  const a = arg!;
  const prefix = a.endsWith('*') ? a.slice(0, -1) : undefined;
  for (const v of skipNil(vals)) if ((prefix !== undefined && v.startsWith(prefix)) || v === a) return 'true';
  return 'false';
}, { arg: 'key' });
recursive('ka.req.pod.volumes.hostpath', 'The hostPath path of every volume', ['requestObject', 'spec', 'volumes', 'hostPath', 'path']);
recursive('ka.req.pod.volumes.flexvolume_driver', 'The flexVolume driver of every volume', ['requestObject', 'spec', 'volumes', 'flexVolume', 'driver']);
def('ka.req.pod.volumes.volume_type', 'The type (source key) of every volume', (e, arg) => {
  const vals = valuesRecursive(e.raw, parseIndex(arg), ['requestObject', 'spec', 'volumes', '']);
  if (vals === null) return NA;
  const out: string[] = [];
  for (const v of vals) if (v && typeof v === 'object' && !Array.isArray(v)) for (const k of Object.keys(v)) if (k !== 'name') out.push(k);
  return listOrNA(out);
}, { list: true, arg: 'index' });
scalar('ka.resp.name', 'The response object name', 'responseObject', 'metadata', 'name');
scalar('ka.response.code', 'The response code', 'responseStatus', 'code');
scalar('ka.response.reason', 'The response reason (usually only for failures)', 'responseStatus', 'reason');
scalar('ka.useragent', 'The user agent of the client', 'userAgent');
// The plugin documents the client IPs; we read them from the event's sourceIPs.
def('ka.sourceips', 'The IP addresses of the client', (e, arg) => {
  const v = get(e.raw, ['sourceIPs']);
  if (!Array.isArray(v)) return NA;
  const i = parseIndex(arg);
  if (i !== undefined) return i >= 0 && i < v.length ? [str(v[i])!] : NA;
  return listOrNA(skipNil(v));
}, { list: true, arg: 'index' });

// jevt.*: Falco's JSON event fields.
def('jevt.time', 'The event time (RFC 3339, nanoseconds)', (e) => e.time);
def('jevt.rawtime', 'The event time in nanoseconds since the epoch', (e) => e.rawtime, { type: 'uint64' });
def('jevt.obj', 'The whole event as JSON', (e) => JSON.stringify(e.raw));
fields.push({
  name: 'jevt.value',
  desc: 'The value at a JSON pointer (jevt.value[/objectRef/name])',
  type: 'string',
  list: false,
  arg: 'key',
  bind: (arg) => {
    const ptr = arg ?? '';
    let g = jevtValues.get(ptr);
    if (g) return g;
    if (ptr === '') g = memoized((e) => JSON.stringify(e.raw), undefined);
    else g = memoized(jsonPointer(ptr), undefined);
    jevtValues.set(ptr, g);
    return g;
  },
});

/** jevt.value extractors by pointer, memoized like the other fields (private_source_ip reads /sourceIPs/0 many times). */
const jevtValues = new Map<string, (e: AuditEvent) => FieldValue>();

function jsonPointer(ptr: string): (e: AuditEvent) => FieldValue {
  // The pointer is split once, when the rule is compiled.
  const keys = ptr.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  const indexes = keys.map((k) => (/^\d+$/.test(k) ? Number(k) : undefined));
  return (e) => {
    let cur: Json = e.raw;
    for (let i = 0; i < keys.length; i++) {
      if (Array.isArray(cur)) {
        const n = indexes[i];
        if (n === undefined) return NA;
        cur = cur[n];
      } else if (typeof cur === 'object' && cur !== null) cur = (cur as Record<string, unknown>)[keys[i]!];
      else return NA;
      if (cur === undefined) return NA;
    }
    return str(cur);
  };
}

// evt.*: the generic fields Falco gives events of every plugin source (times in UTC).
def('evt.rawtime', 'The event time in nanoseconds since the epoch', (e) => e.rawtime, { type: 'uint64' });
def('evt.time', 'The event time of day, HH:MM:SS.nnnnnnnnn (UTC)', (e) => e.time.slice(11, -1));
def('evt.time.iso8601', 'The event time, RFC 3339 with nanoseconds (UTC)', (e) => e.time);
def('evt.datetime', 'The event date and time, YYYY-MM-DD HH:MM:SS.nnnnnnnnn (UTC)', (e) => `${e.time.slice(0, 10)} ${e.time.slice(11, -1)}`);
def('evt.source', 'The event source name', () => 'k8s_audit');

export const K8S_AUDIT_FIELDS: ReadonlyMap<string, FieldDef<AuditEvent>> = new Map(fields.map((f) => [f.name, f]));

export const K8S_AUDIT_SOURCE: EventSource<AuditEvent> = {
  name: 'k8s_audit',
  aliases: ['k8s_audit', 'k8saudit'],
  fields: K8S_AUDIT_FIELDS,
};
