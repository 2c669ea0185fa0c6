/**
 * Kyverno's rule auto-generation for pod controllers. A rule written for Pods also checks
 * the pod templates of DaemonSet, Deployment, Job, StatefulSet, ReplicaSet and
 * ReplicationController (rule `autogen-<name>`, pattern moved under `spec.template`) and of
 * CronJob (rule `autogen-cronjob-<name>`, under `spec.jobTemplate.spec.template`).
 * Variables follow: `request.object.spec` becomes `request.object.spec.template.spec`
 * (CEL: `object.spec` …), `request.object.metadata` the template's metadata.
 *
 * As in Kyverno, the whole policy gets no generated rules when any rule
 *  - generates resources or patches with JSON 6902,
 *  - names resources (name/names), selects them by labels or annotations, or
 *  - mixes Pod with other kinds in one match/exclude filter,
 * or when no rule is about Pods or pod controllers. The annotation
 * `pod-policies.kyverno.io/autogen-controllers` narrows the controllers ("Deployment,CronJob")
 * or turns generation off ("none"); it cannot turn it on for a policy Kyverno would skip.
 */
import { matchKinds, parseKindEntry } from './match.js';

export const AUTOGEN_ANNOTATION = 'pod-policies.kyverno.io/autogen-controllers';
const POD_CONTROLLERS = ['DaemonSet', 'Deployment', 'Job', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'CronJob'];
const NON_CRON_CONTROLLERS = POD_CONTROLLERS.filter((c) => c !== 'CronJob');

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function kindOf(entry: string): string {
  const k = parseKindEntry(entry);
  return k.subresource ? `${k.kind}/${k.subresource}` : k.kind;
}

export function containsKind(list: readonly string[], kind: string): boolean {
  return list.some((e) => kindOf(e) === kind);
}

function supportsAutogen(rd: unknown, needed: { v: boolean }): boolean {
  if (!isObj(rd)) return true;
  const kinds = Array.isArray(rd.kinds) ? rd.kinds.filter((k): k is string => typeof k === 'string') : [];
  if ((typeof rd.name === 'string' && rd.name !== '') || (Array.isArray(rd.names) && rd.names.length > 0)) return false;
  if (rd.selector !== undefined && rd.selector !== null) return false;
  if (rd.annotations !== undefined && rd.annotations !== null) return false;
  if (kinds.length > 1 && containsKind(kinds, 'Pod')) return false;
  if (kinds.some((k) => k === 'Pod' || POD_CONTROLLERS.includes(kindOf(k)))) needed.v = true;
  return true;
}

function blockSupports(block: unknown, needed: { v: boolean }): boolean {
  if (!isObj(block)) return true;
  if (!supportsAutogen(block.resources, needed)) return false;
  for (const key of ['any', 'all']) {
    const list = block[key];
    if (Array.isArray(list)) for (const f of list) if (isObj(f) && !supportsAutogen(f.resources, needed)) return false;
  }
  return true;
}

/** Whether Kyverno would generate controller rules for this policy spec at all. */
export function canAutogen(spec: Obj): boolean {
  const rules = Array.isArray(spec.rules) ? spec.rules.filter(isObj) : [];
  const needed = { v: false };
  for (const rule of rules) {
    if (rule.generate !== undefined && rule.generate !== null) return false;
    const mutate = rule.mutate;
    if (isObj(mutate)) {
      if (typeof mutate.patchesJson6902 === 'string' && mutate.patchesJson6902 !== '') return false;
      if (Array.isArray(mutate.foreach) && mutate.foreach.some((f) => isObj(f) && typeof f.patchesJson6902 === 'string' && f.patchesJson6902 !== '')) return false;
    }
    if (!blockSupports(rule.match, needed)) return false;
    if (!blockSupports(rule.exclude, needed)) return false;
  }
  return needed.v;
}

export interface AutogenInfo {
  /** Controllers generated for ("none" when generation is off). */
  controllers: string[];
  /** Generated rule name → original rule name. */
  origin: Map<string, string>;
}

/** The rules Kyverno evaluates: the policy's own rules plus the generated ones. */
export function computeRules(policy: Obj): { rules: Obj[]; autogen: AutogenInfo } {
  const spec = isObj(policy.spec) ? policy.spec : {};
  const own = Array.isArray(spec.rules) ? spec.rules.filter(isObj) : [];
  const meta = isObj(policy.metadata) ? policy.metadata : {};
  const annotations = isObj(meta.annotations) ? meta.annotations : {};
  const none: AutogenInfo = { controllers: ['none'], origin: new Map() };
  if (!canAutogen(spec)) return { rules: own, autogen: none };
  const annotation = annotations[AUTOGEN_ANNOTATION];
  const controllers = typeof annotation === 'string' ? annotation.split(',').map((s) => s.trim()).filter(Boolean) : [...POD_CONTROLLERS];
  const kind = controllers.join(',');
  if (kind === 'none' || kind === '') return { rules: own, autogen: none };
  const generated: Obj[] = [];
  const origin = new Map<string, string>();
  for (const rule of own) {
    const forControllers = generateForControllers(rule, stripCronJob(kind));
    if (forControllers) {
      const converted = convertRule(forControllers, 'controller');
      generated.push(converted);
      origin.set(String(converted.name), String(rule.name));
    }
    const forCron = generateCronJobRule(rule, kind);
    if (forCron) {
      const converted = convertRule(forCron, 'cronjob');
      generated.push(converted);
      origin.set(String(converted.name), String(rule.name));
    }
  }
  if (generated.length === 0) return { rules: own, autogen: none };
  const rules = [...own.filter((r) => !String(r.name ?? '').startsWith('autogen-')), ...generated];
  return { rules, autogen: { controllers, origin } };
}

function stripCronJob(controllers: string): string {
  return controllers
    .split(',')
    .filter((c) => c !== 'CronJob')
    .join(',');
}

function ruleName(prefix: string, name: string): string {
  const n = `${prefix}-${name}`;
  return n.length > 63 ? n.slice(0, 63) : n;
}

function splitKinds(controllers: string): string[] {
  return controllers.split(',').sort();
}

type FilterRewrite = (filters: Obj[], kinds: string[]) => Obj[];

function replacePodKinds(filters: Obj[], kinds: string[]): Obj[] {
  return filters.map((f) => {
    const rd = isObj(f.resources) ? f.resources : undefined;
    const ks = rd && Array.isArray(rd.kinds) ? rd.kinds.filter((k): k is string => typeof k === 'string') : [];
    return rd && containsKind(ks, 'Pod') ? { ...f, resources: { ...rd, kinds } } : f;
  });
}

function replaceAllKinds(filters: Obj[], kinds: string[]): Obj[] {
  return filters.map((f) => ({ ...f, resources: { ...(isObj(f.resources) ? f.resources : {}), kinds } }));
}

/** `$(…)` references in messages point into the pattern; they move with it. */
function shiftReferences(message: unknown, shift: string, pivot: string): unknown {
  if (typeof message !== 'string') return message;
  return message.replace(/(^|[^\\])\$\(([^ ]*?)\)/g, (all: string, pre: string, ref: string) => {
    let p = pivot;
    if (pivot === 'anyPattern') {
      const idx = ref.indexOf(pivot);
      if (idx >= 0) p = `${pivot}/${ref.slice(idx + pivot.length + 1).split('/')[0]}`;
    }
    return ref.includes(p) ? `${pre}$(${ref.replace(p, `${p}/${shift}`)})` : all;
  });
}

function validationBase(v: Obj, shift: string, pivot: string): Obj {
  const out: Obj = { message: shiftReferences(v.message, shift, pivot) };
  for (const k of ['failureAction', 'failureActionOverrides', 'allowExistingViolations']) if (v[k] !== undefined) out[k] = v[k];
  if (out.message === undefined) delete out.message;
  return out;
}

function generateRule(name: string, ruleIn: Obj | undefined, tplKey: string, shift: string, kinds: string[], rewrite: FilterRewrite): Obj | undefined {
  if (!ruleIn) return undefined;
  const rule = clone(ruleIn);
  rule.name = name;
  const match = isObj(rule.match) ? rule.match : (rule.match = {});
  if (Array.isArray(match.any) && match.any.length) match.any = rewrite(match.any.filter(isObj), kinds);
  else if (Array.isArray(match.all) && match.all.length) match.all = rewrite(match.all.filter(isObj), kinds);
  else match.resources = { ...(isObj(match.resources) ? match.resources : {}), kinds };
  if (isObj(rule.exclude)) {
    const ex = rule.exclude;
    if (Array.isArray(ex.any) && ex.any.length) ex.any = rewrite(ex.any.filter(isObj), kinds);
    else if (Array.isArray(ex.all) && ex.all.length) ex.all = rewrite(ex.all.filter(isObj), kinds);
    else if (isObj(ex.resources) && Array.isArray(ex.resources.kinds) && ex.resources.kinds.length) ex.resources = { ...ex.resources, kinds };
  }
  const wrap = (p: unknown) => ({ spec: { [tplKey]: p } });
  if (isObj(rule.mutate)) {
    const m = rule.mutate;
    if (m.patchStrategicMerge !== undefined) {
      rule.mutate = { patchStrategicMerge: wrap(m.patchStrategicMerge) };
      return rule;
    }
    if (Array.isArray(m.foreach) && m.foreach.length) {
      rule.mutate = {
        foreach: m.foreach.filter(isObj).map((f) => ({ list: f.list, context: f.context, preconditions: f.preconditions, patchStrategicMerge: wrap(f.patchStrategicMerge) })),
      };
      return rule;
    }
  }
  if (isObj(rule.validate)) {
    const v = rule.validate;
    if (v.pattern !== undefined && v.pattern !== null) {
      rule.validate = { ...validationBase(v, shift, 'pattern'), pattern: wrap(v.pattern) };
      return rule;
    }
    if (v.deny !== undefined && v.deny !== null) {
      rule.validate = { ...validationBase(v, shift, 'deny'), deny: v.deny };
      return rule;
    }
    if (isObj(v.podSecurity)) {
      const ps = v.podSecurity;
      rule.validate = { ...validationBase(v, shift, 'podSecurity'), podSecurity: { level: ps.level, version: ps.version, exclude: ps.exclude } };
      return rule;
    }
    if (Array.isArray(v.anyPattern)) {
      rule.validate = { ...validationBase(v, shift, 'anyPattern'), anyPattern: v.anyPattern.map(wrap) };
      return rule;
    }
    if (Array.isArray(v.foreach) && v.foreach.length) {
      rule.validate = { ...validationBase(v, shift, 'pattern'), foreach: v.foreach };
      return rule;
    }
    if (isObj(v.cel)) return rule;
    if (isObj(v.assert)) {
      const a = clone(v.assert);
      for (const n of ['object', 'oldObject']) if (isObj(a[n])) a[n] = { spec: { [tplKey]: a[n] } };
      rule.validate = { ...v, assert: a };
      return rule;
    }
  }
  if (Array.isArray(rule.verifyImages)) return rule;
  return undefined;
}

function generateForControllers(rule: Obj, controllersIn: string): Obj | undefined {
  const name = String(rule.name ?? '');
  if (name.startsWith('autogen-') || controllersIn === '') return undefined;
  const mk = matchKinds(rule.match);
  const ek = matchKinds(rule.exclude);
  if (!containsKind(mk, 'Pod') || (ek.length && !containsKind(ek, 'Pod'))) return undefined;
  let controllers = controllersIn;
  if (controllers === 'all') controllers = NON_CRON_CONTROLLERS.join(',');
  else if (controllers !== 'none') {
    const valid = controllers.split(',').filter((c) => NON_CRON_CONTROLLERS.includes(c));
    if (valid.length) controllers = valid.join(',');
  }
  return generateRule(ruleName('autogen', name), rule, 'template', 'spec/template', splitKinds(controllers), replacePodKinds);
}

function generateCronJobRule(rule: Obj, controllers: string): Obj | undefined {
  if (!controllers.includes('CronJob') && !controllers.includes('all')) return undefined;
  return generateRule(
    ruleName('autogen-cronjob', String(rule.name ?? '')),
    generateForControllers(rule, controllers),
    'jobTemplate',
    'spec/jobTemplate/spec/template',
    ['CronJob'],
    replaceAllKinds,
  );
}

const REPLACEMENTS = {
  controller: [
    ['request.object.spec', 'request.object.spec.template.spec'],
    ['request.oldObject.spec', 'request.oldObject.spec.template.spec'],
    ['request.object.metadata', 'request.object.spec.template.metadata'],
    ['request.oldObject.metadata', 'request.oldObject.spec.template.metadata'],
  ],
  controllerCel: [
    ['object.spec', 'object.spec.template.spec'],
    ['oldObject.spec', 'oldObject.spec.template.spec'],
    ['object.metadata', 'object.spec.template.metadata'],
    ['oldObject.metadata', 'oldObject.spec.template.metadata'],
  ],
  cronjob: [
    ['request.object.spec', 'request.object.spec.jobTemplate.spec.template.spec'],
    ['request.oldObject.spec', 'request.oldObject.spec.jobTemplate.spec.template.spec'],
    ['request.object.metadata', 'request.object.spec.jobTemplate.spec.template.metadata'],
    ['request.oldObject.metadata', 'request.oldObject.spec.jobTemplate.spec.template.metadata'],
  ],
  cronjobCel: [
    ['object.spec', 'object.spec.jobTemplate.spec.template.spec'],
    ['oldObject.spec', 'oldObject.spec.jobTemplate.spec.template.spec'],
    ['object.metadata', 'object.spec.jobTemplate.spec.template.metadata'],
    ['oldObject.metadata', 'oldObject.spec.jobTemplate.spec.template.metadata'],
  ],
} as const;

/** Rewrites variable paths in the whole rule text, as Kyverno does on the serialized rule. */
function convertRule(rule: Obj, kind: 'controller' | 'cronjob'): Obj {
  const cel = isObj(rule.validate) && isObj(rule.validate.cel);
  const table = REPLACEMENTS[`${kind}${cel ? 'Cel' : ''}` as keyof typeof REPLACEMENTS];
  let text = JSON.stringify(rule);
  for (const [from, to] of table) text = text.split(from).join(to);
  return JSON.parse(text) as Obj;
}
